// api_binding.cpp: the API half of the `orscript.core` C module.
//
// Owns: submitting endpoint calls from Lua (`core.submit(name, args)` → an
// `orscript.Pending` userdata holding the client's Ticket; name, path/query/body split,
// result kind and the --dry-run refusal of state-changing calls all come from the
// endpoint table, host/net/endpoint_table.hpp, which `core.endpoints()` hands to Lua),
// waiting for one or many of them and turning the responses into Lua values (result
// tables for the tabular endpoints, plain tables for the others), installing the
// catalogue in HostContext::schema (core.set_schema), and the small host services the Lua library needs (clock, JSON, cache
// directory, account label, structured errors raised from Lua). Does not own: query
// checks, planning or time arithmetic (scripts/orscript/*.lua), the HTTP client
// (host/net) or the table engine (host/core/table*, bindings/table_binding).
#include <boost/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstdio>
#include <memory>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bindings/binding.hpp"
#include "bindings/host_context.hpp"
#include "bindings/lua_json.hpp"
#include "bindings/modules.hpp"
#include "host/core/file_io.hpp"
#include "host/core/iso_time.hpp"
#include "host/core/json_text.hpp"

#include "bindings/table_binding.hpp"
#include "host/core/table.hpp"
#include "host/net/endpoint_table.hpp"

