#include "host/net/endpoint_table.hpp"

namespace orscript::net {
namespace {

using K = ParamKind;
using In = ParamIn;

constexpr const char* kCategories =
    "programming|roleplay|marketing|marketing/seo|technology|science|translation|legal|finance|health|trivia|academia";
constexpr const char* kSubcategories =
    "cli-agent|ide-extension|cloud-agent|programming-app|native-app-builder|creative-writing|video-gen|image-gen|"
    "audio-gen|writing-assistant|general-chat|personal-agent|legal|roleplay|game";

constexpr ParamSpec kActivity[] = {
    {"date", K::date, In::query, false, false, 0, 0, "", "one of the last 30 completed UTC days"},
    {"api_key_hash", K::hex64, In::query, false, false, 0, 0, "", "only this key (its 64-hex hash)"},
    {"user_id", K::user_id, In::query, false, false, 0, 0, "", "only this org member (\"user_...\")"},
    {"group_by", K::one_of, In::query, false, false, 0, 0, "workspace", "one row per workspace too"},
    {"workspace_id", K::uuid, In::query, false, false, 0, 0, "", "only this workspace"},
};
constexpr ParamSpec kRankingsDaily[] = {
    {"start_date", K::date, In::query, false, false, 0, 0, "", "first day (inclusive)"},
    {"end_date", K::date, In::query, false, false, 0, 0, "", "last day (inclusive)"},
    {"period", K::one_of, In::query, false, false, 0, 0, "day|week|month", "bucket"},
    {"modality", K::one_of, In::query, false, false, 0, 0, "text|image|image_output|audio|tool_calling", ""},
    {"context_bucket", K::one_of, In::query, false, false, 0, 0, "1K|10K|100K|1M|10M", ""},
    {"category", K::one_of, In::query, false, false, 0, 0, kCategories, "sampled: weekly estimates"},
    {"language_type", K::one_of, In::query, false, false, 0, 0, "natural|programming", "sampled: weekly estimates"},
};
constexpr ParamSpec kAppRankings[] = {
    {"sort", K::one_of, In::query, false, false, 0, 0, "popular|trending", ""},
    {"category", K::one_of, In::query, false, false, 0, 0, "coding|creative|productivity|entertainment", ""},
    {"subcategory", K::one_of, In::query, false, false, 0, 0, kSubcategories, "within the category"},
    {"start_date", K::date, In::query, false, false, 0, 0, "", "first day (inclusive)"},
    {"end_date", K::date, In::query, false, false, 0, 0, "", "last day (inclusive)"},
    {"limit", K::integer, In::query, false, false, 1, 100, "", "page size (every page is followed)"},
    {"offset", K::integer, In::query, false, false, 0, 100, "", "first item"},
};
constexpr ParamSpec kSessionCost[] = {
    {"app_slug", K::text, In::query, false, false, 0, 0, "", "one app"},
    {"model", K::text, In::query, false, false, 0, 0, "", "one model"},
    {"turn_range", K::one_of, In::query, false, false, 0, 0, "1-turn|2-9-turns|10-49-turns|50-plus-turns", ""},
    {"limit", K::integer, In::query, false, false, 1, 500, "", "page size (every page is followed)"},
    {"offset", K::integer, In::query, false, false, 0, 5000, "", "first item"},
};
constexpr ParamSpec kKeys[] = {
    {"include_disabled", K::boolean, In::query, false, false, 0, 0, "", "also disabled keys"},
    {"offset", K::integer, In::query, false, false, 0, 1e9, "", "keys to skip (pages of 100 are followed)"},
    {"workspace_id", K::uuid, In::query, false, false, 0, 0, "", "that workspace's keys (default: the default workspace)"},
};
constexpr ParamSpec kKeyGet[] = {
    {"hash", K::hex64, In::path, true, false, 0, 0, "", "the key's hash"},
};
constexpr ParamSpec kKeyUpdate[] = {
    {"hash", K::hex64, In::path, true, false, 0, 0, "", "the key's hash"},
    {"name", K::text, In::body, false, false, 0, 0, "", "rename"},
    {"disabled", K::boolean, In::body, false, false, 0, 0, "", "disable (true) or enable (false)"},
    {"limit", K::number, In::body, false, true, 0, 0, "", "USD cap (> 0; null removes it)"},
    {"limit_reset", K::one_of, In::body, false, true, 0, 0, "daily|weekly|monthly", "cap period (null: never resets)"},
    {"include_byok_in_limit", K::boolean, In::body, false, false, 0, 0, "", "BYOK spend counts toward the cap"},
};
constexpr ParamSpec kWorkspaces[] = {
    {"limit", K::integer, In::query, false, false, 1, 100, "", "page size (every page is followed)"},
    {"offset", K::integer, In::query, false, false, 0, 1e9, "", "first workspace"},
};
constexpr ParamSpec kBudgets[] = {
    {"ref", K::text, In::path, true, false, 0, 0, "", "workspace id or slug"},
};
constexpr ParamSpec kBudgetSet[] = {
    {"ref", K::text, In::path, true, false, 0, 0, "", "workspace id or slug"},
    {"interval", K::one_of, In::path, true, false, 0, 0, "daily|weekly|monthly|lifetime", "budget period"},
    {"limit_usd", K::number, In::body, true, false, 0, 0, "", "USD (> 0); lifetime > monthly > weekly > daily"},
    {"include_byok_in_budgets", K::boolean, In::body, false, false, 0, 0, "", "workspace-wide: BYOK counts"},
};
constexpr ParamSpec kBudgetDelete[] = {
    {"ref", K::text, In::path, true, false, 0, 0, "", "workspace id or slug"},
    {"interval", K::one_of, In::path, true, false, 0, 0, "daily|weekly|monthly|lifetime", "budget period"},
};
constexpr ParamSpec kGeneration[] = {
    {"id", K::text, In::query, true, false, 0, 0, "", "a generation id (\"gen-...\")"},
};

constexpr Paging kOnce{};
constexpr KeyKind kMgmt = KeyKind::management;
constexpr KeyKind kAny = KeyKind::any;

constexpr EndpointSpec kTable[] = {
    {"meta", "GET", "/analytics/meta", kMgmt, "analytics", ResultKind::meta, kOnce, {}, "the analytics catalogue"},
    {"query", "POST", "/analytics/query", kMgmt, "analytics", ResultKind::query, kOnce, {},
     "an analytics query (body built by orscript.query)"},
    {"activity", "GET", "/activity", kMgmt, "/activity", ResultKind::rows, kOnce, kActivity,
     "per-day usage by model endpoint, last 30 completed UTC days"},
    {"rankings_daily", "GET", "/datasets/rankings-daily", kAny, "datasets", ResultKind::rows, kOnce, kRankingsDaily,
     "the top public models per day"},
    {"app_rankings", "GET", "/datasets/app-rankings", kAny, "datasets", ResultKind::rows, {true, 50, 0, 100},
     kAppRankings, "the top public apps"},
    {"session_cost", "GET", "/datasets/session-cost", kAny, "datasets", ResultKind::rows, {true, 100, 0, 5000},
     kSessionCost, "median cost per agent session"},
    {"key", "GET", "/key", kAny, "/key", ResultKind::object, kOnce, {}, "the calling key"},
    {"keys", "GET", "/keys", kMgmt, "/keys", ResultKind::rows, {true, 0, 100, -1}, kKeys,
     "the keys of one workspace"},
    {"key_get", "GET", "/keys/{hash}", kMgmt, "/keys", ResultKind::object, kOnce, kKeyGet, "one key"},
    {"key_update", "PATCH", "/keys/{hash}", kMgmt, "/keys", ResultKind::object, kOnce, kKeyUpdate,
     "change a key's name, cap or state"},
    {"workspaces", "GET", "/workspaces", kMgmt, "/workspaces", ResultKind::rows, {true, 50, 0, -1}, kWorkspaces,
     "the organisation's workspaces"},
    {"budgets", "GET", "/workspaces/{ref}/budgets", kMgmt, "/workspaces", ResultKind::object, kOnce, kBudgets,
     "a workspace's budgets"},
    {"budget_set", "PUT", "/workspaces/{ref}/budgets/{interval}", kMgmt, "/workspaces", ResultKind::object, kOnce,
     kBudgetSet, "set one workspace budget"},
    {"budget_delete", "DELETE", "/workspaces/{ref}/budgets/{interval}", kMgmt, "/workspaces", ResultKind::object,
     kOnce, kBudgetDelete, "remove one workspace budget"},
    {"credits", "GET", "/credits", kMgmt, "/credits", ResultKind::object, kOnce, {}, "credits bought and used"},
    {"generation", "GET", "/generation", kAny, "/generation", ResultKind::object, kOnce, kGeneration,
     "one generation's metadata"},
};

}  // namespace

bool EndpointSpec::changes_state() const { return std::string_view(method) != "GET" && result != ResultKind::query; }

std::span<const EndpointSpec> endpoint_table() { return kTable; }

const EndpointSpec* find_endpoint(std::string_view name) {
  for (auto& e : kTable)
    if (name == e.name) return &e;
  return nullptr;
}

const ParamSpec* find_param(const EndpointSpec& ep, std::string_view name) {
  for (auto& p : ep.params)
    if (name == p.name) return &p;
  return nullptr;
}

const char* kind_name(ParamKind k) {
  switch (k) {
    case K::text: return "text";
    case K::date: return "date";
    case K::integer: return "integer";
    case K::number: return "number";
    case K::boolean: return "boolean";
    case K::one_of: return "one_of";
    case K::hex64: return "hex64";
    case K::uuid: return "uuid";
    case K::user_id: return "user_id";
  }
  return "?";
}
const char* kind_name(KeyKind k) { return k == KeyKind::management ? "management" : "any"; }
const char* kind_name(ResultKind k) {
  switch (k) {
    case ResultKind::rows: return "rows";
    case ResultKind::object: return "object";
    case ResultKind::query: return "query";
    case ResultKind::meta: return "meta";
  }
  return "?";
}
const char* kind_name(ParamIn k) { return k == In::query ? "query" : k == In::path ? "path" : "body"; }

}  // namespace orscript::net
