// repl_schema.cpp: the analytics catalogue as the REPL uses it (string completion and
// .schema). Taken from HostContext::schema when the API binding has fetched it, else
// from orscript.meta() (which reads the on-disk cache or fetches) under the protected
// path. Also the list of 31-day fields (spec §3.4/§3.5) and the .schema listing.
#include <algorithm>
#include <array>
#include <cctype>
#include <utility>
#include <cstdio>
#include <string>

#include "bindings/host_context.hpp"
#include "bindings/runtime.hpp"
#include "host/app/repl_session.hpp"
#include "host/core/interrupt.hpp"
#include "host/core/schema.hpp"

namespace orscript::repl {
namespace {

// Metrics and dimensions limited to 31-day windows (raw generation data), per the API
// reference §3.4 (metrics) and §3.5 (dimensions). Everything else reaches 365 days.
constexpr std::array<std::string_view, 25> k31Day = {
    // metrics
    "guardrail_invoked_count", "response_cached_count", "openrouter_usage", "byok_fees", "usage_file",
    "usage_upstream_file", "usage_web_fetch", "usage_upstream_web_fetch", "avg_latency", "p50_latency",
    "p90_latency", "p99_latency", "avg_throughput", "p50_throughput", "p90_throughput", "p99_throughput",
    "guardrail_invoked_rate", "response_cached_rate",
    // dimensions
    "generation_id", "provider", "origin", "country", "finish_reason", "external_user", "context_length_bucket"};

// Fills max_days from the Lua library's list (orscript.schema.SHORT_WINDOW) when it
// is loaded, so that the REPL and the query checks agree. Raw access only.
void mark_windows(lua_State* L, SchemaView& v) {
  int top = lua_gettop(L);
  lua_getfield(L, LUA_REGISTRYINDEX, "_LOADED");
  if (lua_istable(L, -1)) {
    lua_pushliteral(L, "orscript.schema");
    lua_rawget(L, -2);
    if (lua_istable(L, -1)) {
      lua_pushliteral(L, "SHORT_WINDOW");
      lua_rawget(L, -2);
      if (lua_istable(L, -1)) {
        int set = lua_gettop(L);
        for (auto* list : {&v.metrics, &v.dimensions})
          for (auto& e : *list) {
            lua_pushlstring(L, e.name.data(), e.name.size());
            lua_rawget(L, set);
            e.max_days = lua_toboolean(L, -1) ? 31 : 365;
            lua_pop(L, 1);
          }
      }
    }
  }
  lua_settop(L, top);
}

std::shared_ptr<SchemaView> from_schema(const Schema& sc) {
  auto v = std::make_shared<SchemaView>();
  for (auto& m : sc.metrics) v->metrics.push_back({m.name, m.label, m.display_format, m.is_rate, 0});
  for (auto& d : sc.dimensions) v->dimensions.push_back({d.name, d.label, "", false, 0});
  for (auto& g : sc.granularities) v->granularities.push_back({g.name, g.label, "", false, 0});
  for (auto& o : sc.operators) v->operators.push_back({o.name, o.label, "", false, 0});
  return v;
}

std::string string_field(lua_State* L, int idx, const char* name) {
  lua_getfield(L, idx, name);
  std::string out = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "";
  lua_pop(L, 1);
  return out;
}

// Reads `list` (a field of the table at 1) into `out`: items are names or tables with
// name, display_label/label, display_format, is_rate/value_type.
void read_list(lua_State* L, const char* list, std::vector<SchemaEntry>& out) {
  lua_getfield(L, 1, list);
  if (lua_istable(L, -1)) {
    int t = lua_gettop(L);
    for (int i = 1;; ++i) {
      lua_rawgeti(L, t, i);
      if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        break;
      }
      SchemaEntry e;
      if (lua_type(L, -1) == LUA_TSTRING) {
        e.name = lua_tostring(L, -1);
      } else if (lua_istable(L, -1)) {
        int item = lua_gettop(L);
        e.name = string_field(L, item, "name");
        e.label = string_field(L, item, "display_label");
        if (e.label.empty()) e.label = string_field(L, item, "label");
        if (e.label.empty()) e.label = string_field(L, item, "value_type");
        e.display_format = string_field(L, item, "display_format");
        if (e.display_format.empty()) e.display_format = string_field(L, item, "format");
        lua_getfield(L, item, "max_days");
        if (lua_isnumber(L, -1)) e.max_days = static_cast<int>(lua_tointeger(L, -1));
        lua_pop(L, 1);
        lua_getfield(L, item, "is_rate");
        e.is_rate = lua_toboolean(L, -1) != 0;
        lua_pop(L, 1);
      }
      lua_pop(L, 1);
      if (!e.name.empty()) out.push_back(std::move(e));
    }
  }
  lua_pop(L, 1);
}

// lua_CFunction run under the protected path: (meta value) -> fills the SchemaView
// in upvalue 1. Accepts the meta table itself or {data = meta}.
int read_meta(lua_State* L) {
  auto* v = static_cast<SchemaView*>(lua_touserdata(L, lua_upvalueindex(1)));
  lua_settop(L, 1);
  if (!lua_istable(L, 1)) return 0;
  lua_getfield(L, 1, "data");
  if (lua_istable(L, -1)) lua_replace(L, 1);
  else lua_pop(L, 1);
  read_list(L, "metrics", v->metrics);
  read_list(L, "dimensions", v->dimensions);
  read_list(L, "granularities", v->granularities);
  read_list(L, "operators", v->operators);
  return 0;
}

std::string unit_of(const SchemaEntry& m) {
  const auto& f = m.display_format;
  if (f == "currency") return "USD";
  if (f == "latency") return "ms";
  if (f == "throughput") return "tokens/s";
  if (f == "percent") return "ratio";
  if (m.name.find("token") != std::string::npos) return "tokens";
  return "count";
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

bool is_31_day(const SchemaEntry& e) {
  if (e.max_days > 0) return e.max_days <= 31;
  return std::find(k31Day.begin(), k31Day.end(), e.name) != k31Day.end();
}

std::shared_ptr<const SchemaView> load_schema(Session& s, bool report) {
  HostContext& ctx = s.rt.context();
  if (ctx.schema) {
    if (s.schema_source != ctx.schema.get() || !s.schema) {
      auto v = from_schema(*ctx.schema);
      mark_windows(s.rt.state(), *v);
      s.schema = v;
      s.schema_source = ctx.schema.get();
    }
    return s.schema;
  }
  if (s.schema) return s.schema;
  if (s.schema_failed && !report) return nullptr;

  lua_State* L = s.rt.state();
  int top = lua_gettop(L);
  auto fail = [&](bool has_error) {
    if (has_error && report) s.rt.report_error(LUA_ERRRUN);
    s.schema_failed = true;
    lua_settop(L, top);
    // Ctrl-C while fetching: the fetch is what it cancelled.
    if (interrupt_requested()) s.rt.reset_interrupt();
    return std::shared_ptr<const SchemaView>();
  };
  lua_getglobal(L, "orscript");
  if (!lua_istable(L, -1)) {
    if (report) std::fprintf(stderr, "the orscript library is not loaded: no schema\n");
    return fail(false);
  }
  lua_getfield(L, -1, "meta");
  lua_remove(L, -2);
  if (!lua_isfunction(L, -1)) {
    if (report) std::fprintf(stderr, "orscript.meta is not available: no schema\n");
    return fail(false);
  }
  if (s.rt.protected_call(0, 1) != 0) return fail(true);
  if (ctx.schema) {
    lua_settop(L, top);
    return load_schema(s, report);
  }
  auto v = std::make_shared<SchemaView>();
  lua_pushlightuserdata(L, v.get());
  lua_pushcclosure(L, read_meta, 1);
  lua_insert(L, -2);
  if (s.rt.protected_call(1, 0) != 0) return fail(true);
  lua_settop(L, top);
  if (v->metrics.empty() && v->dimensions.empty()) {
    if (report) std::fprintf(stderr, "orscript.meta() returned no metrics or dimensions\n");
    return fail(false);
  }
  s.schema = v;
  s.schema_failed = false;
  return s.schema;
}

std::string describe_schema(const SchemaView& v, std::string_view filter, const std::vector<std::string>& related,
                            int width) {
  std::string out;
  auto pad = [](std::string s, std::size_t w) {
    // Pads by characters, not bytes, so labels with UTF-8 stay aligned.
    std::size_t chars = 0;
    for (unsigned char c : s) chars += (c & 0xC0) != 0x80;
    if (chars < w) s.append(w - chars, ' ');
    return s;
  };
  const std::string needle = lower(filter);
  auto match = [&](const SchemaEntry& e) {
    return filter.empty() || lower(e.name).find(needle) != std::string::npos ||
           lower(e.label).find(needle) != std::string::npos ||
           std::find(related.begin(), related.end(), e.name) != related.end();
  };

  std::size_t nw = 4, lw = 5;
  for (auto* list : {&v.metrics, &v.dimensions})
    for (auto& e : *list)
      if (match(e)) {
        nw = std::max(nw, e.name.size());
        lw = std::max(lw, e.label.size());
      }
  nw += 2;
  lw += 2;
  // Too wide for the terminal: the label column goes first (the name says most).
  const std::size_t fixed_columns = 2 + 10 + 12 + 6 + 10;  // indent, unit, format, kind, window
  bool show_label = nw + lw + fixed_columns <= static_cast<std::size_t>(std::max(width, 20));
  if (!show_label) lw = 0;
  auto label = [&](const SchemaEntry& e) { return show_label ? pad(e.label, lw) : std::string(); };

  std::size_t shown = 0;
  std::string rows;
  for (auto& m : v.metrics) {
    if (!match(m)) continue;
    ++shown;
    std::string fmt = m.display_format.empty() ? "number" : m.display_format;
    rows += "  " + pad(m.name, nw) + label(m) + pad(unit_of(m), 10) + pad(fmt, 12) +
            pad(m.is_rate ? "rate" : "sum", 6) + (is_31_day(m) ? "31 days" : "365 days") + "\n";
  }
  if (!rows.empty()) {
    out += "Metrics (" + std::to_string(shown) + ")\n";
    out += "  " + pad("name", nw) + (show_label ? pad("label", lw) : "") + pad("unit", 10) + pad("format", 12) +
           pad("kind", 6) +
           "max window\n" + rows;
  }
  rows.clear();
  shown = 0;
  for (auto& d : v.dimensions) {
    if (!match(d)) continue;
    ++shown;
    rows += "  " + pad(d.name, nw) + label(d) + (is_31_day(d) ? "31 days" : "365 days") + "\n";
  }
  if (!rows.empty()) {
    if (!out.empty()) out += "\n";
    out += "Dimensions (" + std::to_string(shown) + ")\n";
    out += "  " + pad("name", nw) + (show_label ? pad("label", lw) : "") + "max window\n" + rows;
  }
  if (!filter.empty()) {
    if (out.empty())
      out = "no metric or dimension matches '" + std::string(filter) +
            "' (names and labels are searched; try cost, tokens, latency, or .schema for all)\n";
    return out;
  }
  if (!v.granularities.empty()) {
    out += "\nGranularities: ";
    for (std::size_t i = 0; i < v.granularities.size(); ++i) out += (i ? " " : "") + v.granularities[i].name;
    out += "  (minute only for windows up to 3 hours)\n";
  }
  if (!v.operators.empty()) {
    // Grouped by value type: "eq neq gt gte lt lte (scalar); in not_in (array)".
    std::vector<std::pair<std::string, std::string>> groups;
    for (auto& o : v.operators) {
      auto it = std::find_if(groups.begin(), groups.end(), [&](auto& g) { return g.first == o.label; });
      if (it == groups.end()) it = groups.insert(groups.end(), {o.label, ""});
      it->second += (it->second.empty() ? "" : " ") + o.name;
    }
    out += "Operators:     ";
    for (std::size_t i = 0; i < groups.size(); ++i)
      out += (i ? "; " : "") + groups[i].second + (groups[i].first.empty() ? "" : " (" + groups[i].first + " value)");
    out += "\n";
  }
  out +=
      "\nLimits: at most 2 dimensions and 20 filters; limit and group_limit 1..10000\n"
      "(limit defaults to 1000); the window defaults to the last 7 days and reaches\n"
      "365 days, or 31 days when any field above marked \"31 days\" (or a classifier\n"
      "field) is in the query.\n"
      "kind: sum = adds up across rows and periods; rate = averaged or a ratio, never\n"
      "summed.\n"
      "Classifiers: classifier = {id = \"<uuid>\", names = {up to 2 dimension names},\n"
      "include_nulls = bool, where = {{name, \"eq\"|\"neq\"|\"in\"|\"not_in\", value}}}:\n"
      "each name becomes a column; without names rows carry clf_dimension_name and\n"
      "clf_dimension_value (the demo's: 5f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f,\n"
      "task_type and complexity).\n";
  return out;
}

}  // namespace orscript::repl