namespace orscript::lua {
namespace {

constexpr const char* kPendingMeta = "orscript.Pending";

// One submitted call. Paged endpoints are fetched whole at wait time (the client's
// call_all follows the pages), so they hold their parameters instead of a ticket.
struct Pending {
  const net::EndpointSpec* spec = nullptr;
  net::ApiClient::Ticket ticket;
  boost::json::object body;  // the JSON body (query, PATCH, PUT)
  net::Params params;        // query-string and path parameters
  std::optional<net::Response> response;
};
static_assert(alignof(Pending) <= 8, "LuaJIT aligns userdata payloads to 8 bytes only");

bool is_paged(const Pending& p) { return p.spec->paging.paged; }

Pending* check_pending(lua_State* L, int idx) {
  return static_cast<Pending*>(luaL_checkudata(L, idx, kPendingMeta));
}

// Query-string text of a parameter value; throws usage for anything but a scalar.
std::string param_text(const boost::json::value& v, const std::string& key) {
  if (v.is_string()) return std::string(v.get_string());
  if (v.is_bool()) return v.get_bool() ? "true" : "false";
  if (v.is_int64() || v.is_uint64()) return boost::json::serialize(v);
  if (v.is_double()) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", v.get_double());
    return buf;
  }
  throw Error(ErrorKind::usage, "invalid parameter '" + key + "': expected a string, number or boolean");
}

// The Lua table at `idx` as a JSON object (an empty table is an empty object).
boost::json::value to_json_object(lua_State* L, int idx) {
  boost::json::value v = to_json(L, idx);
  if (v.is_array() && v.get_array().empty()) return boost::json::object();
  if (!v.is_object()) throw Error(ErrorKind::usage, "parameters must be a table with string keys");
  return v;
}

// The response's `data` member, or the response itself when it has none.
const boost::json::value& data_of(const boost::json::value& v) {
  if (auto* o = v.if_object())
    if (auto* d = o->if_contains("data")) return *d;
  return v;
}

// Pushes the Lua value for a finished call.
void push_result(lua_State* L, HostContext& ctx, Pending& p, bool raw) {
  const net::Response& r = *p.response;
  if (r.dry_run || r.json.is_null()) {  // --dry-run: nothing came back
    // Tabular endpoints give an empty table (the query's columns, meta.dry_run = true)
    // so a script that goes on with its result still runs; `raw` callers (the
    // planner) and the plain endpoints get nil.
    if (!raw && (p.spec->result == net::ResultKind::query || p.spec->result == net::ResultKind::rows)) {
      boost::json::object data{{"data", boost::json::array()}, {"dry_run", true}};
      Table t = p.spec->result == net::ResultKind::query
                    ? from_analytics(boost::json::value(data), p.body, ctx.schema.get())
                    : from_rows(boost::json::value(data), p.spec->name);
      t.meta.extra["dry_run"] = true;
      t.meta.row_count.reset();
      push_table(L, std::move(t));
      return;
    }
    lua_pushnil(L);
    return;
  }
  if (raw) {
    push_json(L, r.json);
    return;
  }
  switch (p.spec->result) {
    case net::ResultKind::meta:  // installed by schema.lua through core.set_schema
      push_json(L, data_of(r.json));
      return;
    case net::ResultKind::object: push_json(L, data_of(r.json)); return;
    case net::ResultKind::query: push_table(L, from_analytics(r.json, p.body, ctx.schema.get())); return;
    case net::ResultKind::rows: push_table(L, from_rows(r.json, p.spec->name)); return;
  }
}

// --- core.submit(endpoint, args) -> orscript.Pending -----------------------------------
// `args`: the query body (endpoint "query"), else the endpoint's parameters by wire name,
// split into path, query-string and body parameters by the endpoint table.
int l_submit(lua_State* L) {
  const char* name = luaL_checkstring(L, 1);
  const net::EndpointSpec* ep = net::find_endpoint(name);
  if (!ep) {
    std::string known;
    for (auto& e : net::endpoint_table()) known += (known.empty() ? "" : ", ") + std::string(e.name);
    throw Error(ErrorKind::usage, std::string("unknown endpoint '") + name + "' (expected one of " + known + ")");
  }
  HostContext& ctx = context(L);
  boost::json::object body;
  net::Params params;
  if (ep->result == net::ResultKind::query) {
    luaL_checktype(L, 2, LUA_TTABLE);
    boost::json::value v = to_json(L, 2);
    if (!v.is_object()) throw Error(ErrorKind::usage, "a query body must be a table with named fields");
    body = std::move(v.get_object());
  } else if (!lua_isnoneornil(L, 2)) {
    luaL_checktype(L, 2, LUA_TTABLE);
    boost::json::value v = to_json_object(L, 2);
    for (auto& [k, value] : v.get_object()) {
      const net::ParamSpec* ps = net::find_param(*ep, k);
      if (!ps) throw Error(ErrorKind::usage, std::string(name) + ": unknown parameter '" + std::string(k) + "'");
      if (ps->in == net::ParamIn::body)
        body[k] = value;
      else
        params.emplace_back(std::string(k), param_text(value, std::string(k)));
    }
    std::sort(params.begin(), params.end());
  }
  for (auto& ps : ep->params)
    if (ps.required && !body.contains(ps.name) &&
        std::none_of(params.begin(), params.end(), [&](auto& kv) { return kv.first == ps.name; }))
      throw Error(ErrorKind::usage, std::string(name) + ": missing '" + ps.name + "'");
  if (ep->changes_state() && ctx.client_options.dry_run)
    throw Error(ErrorKind::usage, std::string(name) + " (" + ep->method + " " + ep->path +
                                      ") changes the account: refused under --dry-run; run without --dry-run to apply it");
  net::ApiClient::Ticket t;
  if (!ep->paging.paged)
    t = ctx.api().call(ep->name, params, body.empty() && ep->result != net::ResultKind::query &&
                                                 std::none_of(ep->params.begin(), ep->params.end(),
                                                              [](auto& ps) { return ps.in == net::ParamIn::body; })
                                             ? std::string()
                                             : to_json_text(body));
  void* mem = lua_newuserdata(L, sizeof(Pending));
  new (mem) Pending{ep, std::move(t), std::move(body), std::move(params), std::nullopt};
  luaL_getmetatable(L, kPendingMeta);
  lua_setmetatable(L, -2);
  return 1;
}

// --- core.endpoints() -> {name = {method, path, key, family, result, paged, params = {...}}}
// The endpoint table as Lua values: endpoints.lua checks parameters from it and
// tools/gen_annotations.lua writes the LuaLS annotations from it.
int l_endpoints(lua_State* L) {
  boost::json::object all;
  for (auto& e : net::endpoint_table()) {
    boost::json::array params;
    for (auto& p : e.params) {
      boost::json::object o{{"name", p.name}, {"kind", net::kind_name(p.kind)}, {"in", net::kind_name(p.in)},
                            {"required", p.required}, {"nullable", p.nullable}, {"doc", p.doc}};
      if (p.kind == net::ParamKind::integer) o["lo"] = p.lo, o["hi"] = p.hi;
      if (p.kind == net::ParamKind::number) o["lo"] = p.lo;
      if (p.kind == net::ParamKind::one_of) {
        boost::json::array values;
        std::string_view rest = p.values;
        while (!rest.empty()) {
          auto bar = rest.find('|');
          values.emplace_back(rest.substr(0, bar));
          rest = bar == std::string_view::npos ? std::string_view() : rest.substr(bar + 1);
        }
        o["values"] = std::move(values);
      }
      params.push_back(std::move(o));
    }
    all[e.name] = boost::json::object{
        {"name", e.name}, {"method", e.method}, {"path", e.path}, {"key", net::kind_name(e.key)},
        {"family", e.family}, {"result", net::kind_name(e.result)}, {"paged", e.paging.paged},
        {"changes_state", e.changes_state()}, {"doc", e.doc}, {"params", std::move(params)}};
  }
  push_json(L, all);
  return 1;
}

void fetch_paged(HostContext& ctx, Pending& p) { p.response = ctx.api().call_all(p.spec->name, p.params); }

// --- core.wait(p [, raw]) -> result ------------------------------------------------------
int l_wait(lua_State* L) {
  Pending* p = check_pending(L, 1);
  bool raw = lua_toboolean(L, 2);
  HostContext& ctx = context(L);
  if (!p->response) {
    if (is_paged(*p))
      fetch_paged(ctx, *p);
    else
      p->response = ctx.api().wait(p->ticket);
  }
  push_result(L, ctx, *p, raw);
  return 1;
}

// --- core.wait_all({p1, p2, ...} [, raw]) -> {r1, r2, ...} --------------------------------
int l_wait_all(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  bool raw = lua_toboolean(L, 2);
  HostContext& ctx = context(L);
  int n = static_cast<int>(lua_objlen(L, 1));
  std::vector<Pending*> all;
  all.reserve(n);
  for (int i = 1; i <= n; ++i) {
    lua_rawgeti(L, 1, i);
    auto* p = static_cast<Pending*>(luaL_testudata(L, -1, kPendingMeta));
    lua_pop(L, 1);
    if (!p)
      throw Error(ErrorKind::usage, "wait_all: item " + std::to_string(i) + " is not a pending request (orscript.Pending)");
    all.push_back(p);
  }
  {
    std::vector<net::ApiClient::Ticket> tickets;
    std::vector<Pending*> waiting;
    for (auto* p : all)
      if (!p->response && !is_paged(*p)) {
        tickets.push_back(p->ticket);
        waiting.push_back(p);
      }
    if (!tickets.empty()) {
      std::vector<net::Response> responses = ctx.api().wait_all(tickets);
      for (std::size_t i = 0; i < waiting.size() && i < responses.size(); ++i)
        waiting[i]->response = std::move(responses[i]);
    }
    for (auto* p : all)
      if (!p->response && is_paged(*p)) fetch_paged(ctx, *p);
  }
  lua_createtable(L, n, 0);
  for (int i = 0; i < n; ++i) {
    push_result(L, ctx, *all[i], raw);
    lua_rawseti(L, -2, i + 1);
  }
  return 1;
}

// --- orscript.Pending methods -------------------------------------------------------------
int l_pending_gc(lua_State* L) {
  auto* p = static_cast<Pending*>(luaL_checkudata(L, 1, kPendingMeta));
  p->~Pending();
  return 0;
}

int l_pending_tostring(lua_State* L) {
  Pending* p = check_pending(L, 1);
  lua_pushfstring(L, "orscript.Pending(%s%s)", p->spec->name, p->response ? ", done" : "");
  return 1;
}

int l_pending_endpoint(lua_State* L) {
  lua_pushstring(L, check_pending(L, 1)->spec->name);
  return 1;
}

// Rows merged in Lua lose their key order; put it back the way the API writes rows:
// the time bucket, the dimensions (user_email after user), the metrics, then the rest.
void order_rows(boost::json::value& response, const boost::json::object& request) {
  boost::json::value* d = &response;
  if (auto* o = d->if_object())
    if (auto* inner = o->if_contains("data"); inner && inner->is_object()) d = inner;
  auto* rows = d->is_object() ? d->get_object().if_contains("data") : nullptr;
  if (!rows || !rows->is_array()) return;
  std::vector<std::string> names;
  for (const char* section : {"dimensions", "metrics"}) {
    auto* list = request.if_contains(section);
    if (!list || !list->is_array()) continue;
    for (auto& n : list->get_array())
      if (n.is_string()) {
        names.emplace_back(n.get_string());
        if (n.get_string() == "user") names.emplace_back("user_email");
      }
  }
  for (auto& row : rows->get_array()) {
    if (!row.is_object()) continue;
    auto& in = row.get_object();
    boost::json::object out;
    out.reserve(in.size());
    for (auto& kv : in)
      if (kv.key().starts_with("date__") || kv.key().starts_with("created_at__")) out[kv.key()] = kv.value();
    for (auto& n : names)
      if (auto* v = in.if_contains(n)) out[n] = *v;
    for (auto& kv : in)
      if (!out.contains(kv.key())) out[kv.key()] = kv.value();
    row = std::move(out);
  }
}

// --- core.to_table(endpoint, response [, request]) -> orscript.Table ---------------------
// Builds a result table from a response held as Lua values (the planner merges raw
// responses in Lua and hands the merged one back here).
int l_to_table(lua_State* L) {
  std::string name = luaL_checkstring(L, 1);
  luaL_checkany(L, 2);
  boost::json::value response = to_json(L, 2);
  boost::json::object request;
  if (!lua_isnoneornil(L, 3)) {
    boost::json::value v = to_json(L, 3);
    if (v.is_object()) request = std::move(v.get_object());
  }
  HostContext& ctx = context(L);
  if (name == "query") {
    order_rows(response, request);
    Table t = from_analytics(response, request, ctx.schema.get());
    // The planner's account of how the result was assembled: t.meta.plan.
    if (auto* plan = data_of(response).is_object() ? data_of(response).get_object().if_contains("plan") : nullptr)
      t.meta.extra["plan"] = *plan;
    push_table(L, std::move(t));
  } else
    push_table(L, from_rows(response, name));
  return 1;
}

// --- core.set_schema(meta) -> catalogue -----------------------------------------------------
// Installs a catalogue (fetched, or read from the disk cache) so result tables format by
// it, and returns it as Schema::from_meta read it: {metrics = {{name, label, format,
// is_rate}}, dimensions/granularities = {{name, label}}, operators = {{name,
// value_type}}}. scripts/orscript/schema.lua builds orscript.Schema on that, so the
// response is read in one place.
void push_items(lua_State* L, const std::vector<NamedItem>& items, const char* second) {
  lua_createtable(L, static_cast<int>(items.size()), 0);
  for (std::size_t i = 0; i < items.size(); ++i) {
    lua_createtable(L, 0, 2);
    lua_pushlstring(L, items[i].name.data(), items[i].name.size());
    lua_setfield(L, -2, "name");
    lua_pushlstring(L, items[i].label.data(), items[i].label.size());
    lua_setfield(L, -2, second);
    lua_rawseti(L, -2, static_cast<int>(i + 1));
  }
}

int l_set_schema(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  auto schema = std::make_shared<const Schema>(Schema::from_meta(to_json(L, 1)));
  context(L).schema = schema;
  lua_createtable(L, 0, 4);
  lua_createtable(L, static_cast<int>(schema->metrics.size()), 0);
  for (std::size_t i = 0; i < schema->metrics.size(); ++i) {
    const MetricInfo& m = schema->metrics[i];
    lua_createtable(L, 0, 4);
    lua_pushlstring(L, m.name.data(), m.name.size());
    lua_setfield(L, -2, "name");
    lua_pushlstring(L, m.label.data(), m.label.size());
    lua_setfield(L, -2, "label");
    lua_pushlstring(L, m.display_format.data(), m.display_format.size());
    lua_setfield(L, -2, "format");
    lua_pushboolean(L, m.is_rate);
    lua_setfield(L, -2, "is_rate");
    lua_rawseti(L, -2, static_cast<int>(i + 1));
  }
  lua_setfield(L, -2, "metrics");
  push_items(L, schema->dimensions, "label");
  lua_setfield(L, -2, "dimensions");
  push_items(L, schema->operators, "value_type");
  lua_setfield(L, -2, "operators");
  push_items(L, schema->granularities, "label");
  lua_setfield(L, -2, "granularities");
  return 1;
}

// --- small host services -------------------------------------------------------------------
int l_now(lua_State* L) {
  lua_pushnumber(L, static_cast<lua_Number>(context(L).now()));
  return 1;
}

int l_json_encode(lua_State* L) {
  luaL_checkany(L, 1);
  std::string text = to_json_text(to_json(L, 1));
  lua_pushlstring(L, text.data(), text.size());
  return 1;
}

int l_json_decode(lua_State* L) {
  std::size_t n;
  const char* s = luaL_checklstring(L, 1, &n);
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(boost::json::string_view(s, n), ec);
  if (ec) throw Error(ErrorKind::usage, "json_decode: invalid JSON: " + ec.message());
  push_json(L, v);
  return 1;
}

// core.parse_time(text) -> Unix ms, or nil and the reason: the one ISO-8601 parser
// (host/core/iso_time.hpp), shared with --now and the simulator.
int l_parse_time(lua_State* L) {
  std::size_t n;
  const char* s = luaL_checklstring(L, 1, &n);
  std::string why;
  if (auto ms = parse_iso8601(std::string_view(s, n), &why)) {
    lua_pushnumber(L, static_cast<lua_Number>(*ms));
    return 1;
  }
  lua_pushnil(L);
  lua_pushlstring(L, why.data(), why.size());
  return 2;
}

// core.base_url() -> the API base this process talks to ("" before a client is set up).
int l_base_url(lua_State* L) {
  const std::string& url = context(L).client_options.base_url;
  lua_pushlstring(L, url.data(), url.size());
  return 1;
}

// core.write_file(path, text [, make_dirs]): writes whole or not at all (temporary file,
// then rename); raises a usage error naming the path and the cause.
int l_write_file(lua_State* L) {
  std::string path = luaL_checkstring(L, 1);
  std::size_t n;
  const char* text = luaL_checklstring(L, 2, &n);
  write_file_atomic(path, std::string_view(text, n), lua_toboolean(L, 3) != 0);
  return 0;
}

// core.read_file(path, max_bytes) -> text, or nil and the reason (not a regular file,
// larger than max_bytes, missing): never blocks on a FIFO, never reads without bound.
int l_read_file(lua_State* L) {
  std::string path = luaL_checkstring(L, 1);
  const lua_Number cap = luaL_checknumber(L, 2);
  std::string why;
  auto text = try_read_file_capped(path, cap > 0 && cap < 1e12 ? static_cast<std::size_t>(cap) : 0, &why);
  if (!text) {
    lua_pushnil(L);
    lua_pushlstring(L, why.data(), why.size());
    return 2;
  }
  lua_pushlstring(L, text->data(), text->size());
  return 1;
}

int l_cache_dir(lua_State* L) {
  const std::string& dir = context(L).cache_dir;
  if (dir.empty())
    lua_pushnil(L);
  else
    lua_pushlstring(L, dir.data(), dir.size());
  return 1;
}

int l_lib_dir(lua_State* L) {
  const std::string& dir = context(L).lib_dir;
  lua_pushlstring(L, dir.data(), dir.size());
  return 1;
}

int l_account(lua_State* L) {
  HostContext& ctx = context(L);
  std::string label = ctx.account_label();
  lua_pushlstring(L, label.data(), label.size());
  lua_pushlstring(L, ctx.demo_description.data(), ctx.demo_description.size());
  return 2;
}

int l_dry_run(lua_State* L) {
  lua_pushboolean(L, context(L).client_options.dry_run);
  return 1;
}

int l_stats(lua_State* L) {
  HostContext& ctx = context(L);
  net::ApiClient::Stats s;
  if (ctx.has_client()) s = ctx.api().stats();
  lua_createtable(L, 0, 3);
  lua_pushnumber(L, static_cast<lua_Number>(s.requests_sent));
  lua_setfield(L, -2, "requests");
  lua_pushnumber(L, static_cast<lua_Number>(s.connections_opened));
  lua_setfield(L, -2, "connections");
  lua_pushnumber(L, static_cast<lua_Number>(s.retries));
  lua_setfield(L, -2, "retries");
  return 1;
}

// core.error(kind, message [, level]): raises a structured orscript.Error whose `where`
// is the position `level` up the Lua stack (1 = the caller of core.error, as `error`).
// Registered without the trampoline: it raises a Lua error and holds no C++ objects.
int l_error(lua_State* L) {
  const char* kind = luaL_checkstring(L, 1);
  std::size_t n;
  const char* msg = luaL_checklstring(L, 2, &n);
  int level = static_cast<int>(luaL_optinteger(L, 3, 1));
  lua_settop(L, 2);
  push_error(L, kind_from_name(kind), std::string_view(msg, n));
  if (std::string_view(kind) != kind_name(kind_from_name(kind))) {
    lua_pushstring(L, kind);  // keep an unrecognised kind as given
    lua_setfield(L, -2, "kind");
  }
  if (level > 0)
    luaL_where(L, level);
  else
    lua_pushliteral(L, "");
  lua_setfield(L, -2, "where");
  return lua_error(L);
}

// core._test_internal_error(): throws a plain C++ exception through the trampoline, as a
// bug would, so the black-box tests can see exit code 70. Exists only when the environment
// has ORSCRIPT_TEST_HOOKS=1 (never documented as API).
int l_test_internal_error(lua_State*) {
  throw std::logic_error("deliberate internal error from the ORSCRIPT_TEST_HOOKS test hook");
}

}  // namespace

