// table_binding.cpp: the orscript.Table userdata and the core.table constructors.
//
// Every function here checks its Lua arguments first, calls the table engine (which
// returns or throws orscript::Error), and pushes results; `entry<F>` turns exceptions
// into Lua errors. Callbacks into Lua (filter and derive functions) run under
// lua_pcall; a failing callback's error value is re-raised unchanged, but only after
// every C++ object of the binding has been destroyed.
#include "bindings/table_binding.hpp"
#include "host/core/json_text.hpp"

#include <boost/json.hpp>

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <string_view>
#include <vector>

#include "bindings/binding.hpp"
#include "bindings/host_context.hpp"
#include "bindings/lua_json.hpp"
#include "bindings/modules.hpp"
#include "host/core/error.hpp"

namespace orscript::lua {

static_assert(alignof(Table) <= 8, "LuaJIT aligns userdata payloads to 8 bytes only");

namespace json = boost::json;

namespace {

[[noreturn]] void usage(const std::string& msg) { throw Error(ErrorKind::usage, msg); }

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

// A row as a table keyed by column name; `nulls_as_nil` leaves null cells out.
void push_row(lua_State* L, const Table& t, std::size_t i, bool nulls_as_nil = false) {
  lua_createtable(L, 0, static_cast<int>(t.column_count()));
  for (const Column& c : t.columns()) {
    if (nulls_as_nil && c.is_null(i)) continue;
    push_cell(L, c, i);
    lua_setfield(L, -2, c.name.c_str());
  }
}

void set_string(lua_State* L, const char* key, std::string_view v) {
  lua_pushlstring(L, v.data(), v.size());
  lua_setfield(L, -2, key);
}

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

// --- Lua arguments to C++ ---------------------------------------------------------------

// One Lua value as a filter cell; nil and orscript.null are null.
Cell to_cell(lua_State* L, int idx, const std::string& where) {
  switch (lua_type(L, idx)) {
    case LUA_TNIL:
    case LUA_TNONE: return Cell::null();
    case LUA_TNUMBER: return Cell::number(lua_tonumber(L, idx));
    case LUA_TSTRING: return Cell::text(lua_tostring(L, idx));
    case LUA_TBOOLEAN: return Cell::boolean(lua_toboolean(L, idx) != 0);
    default:
      if (is_null(L, idx)) return Cell::null();
      usage(where + ": expected a number, string, boolean or orscript.null, got " + luaL_typename(L, idx));
  }
}

// A column list: "name" or {"a", "b"}. An empty list is allowed when `allow_empty`.
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

// Reads opts[key] (opts at `idx` may be nil): pushes it; caller pops.
void get_opt(lua_State* L, int idx, const char* key) {
  if (lua_istable(L, idx))
    lua_getfield(L, idx, key);
  else
    lua_pushnil(L);
}

bool opt_bool(lua_State* L, int idx, const char* key) {
  get_opt(L, idx, key);
  bool v = lua_toboolean(L, -1) != 0;
  lua_pop(L, 1);
  return v;
}

std::string opt_string(lua_State* L, int idx, const char* key, const std::string& where) {
  get_opt(L, idx, key);
  std::string v;
  if (lua_type(L, -1) == LUA_TSTRING)
    v = lua_tostring(L, -1);
  else if (!lua_isnil(L, -1)) {
    lua_pop(L, 1);
    usage(where + ": '" + key + "' must be a string");
  }
  lua_pop(L, 1);
  return v;
}

void check_opts(lua_State* L, int idx) {
  if (!lua_isnoneornil(L, idx)) luaL_checktype(L, idx, LUA_TTABLE);
}

bool check_direction(const char* dir, const std::string& where) {
  if (std::strcmp(dir, "asc") == 0) return false;
  if (std::strcmp(dir, "desc") == 0) return true;
  usage(where + ": direction must be \"asc\" or \"desc\", got \"" + dir + "\"");
}

// Builds a column from callback results: the first non-null result fixes the type.
struct ResultColumn {
  Column col;
  bool decided = false;

