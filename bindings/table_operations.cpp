// table_operations.cpp: the immutable operations on orscript.Table.
//
// Owns: `t:filter`, `t:sort`, `t:top`, `t:head`, `t:select`, `t:derive`, `t:group`,
// `t:pivot`, `t:join`, `t:share`, `t:change`, `t:sum` and `t:rename`: each checks its
// Lua arguments first, calls the table engine (host/core/table.hpp, which returns a new
// table or throws orscript::Error) and pushes the result. Callbacks into Lua (filter
// and derive functions) run under lua_pcall; a failing callback's error value is
// re-raised unchanged, but only after every C++ object of the binding has been
// destroyed.
#include <algorithm>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "bindings/binding.hpp"
#include "bindings/host_context.hpp"
#include "bindings/table_binding.hpp"
#include "host/core/error.hpp"

namespace orscript::lua {
namespace {

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
      if (!fmt.empty()) c.format = format_arg(fmt, "t:derive");
      push_opt(L, 4, "rate");
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
  push_opt(L, idx, key);
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

}  // namespace

void add_table_operations(lua_State* L, HostContext* ctx) {
  static const luaL_Reg methods[] = {
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
      {"rename", entry<l_rename>},
      {nullptr, nullptr},
  };
  lua_pushlightuserdata(L, ctx);
  luaL_setfuncs(L, methods, 1);
}

}  // namespace orscript::lua