void register_api(lua_State* L, HostContext* ctx) {
  static const luaL_Reg pending_methods[] = {
      {"wait", entry<l_wait>},
      {"endpoint", entry<l_pending_endpoint>},
      {"__tostring", entry<l_pending_tostring>},
      {"__gc", l_pending_gc},
      {nullptr, nullptr},
  };
  new_class(L, kPendingMeta, pending_methods, ctx);
  lua_pop(L, 1);

  static const luaL_Reg functions[] = {
      {"submit", entry<l_submit>},
      {"endpoints", entry<l_endpoints>},
      {"wait", entry<l_wait>},
      {"wait_all", entry<l_wait_all>},
      {"to_table", entry<l_to_table>},
      {"set_schema", entry<l_set_schema>},
      {"now", entry<l_now>},
      {"json_encode", entry<l_json_encode>},
      {"json_decode", entry<l_json_decode>},
      {"parse_time", entry<l_parse_time>},
      {"base_url", entry<l_base_url>},
      {"write_file", entry<l_write_file>},
      {"read_file", entry<l_read_file>},
      {"cache_dir", entry<l_cache_dir>},
      {"lib_dir", entry<l_lib_dir>},
      {"account", entry<l_account>},
      {"dry_run", entry<l_dry_run>},
      {"stats", entry<l_stats>},
      {"error", l_error},
      {nullptr, nullptr},
  };
  lua_pushlightuserdata(L, ctx);
  luaL_setfuncs(L, functions, 1);
  if (const char* hooks = std::getenv("ORSCRIPT_TEST_HOOKS"); hooks && std::string_view(hooks) == "1") {
    lua_pushcfunction(L, entry<l_test_internal_error>);
    lua_setfield(L, -2, "_test_internal_error");
  }
}

}  // namespace orscript::lua