  void put(lua_State* L, int idx, std::size_t row, const std::string& where) {
    int type = lua_type(L, idx);
    if (type == LUA_TNIL || is_null(L, idx) ||
        (type == LUA_TNUMBER && !std::isfinite(lua_tonumber(L, idx)))) {
      col.push_null();
      return;
    }
    ColumnType want;
    if (type == LUA_TNUMBER)
      want = ColumnType::number;
    else if (type == LUA_TSTRING)
      want = ColumnType::string;
    else if (type == LUA_TBOOLEAN)
      want = ColumnType::boolean;
    else
      usage(where + ": row " + std::to_string(row + 1) + " gave a " + luaL_typename(L, idx) +
            "; expected a number, string, boolean or nil");
    if (!decided) {
      decided = true;
      col.type = want;
      if (want == ColumnType::string) {
        col.str.assign(col.nulls.size(), std::string());
        col.num.clear();
      }
    } else if (want != col.type) {
      usage(where + ": row " + std::to_string(row + 1) + " gave a " + std::string(type_name(want)) +
            " but earlier rows gave " + std::string(type_name(col.type)) + " values");
    }
    if (want == ColumnType::string) {
      std::size_t n;
      const char* s = lua_tolstring(L, idx, &n);
      col.push_string(std::string(s, n));
    } else if (want == ColumnType::boolean) {
      col.push_number(lua_toboolean(L, idx) ? 1 : 0);
    } else {
      col.push_number(lua_tonumber(L, idx));
    }
  }
};

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
  get_opt(L, 2, "width");
  if (lua_isnumber(L, -1)) o.width = static_cast<int>(lua_tointeger(L, -1));
  lua_pop(L, 1);
  get_opt(L, 2, "max_rows");
  if (lua_isnumber(L, -1)) o.max_rows = static_cast<std::size_t>(std::max<lua_Integer>(1, lua_tointeger(L, -1)));
  lua_pop(L, 1);
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

int filter_by_function(lua_State* L, const Table& t) {
  int status = 0;
  {
    std::vector<bool> keep(t.row_count());
    for (std::size_t i = 0; i < t.row_count() && status == 0; ++i) {
      lua_pushvalue(L, 2);
      push_row(L, t, i);
      lua_pushinteger(L, static_cast<lua_Integer>(i + 1));
      status = lua_pcall(L, 2, 1, 0);
      if (status == 0) {
        keep[i] = lua_toboolean(L, -1) && !is_null(L, -1);
        lua_pop(L, 1);
      }
    }
    if (status == 0) {
      push_table(L, t.filter(keep));
      return 1;
    }
  }
  return lua_error(L);  // the callback's error, unchanged, with no C++ object left alive
}

int l_filter(lua_State* L) {
  Table& t = *check_table(L, 1);
  if (lua_isfunction(L, 2)) return filter_by_function(L, t);
  const char* col = luaL_checkstring(L, 2);
  const char* op_name = luaL_checkstring(L, 3);
  auto op = parse_op(op_name);
  if (!op)
    usage(std::string("t:filter: unknown operator '") + op_name + "' (use eq, neq, gt, gte, lt, lte, in, not_in)");
  std::vector<Cell> values;
  if (*op == CompareOp::in || *op == CompareOp::not_in) {
    if (!lua_istable(L, 4)) usage(std::string("t:filter: '") + op_name + "' takes a list of values, e.g. {\"a\", \"b\"}");
    int n = static_cast<int>(lua_objlen(L, 4));
    for (int i = 1; i <= n; ++i) {
      lua_rawgeti(L, 4, i);
      values.push_back(to_cell(L, -1, "t:filter: value " + std::to_string(i)));
      lua_pop(L, 1);
    }
  } else {
    if (lua_istable(L, 4)) usage(std::string("t:filter: '") + op_name + "' takes one value; use 'in' for a list");
    values.push_back(to_cell(L, 4, "t:filter: value"));
  }
  push_table(L, t.filter(col, *op, values));
  return 1;
}

int l_sort(lua_State* L) {
  Table& t = *check_table(L, 1);
  std::vector<SortKey> keys;
  if (lua_type(L, 2) == LUA_TSTRING) {
    bool desc = lua_isnoneornil(L, 3) ? false : check_direction(luaL_checkstring(L, 3), "t:sort");
    keys.push_back({lua_tostring(L, 2), desc});
  } else if (lua_istable(L, 2)) {
    int n = static_cast<int>(lua_objlen(L, 2));
    for (int i = 1; i <= n; ++i) {
      lua_rawgeti(L, 2, i);
      if (lua_type(L, -1) == LUA_TSTRING) {
        keys.push_back({lua_tostring(L, -1), false});
      } else if (lua_istable(L, -1)) {
        lua_rawgeti(L, -1, 1);
        lua_rawgeti(L, -2, 2);
        if (lua_type(L, -2) != LUA_TSTRING) usage("t:sort: key " + std::to_string(i) + " must be {name, \"asc\"|\"desc\"}");
        bool desc = lua_isnil(L, -1) ? false : check_direction(lua_tostring(L, -1) ? lua_tostring(L, -1) : "?", "t:sort");
        keys.push_back({lua_tostring(L, -2), desc});
        lua_pop(L, 2);
      } else {
        usage("t:sort: key " + std::to_string(i) + " must be a name or {name, direction}");
      }
      lua_pop(L, 1);
    }
    if (keys.empty()) usage("t:sort: name at least one column");
  } else {
    usage("t:sort: expected a column name or a list of keys");
  }
  push_table(L, t.sort(keys));
  return 1;
}

int l_top(lua_State* L) {
  Table& t = *check_table(L, 1);
  lua_Integer n = luaL_checkinteger(L, 2);
  const char* col = luaL_checkstring(L, 3);
  if (n < 0) usage("t:top: n must be 0 or more");
  push_table(L, t.top(static_cast<std::size_t>(n), col));
  return 1;
}

int l_head(lua_State* L) {
  Table& t = *check_table(L, 1);
  lua_Integer n = luaL_optinteger(L, 2, 10);
  if (n < 0) usage("t:head: n must be 0 or more");
  push_table(L, t.head(static_cast<std::size_t>(n)));
  return 1;
}

int l_select(lua_State* L) {
  Table& t = *check_table(L, 1);
  std::vector<std::string> names;
  if (lua_istable(L, 2)) {
    names = names_arg(L, 2, "t:select", false);
  } else {
    for (int i = 2; i <= lua_gettop(L); ++i) names.emplace_back(luaL_checkstring(L, i));
    if (names.empty()) usage("t:select: name at least one column");
  }
  push_table(L, t.select(names));
  return 1;
}

int l_derive(lua_State* L) {
  Table& t = *check_table(L, 1);
  const char* name = luaL_checkstring(L, 2);
  bool is_fn = lua_isfunction(L, 3);
  if (!is_fn && lua_type(L, 3) != LUA_TSTRING)
    usage("t:derive: expected a function(row, i) or an expression string as argument 2");
  check_opts(L, 4);
  int top = lua_gettop(L);
  if (!is_fn) {
    std::size_t len;
    const char* expr = lua_tolstring(L, 3, &len);
    std::string chunk = "return " + std::string(expr, len);
    if (luaL_loadbuffer(L, chunk.data(), chunk.size(), "=derive") != 0) {
      std::string msg = lua_tostring(L, -1) ? lua_tostring(L, -1) : "syntax error";
      lua_pop(L, 1);
      usage("t:derive: cannot compile expression '" + std::string(expr, len) + "': " + msg);
    }
    // Environment metatable: names that are not columns come from the globals (math, ...).
    lua_createtable(L, 0, 1);
    lua_pushvalue(L, LUA_GLOBALSINDEX);
    lua_setfield(L, -2, "__index");
  }
  int fn_idx = is_fn ? 3 : top + 1;
  int env_mt = top + 2;
  std::string where = std::string("t:derive '") + name + "'";
  int status = 0;
  {
    ResultColumn out;
    out.col.name = name;
    out.col.role = ColumnRole::derived;
    for (std::size_t i = 0; i < t.row_count() && status == 0; ++i) {
      lua_pushvalue(L, fn_idx);
      if (is_fn) {
        push_row(L, t, i);
        lua_pushinteger(L, static_cast<lua_Integer>(i + 1));
        status = lua_pcall(L, 2, 1, 0);
      } else {
        push_row(L, t, i, true);
        lua_pushvalue(L, env_mt);
        lua_setmetatable(L, -2);
        lua_setfenv(L, -2);
        status = lua_pcall(L, 0, 1, 0);
        if (status != 0) {
          // An expression over a row with nulls gives null there; other failures raise.
          bool row_has_null = false;
          for (const Column& c : t.columns()) row_has_null = row_has_null || c.is_null(i);
          if (row_has_null) {
            lua_pop(L, 1);
            lua_pushnil(L);
            status = 0;
          }
        }
      }
      if (status == 0) {
        out.put(L, -1, i, where);
        lua_pop(L, 1);
      }
    }
    if (status == 0) {
      Column& c = out.col;
      if (c.type == ColumnType::number) {
        MetricStyle st = infer_metric_style(c.name);
        c.format = st.format;
        c.is_rate = st.is_rate;
      } else {
        c.format = DisplayFormat::text;
      }
      std::string fmt = opt_string(L, 4, "format", "t:derive");
      if (!fmt.empty()) {
        auto f = parse_format(fmt);
        if (!f) usage("t:derive: unknown format '" + fmt + "' (use number, currency, percent, latency, throughput, text)");
        c.format = *f;
      }
      get_opt(L, 4, "rate");
      if (!lua_isnil(L, -1)) c.is_rate = lua_toboolean(L, -1) != 0;
      lua_pop(L, 1);
      push_table(L, t.with_column(std::move(c)));
      return 1;
    }
  }
  return lua_error(L);  // the callback's error, unchanged, after `out` is gone
}

// One aggregate spec: "count" or {fn, column[, weight]}.
Aggregate read_agg(lua_State* L, int idx, std::string name) {
  Aggregate a;
  a.name = std::move(name);
  std::string where = "t:group: aggregate '" + a.name + "'";
  std::string fn;
  if (lua_type(L, idx) == LUA_TSTRING) {
    fn = lua_tostring(L, idx);
  } else if (lua_istable(L, idx)) {
    lua_rawgeti(L, idx, 1);
    lua_rawgeti(L, idx, 2);
    lua_rawgeti(L, idx, 3);
    if (lua_type(L, -3) == LUA_TSTRING) fn = lua_tostring(L, -3);
    if (lua_type(L, -2) == LUA_TSTRING) a.column = lua_tostring(L, -2);
    if (lua_type(L, -1) == LUA_TSTRING) a.weight = lua_tostring(L, -1);
    lua_pop(L, 3);
  } else {
    usage(where + ": expected {\"sum\", \"column\"} or \"count\"");
  }
  auto f = parse_agg(fn);
  if (!f) usage(where + ": unknown function '" + fn + "' (use sum, mean, min, max, count, count_distinct, first, wmean)");
  a.fn = *f;
  if (a.column.empty() && a.fn != AggFn::count) usage(where + ": " + fn + " needs a column, e.g. {\"" + fn + "\", \"total_usage\"}");
  return a;
}

int l_group(lua_State* L) {
  Table& t = *check_table(L, 1);
  if (!lua_isnoneornil(L, 3)) luaL_checktype(L, 3, LUA_TTABLE);
  std::vector<std::string> by = names_arg(L, 2, "t:group", true);
  std::vector<Aggregate> aggs;
  if (lua_isnoneornil(L, 3)) {
    // Default: the sum of every number column that is not a key and not a rate.
    for (const Column& c : t.columns())
      if (c.type == ColumnType::number && !c.is_rate && std::find(by.begin(), by.end(), c.name) == by.end())
        aggs.push_back({c.name, AggFn::sum, c.name, {}});
  } else if (lua_objlen(L, 3) > 0) {
    int n = static_cast<int>(lua_objlen(L, 3));
    for (int i = 1; i <= n; ++i) {
      lua_rawgeti(L, 3, i);
      if (!lua_istable(L, -1)) usage("t:group: aggregate " + std::to_string(i) + " must be {name, fn, column[, weight]}");
      lua_rawgeti(L, -1, 1);
      std::string name = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "";
      lua_pop(L, 1);
      if (name.empty()) usage("t:group: aggregate " + std::to_string(i) + " must start with its output name");
      // {name, fn, column, weight}: shift by one into a temporary spec.
      lua_createtable(L, 3, 0);
      for (int k = 2; k <= 4; ++k) {
        lua_rawgeti(L, -2, k);
        lua_rawseti(L, -2, k - 1);
      }
      aggs.push_back(read_agg(L, lua_gettop(L), name));
      lua_pop(L, 2);
    }
  } else {
    lua_pushnil(L);
    while (lua_next(L, 3)) {
      if (lua_type(L, -2) != LUA_TSTRING) usage("t:group: aggregates are named: {spend = {\"sum\", \"total_usage\"}}");
      aggs.push_back(read_agg(L, lua_gettop(L), lua_tostring(L, -2)));
      lua_pop(L, 1);
    }
    std::sort(aggs.begin(), aggs.end(), [](const Aggregate& a, const Aggregate& b) { return a.name < b.name; });
  }
  push_table(L, t.group(by, aggs));
  return 1;
}

int l_pivot(lua_State* L) {
  Table& t = *check_table(L, 1);
  const char* row = luaL_checkstring(L, 2);
  const char* col = luaL_checkstring(L, 3);
  const char* value = luaL_checkstring(L, 4);
  const char* agg_name = luaL_optstring(L, 5, nullptr);
  std::optional<AggFn> agg;
  if (agg_name) {
    agg = parse_agg(agg_name);
    if (!agg) usage(std::string("t:pivot: unknown aggregate '") + agg_name + "' (use sum, mean, min, max, count, first)");
  }
  push_table(L, t.pivot(row, col, value, agg));
  return 1;
}

int l_join(lua_State* L) {
  Table& t = *check_table(L, 1);
  Table& other = *check_table(L, 2);
  const char* how = luaL_optstring(L, 4, "inner");
  JoinKind kind;
  if (std::strcmp(how, "inner") == 0)
    kind = JoinKind::inner;
  else if (std::strcmp(how, "left") == 0)
    kind = JoinKind::left;
  else if (std::strcmp(how, "right") == 0)
    kind = JoinKind::right;
  else if (std::strcmp(how, "outer") == 0 || std::strcmp(how, "full") == 0)
    kind = JoinKind::outer;
  else
    usage(std::string("t:join: how must be \"inner\", \"left\", \"right\" or \"outer\", got \"") + how + "\"");
  std::vector<std::string> on = names_arg(L, 3, "t:join", false);
  push_table(L, t.join(other, on, kind));
  return 1;
}

// opts[key] as a list of column names (a name or a list), or nullopt when absent.
std::optional<std::vector<std::string>> opt_names(lua_State* L, int idx, const char* key, const char* where) {
  std::optional<std::vector<std::string>> out;
  get_opt(L, idx, key);
  if (!lua_isnil(L, -1)) out = names_arg(L, lua_gettop(L), where, true);
  lua_pop(L, 1);
  return out;
}

int l_share(lua_State* L) {
  Table& t = *check_table(L, 1);
  const char* col = luaL_checkstring(L, 2);
  check_opts(L, 3);
  bool partial = opt_bool(L, 3, "partial");
  auto by = opt_names(L, 3, "by", "t:share: by").value_or(std::vector<std::string>{});
  push_table(L, t.share(col, by, partial));
  return 1;
}

int l_change(lua_State* L) {
  Table& t = *check_table(L, 1);
  const char* col = luaL_checkstring(L, 2);
  check_opts(L, 3);
  auto by = opt_names(L, 3, "by", "t:change: by");
  std::string time = opt_string(L, 3, "time", "t:change");
  push_table(L, t.change(col, by, time));
  return 1;
}

int l_sum(lua_State* L) {
  Table& t = *check_table(L, 1);
  const char* col = luaL_checkstring(L, 2);
  check_opts(L, 3);
  auto s = t.sum(col, opt_bool(L, 3, "partial"));
  if (s)
    lua_pushnumber(L, *s);
  else
    push_null(L);
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

// t:rename("old", "new") or t:rename{old = "new", ...}
int l_rename(lua_State* L) {
  Table& t = *check_table(L, 1);
  std::vector<std::pair<std::string, std::string>> renames;
  if (lua_type(L, 2) == LUA_TSTRING) {
    renames.emplace_back(lua_tostring(L, 2), luaL_checkstring(L, 3));
  } else if (lua_istable(L, 2)) {
    lua_pushnil(L);
    while (lua_next(L, 2)) {
      if (lua_type(L, -2) != LUA_TSTRING || lua_type(L, -1) != LUA_TSTRING) {
        lua_pop(L, 2);
        usage("t:rename: expected {old = \"new\", ...} with names on both sides");
      }
      renames.emplace_back(lua_tostring(L, -2), lua_tostring(L, -1));
      lua_pop(L, 1);
    }
    std::sort(renames.begin(), renames.end());
    if (renames.empty()) usage("t:rename: name at least one column to rename");
  } else {
    usage("t:rename: expected (\"old\", \"new\") or {old = \"new\", ...}");
  }
  push_table(L, t.rename(renames));
  return 1;
}

// --- constructors -----------------------------------------------------------------------

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

void apply_meta(lua_State* L, int idx, TableMeta& m) {
  auto num = [&](const char* key) -> std::optional<double> {
    lua_getfield(L, idx, key);
    std::optional<double> v;
    if (lua_isnumber(L, -1)) v = lua_tonumber(L, -1);
    lua_pop(L, 1);
    return v;
  };
  lua_getfield(L, idx, "truncated");
  m.truncated = lua_toboolean(L, -1) != 0;
  lua_pop(L, 1);
  if (auto v = num("row_count")) m.row_count = static_cast<std::int64_t>(*v);
  if (auto v = num("limit")) m.limit = static_cast<std::int64_t>(*v);
  if (auto v = num("query_time_ms")) m.query_time_ms = *v;
  if (auto v = num("cached_at")) m.cached_at = static_cast<std::int64_t>(*v);
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
  lua_getfield(L, idx, "source");
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
  get_opt(L, 2, "columns");
  if (!lua_isnil(L, -1)) order = names_arg(L, lua_gettop(L), "core.table: columns", true);
  lua_pop(L, 1);
  for (auto& name : order) t.column(name);  // unknown names raise with suggestions
  order_columns(t, order);

  get_opt(L, 2, "formats");
  if (lua_istable(L, -1)) {
    int fi = lua_gettop(L);
    lua_pushnil(L);
    while (lua_next(L, fi)) {
      if (lua_type(L, -2) != LUA_TSTRING || lua_type(L, -1) != LUA_TSTRING)
        usage("core.table: formats must map column names to format names");
      std::string cname = lua_tostring(L, -2), fname = lua_tostring(L, -1);
      auto f = parse_format(fname);
      if (!f) usage("core.table: unknown format '" + fname + "' (use number, currency, percent, latency, throughput, text)");
      t.column(cname);
      for (auto& c : t.columns_mut())
        if (c.name == cname) c.format = *f;
      lua_pop(L, 1);
    }
  }
  lua_pop(L, 1);
  get_opt(L, 2, "rates");
  if (lua_istable(L, -1)) {
    int ri = lua_gettop(L);
    lua_pushnil(L);
    while (lua_next(L, ri)) {
      // {"a", "b"} or {a = true, b = false}
      std::string cname = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : (lua_isstring(L, -1) ? lua_tostring(L, -1) : "");
      bool rate = lua_type(L, -2) == LUA_TSTRING ? lua_toboolean(L, -1) != 0 : true;
      t.column(cname);
      for (auto& c : t.columns_mut())
        if (c.name == cname) c.is_rate = rate;
      lua_pop(L, 1);
    }
  }
  lua_pop(L, 1);
  get_opt(L, 2, "meta");
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
  get_opt(L, 2, "request");
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
      {"filter", entry<l_filter>},
      {"sort", entry<l_sort>},
      {"top", entry<l_top>},
      {"head", entry<l_head>},
      {"select", entry<l_select>},
      {"derive", entry<l_derive>},
      {"group", entry<l_group>},
      {"pivot", entry<l_pivot>},
      {"join", entry<l_join>},
      {"share", entry<l_share>},
      {"change", entry<l_change>},
      {"sum", entry<l_sum>},
      {"format", entry<l_format>},
      {"to_csv", entry<l_to_text<&Table::to_csv>>},
      {"to_json", entry<l_to_text<&Table::to_json>>},
      {"to_markdown", entry<l_to_text<&Table::to_markdown>>},
      {"write", entry<l_write>},
      {"plot", entry<l_plot>},
      {"rename", entry<l_rename>},
      {nullptr, nullptr},
  };
  new_class(L, kTableMeta, methods, ctx);
  // Rows by index and the meta/columns fields come before methods; unknown keys raise.
  lua_pushlightuserdata(L, ctx);
  lua_pushcclosure(L, entry<l_index>, 1);
  lua_setfield(L, -2, "__index");
  lua_pop(L, 1);

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
