// table_constructors.cpp: making orscript.Table values from Lua data and JSON text.
//
// Owns: `core.table(rows_or_columns [, opts])` (column order, formats, rates, meta),
// `core.parse_table(json_text [, opts])` and `core.terminal_width()`.
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "bindings/binding.hpp"
#include "bindings/host_context.hpp"
#include "bindings/lua_json.hpp"
#include "bindings/table_binding.hpp"
#include "host/core/error.hpp"
#include "host/core/json_text.hpp"

namespace orscript::lua {
namespace {

namespace json = boost::json;

// Default column order for tables made from Lua data (whose keys have no order): time
// columns, then text and booleans, then numbers; by name within each.
void order_columns(Table& t, const std::vector<std::string>& first) {
  auto& cols = t.columns_mut();
  auto rank = [&](const Column& c) {
    auto it = std::find(first.begin(), first.end(), c.name);
    if (it != first.end()) return static_cast<long>(it - first.begin()) - 1000000;
    if (c.type == ColumnType::time) return 0L;
    return c.type == ColumnType::number ? 2L : 1L;
  };
  std::stable_sort(cols.begin(), cols.end(), [&](const Column& a, const Column& b) {
    long ra = rank(a), rb = rank(b);
    if (ra != rb) return ra < rb;
    return a.name < b.name;
  });
}

// Column `name` of `t`, to change its display; an unknown name raises with suggestions.
Column& column_mut(Table& t, const std::string& name) {
  t.column(name);
  for (auto& c : t.columns_mut())
    if (c.name == name) return c;
  throw Error(ErrorKind::internal, "core.table: column '" + name + "' vanished");
}

void apply_meta(lua_State* L, int idx, TableMeta& m) {
  m.truncated = opt_bool(L, idx, "truncated");
  if (auto v = opt_number(L, idx, "row_count")) m.row_count = static_cast<std::int64_t>(*v);
  if (auto v = opt_number(L, idx, "limit")) m.limit = static_cast<std::int64_t>(*v);
  if (auto v = opt_number(L, idx, "query_time_ms")) m.query_time_ms = *v;
  if (auto v = opt_number(L, idx, "cached_at")) m.cached_at = static_cast<std::int64_t>(*v);
  lua_getfield(L, idx, "warnings");
  if (lua_istable(L, -1)) {
    int n = static_cast<int>(lua_objlen(L, -1));
    for (int i = 1; i <= n; ++i) {
      lua_rawgeti(L, -1, i);
      if (lua_isstring(L, -1)) m.warnings.emplace_back(lua_tostring(L, -1));
      lua_pop(L, 1);
    }
  }
  lua_pop(L, 1);
  lua_getfield(L, idx, "request");
  if (lua_type(L, -1) == LUA_TSTRING)
    m.request = lua_tostring(L, -1);
  else if (lua_istable(L, -1))
    m.request = to_json_text(to_json(L, lua_gettop(L)));
  lua_pop(L, 1);
  push_opt(L, idx, "source");
  if (lua_type(L, -1) == LUA_TSTRING) m.source = lua_tostring(L, -1);
  lua_pop(L, 1);
}

// core.table(rows_or_columns [, opts])
int l_table(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  check_opts(L, 2);
  HostContext& ctx = context(L);
  json::value data = to_json(L, 1);
  json::array rows;
  if (data.is_array()) {
    std::size_t i = 0;
    for (auto& r : data.get_array()) {
      ++i;
      if (r.is_array() && r.get_array().empty()) r = json::object();
      if (!r.is_object()) usage("core.table: row " + std::to_string(i) + " is not a table of named values");
    }
    rows = std::move(data.get_array());
  } else {
    // Columns: {name = {v1, v2, ...}, ...}; shorter columns are padded with null.
    std::size_t n = 0;
    for (auto& kv : data.get_object()) {
      if (!kv.value().is_array())
        usage("core.table: column '" + std::string(kv.key()) + "' must be a list of values (use orscript.null for gaps)");
      n = std::max(n, kv.value().get_array().size());
    }
    rows.resize(n, json::object());
    for (auto& kv : data.get_object()) {
      auto& values = kv.value().get_array();
      for (std::size_t i = 0; i < n; ++i)
        rows[i].get_object()[kv.key()] = i < values.size() ? values[i] : json::value(nullptr);
    }
  }
  RowsOptions ro;
  ro.schema = ctx.schema.get();
  ro.from_api = false;
  Table t = from_rows(json::value(std::move(rows)), "lua", ro);
  t.meta.row_count.reset();

  std::vector<std::string> order;
  push_opt(L, 2, "columns");
  if (!lua_isnil(L, -1)) order = names_arg(L, lua_gettop(L), "core.table: columns", true);
  lua_pop(L, 1);
  for (auto& name : order) t.column(name);  // unknown names raise with suggestions
  order_columns(t, order);

  push_opt(L, 2, "formats");
  if (lua_istable(L, -1)) {
    int fi = lua_gettop(L);
    lua_pushnil(L);
    while (lua_next(L, fi)) {
      if (lua_type(L, -2) != LUA_TSTRING || lua_type(L, -1) != LUA_TSTRING)
        usage("core.table: formats must map column names to format names");
      std::string cname = lua_tostring(L, -2), fname = lua_tostring(L, -1);
      column_mut(t, cname).format = format_arg(fname, "core.table");
      lua_pop(L, 1);
    }
  }
  lua_pop(L, 1);
  push_opt(L, 2, "rates");
  if (lua_istable(L, -1)) {
    int ri = lua_gettop(L);
    lua_pushnil(L);
    while (lua_next(L, ri)) {
      // {"a", "b"} or {a = true, b = false}
      std::string cname = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : (lua_isstring(L, -1) ? lua_tostring(L, -1) : "");
      column_mut(t, cname).is_rate = lua_type(L, -2) == LUA_TSTRING ? lua_toboolean(L, -1) != 0 : true;
      lua_pop(L, 1);
    }
  }
  lua_pop(L, 1);
  push_opt(L, 2, "meta");
  if (lua_istable(L, -1)) apply_meta(L, lua_gettop(L), t.meta);
  lua_pop(L, 1);
  push_table(L, std::move(t));
  return 1;
}

// core.parse_table(json_text [, {source=..., request=...}])
int l_parse_table(lua_State* L) {
  std::size_t len;
  const char* text = luaL_checklstring(L, 1, &len);
  check_opts(L, 2);
  HostContext& ctx = context(L);
  std::string source = opt_string(L, 2, "source", "core.parse_table");
  json::error_code ec;
  json::value v = json::parse(json::string_view(text, len), ec);
  if (ec) usage("core.parse_table: invalid JSON: " + ec.message());
  json::value request;
  push_opt(L, 2, "request");
  if (lua_type(L, -1) == LUA_TSTRING) {
    request = json::parse(lua_tostring(L, -1), ec);
    if (ec) usage("core.parse_table: invalid request JSON: " + ec.message());
  } else if (lua_istable(L, -1)) {
    request = to_json(L, lua_gettop(L));
  }
  lua_pop(L, 1);
  if (source.empty() || source == "query" || source == "/analytics/query")
    push_table(L, from_analytics(v, request, ctx.schema.get()));
  else
    push_table(L, from_rows(v, source, {ctx.schema.get(), {}}));
  return 1;
}

// core.terminal_width() -> the columns text should fit ($COLUMNS, else the terminal's,
// else 100), and whether that width is known (false for the 100 of a file or pipe).
int l_terminal_width(lua_State* L) {
  lua_pushinteger(L, terminal_width());
  const char* c = std::getenv("COLUMNS");
  lua_pushboolean(L, (c && std::atoi(c) > 0) || ::isatty(STDOUT_FILENO));
  return 2;
}

}  // namespace

void add_table_constructors(lua_State* L, HostContext* ctx) {
  static const luaL_Reg constructors[] = {
      {"table", entry<l_table>},
      {"parse_table", entry<l_parse_table>},
      {"terminal_width", entry<l_terminal_width>},
      {nullptr, nullptr},
  };
  lua_pushlightuserdata(L, ctx);
  luaL_setfuncs(L, constructors, 1);
}

}  // namespace orscript::lua
