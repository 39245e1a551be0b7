// table_access.cpp: the orscript.Table userdata itself, and reading it from Lua.
//
// Owns: creating and collecting the userdata, `t[i]`, `t.meta`, `t.columns`, unknown
// fields named with a suggestion, `#t`, printing (`tostring`, `t:format`), `t:rows`,
// `t:col`, `t:info`, export (`t:to_csv`, `t:to_json`, `t:to_markdown`, `t:write`,
// `t:plot`), and register_table, which assembles the metatable from this file, the
// operations (table_operations.cpp) and the constructors (table_constructors.cpp).
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

#include "bindings/binding.hpp"
#include "bindings/host_context.hpp"
#include "bindings/lua_json.hpp"
#include "bindings/modules.hpp"
#include "bindings/table_binding.hpp"
#include "host/core/error.hpp"
#include "host/core/json_text.hpp"

namespace orscript::lua {

static_assert(alignof(Table) <= 8, "LuaJIT aligns userdata payloads to 8 bytes only");

namespace json = boost::json;

// --- cells to Lua -----------------------------------------------------------------------

void push_cell(lua_State* L, const Column& c, std::size_t i) {
  if (c.is_null(i)) return push_null(L);
  switch (c.type) {
    case ColumnType::string: lua_pushlstring(L, c.str[i].data(), c.str[i].size()); return;
    case ColumnType::boolean: lua_pushboolean(L, c.num[i] != 0); return;
    case ColumnType::number: lua_pushnumber(L, c.num[i]); return;
    case ColumnType::time: {
      std::string iso = iso_time(c.num[i], c.granularity);
      lua_pushlstring(L, iso.data(), iso.size());
      return;
    }
  }
}

void push_row(lua_State* L, const Table& t, std::size_t i, bool nulls_as_nil) {
  lua_createtable(L, 0, static_cast<int>(t.column_count()));
  for (const Column& c : t.columns()) {
    if (nulls_as_nil && c.is_null(i)) continue;
    push_cell(L, c, i);
    lua_setfield(L, -2, c.name.c_str());
  }
}

std::vector<std::string> names_arg(lua_State* L, int idx, const std::string& where, bool allow_empty) {
  std::vector<std::string> out;
  if (lua_type(L, idx) == LUA_TSTRING) {
    out.emplace_back(lua_tostring(L, idx));
    return out;
  }
  if (lua_type(L, idx) != LUA_TTABLE) usage(where + ": expected a column name or a list of names");
  int n = static_cast<int>(lua_objlen(L, idx));
  for (int i = 1; i <= n; ++i) {
    lua_rawgeti(L, idx, i);
    if (lua_type(L, -1) != LUA_TSTRING) {
      lua_pop(L, 1);
      usage(where + ": item " + std::to_string(i) + " is not a column name");
    }
    out.emplace_back(lua_tostring(L, -1));
    lua_pop(L, 1);
  }
  if (out.empty() && !allow_empty) usage(where + ": name at least one column");
  return out;
}

DisplayFormat format_arg(const std::string& name, const std::string& where) {
  auto f = parse_format(name);
  if (!f) usage(where + ": unknown format '" + name + "' (use number, currency, percent, latency, throughput, text)");
  return *f;
}

namespace {

void push_meta(lua_State* L, const Table& t) {
  const TableMeta& m = t.meta;
  lua_createtable(L, 0, 10);
  for (const auto& kv : m.extra) {  // dataset metadata first, so ours wins on a clash
    push_json(L, kv.value());
    lua_setfield(L, -2, std::string(kv.key()).c_str());
  }
  lua_pushboolean(L, m.truncated);
  lua_setfield(L, -2, "truncated");
  lua_pushnumber(L, static_cast<lua_Number>(m.row_count ? *m.row_count : static_cast<std::int64_t>(t.row_count())));
  lua_setfield(L, -2, "row_count");
  if (m.limit) {
    lua_pushnumber(L, static_cast<lua_Number>(*m.limit));
    lua_setfield(L, -2, "limit");
  }
  if (m.query_time_ms) {
    lua_pushnumber(L, *m.query_time_ms);
    lua_setfield(L, -2, "query_time_ms");
  }
  if (m.cached_at) {
    lua_pushnumber(L, static_cast<lua_Number>(*m.cached_at));
    lua_setfield(L, -2, "cached_at");
  }
  lua_createtable(L, static_cast<int>(m.warnings.size()), 0);
  for (std::size_t i = 0; i < m.warnings.size(); ++i) {
    lua_pushlstring(L, m.warnings[i].data(), m.warnings[i].size());
    lua_rawseti(L, -2, static_cast<int>(i + 1));
  }
  lua_setfield(L, -2, "warnings");
  if (!m.request.empty()) {
    json::error_code ec;
    json::value req = json::parse(m.request, ec);
    if (!ec) {
      push_json(L, req);
      lua_setfield(L, -2, "request");
    }
  }
  set_string(L, "source", m.source);
  if (m.truncated) set_string(L, "note", m.truncation_note());
}

void push_info(lua_State* L, const Column& c) {
  lua_createtable(L, 0, 7);
  set_string(L, "name", c.name);
  set_string(L, "type", type_name(c.type));
  set_string(L, "role", role_name(c.role));
  set_string(L, "format", format_name(c.format));
  lua_pushboolean(L, c.is_rate);
  lua_setfield(L, -2, "is_rate");
  if (!c.source_key.empty()) set_string(L, "source_key", c.source_key);
  if (!c.granularity.empty()) set_string(L, "granularity", c.granularity);
}

// --- methods ----------------------------------------------------------------------------

// "unknown field 'x' on orscript.Table (did you mean 'y'?); methods: ...; fields: ..."
// with the methods that exist, sorted.
std::string unknown_method_message(lua_State* L, const char* key) {
  std::vector<std::string> names;
  luaL_getmetatable(L, kTableMeta);
  lua_pushnil(L);
  while (lua_next(L, -2)) {
    if (lua_type(L, -2) == LUA_TSTRING && lua_isfunction(L, -1)) {
      std::string n = lua_tostring(L, -2);
      if (n.rfind("__", 0) != 0) names.push_back(std::move(n));
    }
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  std::sort(names.begin(), names.end());
  std::string best;
  std::size_t best_d = std::string::npos;
  for (auto& n : names)
    if (std::size_t d = edit_distance(key, n); d < best_d) best_d = d, best = n;
  std::string msg = std::string("unknown field '") + key + "' on " + kTableMeta;
  if (!best.empty() && best_d <= std::max<std::size_t>(2, std::strlen(key) / 3)) msg += " (did you mean '" + best + "'?)";
  msg += "; methods:";
  for (std::size_t i = 0; i < names.size(); ++i) msg += (i ? ", " : " ") + names[i];
  msg += "; fields: meta, columns, and rows by number (t[1])";
  return msg;
}

int l_index(lua_State* L) {
  Table& t = *check_table(L, 1);
  int kt = lua_type(L, 2);
  if (kt == LUA_TNUMBER) {
    double d = lua_tonumber(L, 2);
    if (d >= 1 && d <= static_cast<double>(t.row_count()) && d == std::floor(d))
      push_row(L, t, static_cast<std::size_t>(d) - 1);
    else
      lua_pushnil(L);
    return 1;
  }
  if (kt == LUA_TSTRING) {
    const char* k = lua_tostring(L, 2);
    if (std::strcmp(k, "meta") == 0) {
      push_meta(L, t);
      return 1;
    }
    if (std::strcmp(k, "columns") == 0) {
      lua_createtable(L, static_cast<int>(t.column_count()), 0);
      for (std::size_t i = 0; i < t.column_count(); ++i) {
        lua_pushstring(L, t.columns()[i].name.c_str());
        lua_rawseti(L, -2, static_cast<int>(i + 1));
      }
      return 1;
    }
    if (std::strncmp(k, "__", 2) != 0) {
      luaL_getmetatable(L, kTableMeta);
      lua_pushvalue(L, 2);
      lua_rawget(L, -2);
      if (!lua_isnil(L, -1)) return 1;
      lua_pop(L, 2);
    }
    {
      std::string msg = unknown_method_message(L, k);
      push_error(L, ErrorKind::usage, msg);
    }
    return lua_error(L);  // raised after the message's C++ objects are gone
  }
  unknown_field(L, kTableMeta, 2);
}

int l_len(lua_State* L) {
  lua_pushnumber(L, static_cast<lua_Number>(check_table(L, 1)->row_count()));
  return 1;
}

int l_gc(lua_State* L) {
  auto* t = static_cast<Table*>(luaL_checkudata(L, 1, kTableMeta));
  t->~Table();
  return 0;
}

int l_tostring(lua_State* L) {
  Table& t = *check_table(L, 1);
  std::string s = t.format({terminal_width(), 40});
  if (!s.empty() && s.back() == '\n') s.pop_back();
  lua_pushlstring(L, s.data(), s.size());
  return 1;
}

int l_format(lua_State* L) {
  Table& t = *check_table(L, 1);
  check_opts(L, 2);
  FormatOptions o{terminal_width(), 40};
  if (auto w = opt_integer(L, 2, "width")) o.width = static_cast<int>(*w);
  if (auto n = opt_integer(L, 2, "max_rows")) o.max_rows = static_cast<std::size_t>(std::max<lua_Integer>(1, *n));
  std::string s = t.format(o);
  lua_pushlstring(L, s.data(), s.size());
  return 1;
}

int l_rows_next(lua_State* L) {
  Table& t = *check_table(L, 1);
  lua_Integer i = luaL_checkinteger(L, 2) + 1;
  if (i < 1 || static_cast<std::size_t>(i) > t.row_count()) return 0;
  lua_pushinteger(L, i);
  push_row(L, t, static_cast<std::size_t>(i) - 1);
  return 2;
}

int l_rows(lua_State* L) {
  check_table(L, 1);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_pushcclosure(L, entry<l_rows_next>, 1);
  lua_pushvalue(L, 1);
  lua_pushinteger(L, 0);
  return 3;
}

int l_col(lua_State* L) {
  Table& t = *check_table(L, 1);
  const char* name = luaL_checkstring(L, 2);
  const Column& c = t.column(name);
  lua_createtable(L, static_cast<int>(c.size()), 0);
  for (std::size_t i = 0; i < c.size(); ++i) {
    push_cell(L, c, i);
    lua_rawseti(L, -2, static_cast<int>(i + 1));
  }
  return 1;
}

int l_info(lua_State* L) {
  Table& t = *check_table(L, 1);
  if (!lua_isnoneornil(L, 2)) {
    push_info(L, t.column(luaL_checkstring(L, 2)));
    return 1;
  }
  lua_createtable(L, static_cast<int>(t.column_count()), 0);
  for (std::size_t i = 0; i < t.column_count(); ++i) {
    push_info(L, t.columns()[i]);
    lua_rawseti(L, -2, static_cast<int>(i + 1));
  }
  return 1;
}

// t:to_csv(), t:to_json(), t:to_markdown(): the table as text in one format.
template <std::string (Table::*Format)() const>
int l_to_text(lua_State* L) {
  std::string s = (check_table(L, 1)->*Format)();
  lua_pushlstring(L, s.data(), s.size());
  return 1;
}

// Charts are Lua (scripts/orscript/chart.lua): calls chart[fn] with this call's
// arguments and returns its result. Holds no C++ objects, so errors pass through.
int call_chart(lua_State* L, const char* fn) {
  int n = lua_gettop(L);
  lua_getglobal(L, "require");
  lua_pushliteral(L, "orscript.chart");
  lua_call(L, 1, 1);
  lua_getfield(L, -1, fn);
  lua_remove(L, -2);
  lua_insert(L, 1);
  lua_call(L, n, 1);
  return 1;
}

bool is_chart_path(std::string_view path) {
  auto dot = path.rfind('.');
  if (dot == std::string_view::npos) return false;
  std::string ext(path.substr(dot + 1));
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext == "svg" || ext == "html" || ext == "htm";
}

// t:plot([opts]): a chart (SVG, HTML or text), or a file with opts.path.
int l_plot(lua_State* L) {
  check_table(L, 1);
  return call_chart(L, "plot");
}

int l_write(lua_State* L) {
  Table& t = *check_table(L, 1);
  const char* path = luaL_checkstring(L, 2);
  if (is_chart_path(path)) return call_chart(L, "write");
  t.write(path);
  // A file holds no notes (CSV and JSON have no place for them): say it on stderr.
  if (t.meta.truncated) std::fprintf(stderr, "warning: %s: %s\n", path, t.meta.truncation_note().c_str());
  return 0;
}

}  // namespace

void push_table(lua_State* L, Table&& t) {
  void* p = lua_newuserdata(L, sizeof(Table));
  new (p) Table(std::move(t));
  luaL_getmetatable(L, kTableMeta);
  lua_setmetatable(L, -2);
}

Table* check_table(lua_State* L, int idx) { return static_cast<Table*>(luaL_checkudata(L, idx, kTableMeta)); }

int terminal_width() {
  if (const char* c = std::getenv("COLUMNS")) {
    int w = std::atoi(c);
    if (w > 0) return w;
  }
  if (::isatty(STDOUT_FILENO)) {
    winsize ws{};
    if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  }
  return 100;
}

void register_table(lua_State* L, HostContext* ctx) {
  static const luaL_Reg methods[] = {
      {"__len", entry<l_len>},
      {"__gc", l_gc},
      {"__tostring", entry<l_tostring>},
      {"rows", entry<l_rows>},
      {"col", entry<l_col>},
      {"info", entry<l_info>},
      {"format", entry<l_format>},
      {"to_csv", entry<l_to_text<&Table::to_csv>>},
      {"to_json", entry<l_to_text<&Table::to_json>>},
      {"to_markdown", entry<l_to_text<&Table::to_markdown>>},
      {"write", entry<l_write>},
      {"plot", entry<l_plot>},
      {nullptr, nullptr},
  };
  new_class(L, kTableMeta, methods, ctx);
  add_table_operations(L, ctx);
  // Rows by index and the meta/columns fields come before methods; unknown keys raise.
  lua_pushlightuserdata(L, ctx);
  lua_pushcclosure(L, entry<l_index>, 1);
  lua_setfield(L, -2, "__index");
  lua_pop(L, 1);

  add_table_constructors(L, ctx);
}

}  // namespace orscript::lua
