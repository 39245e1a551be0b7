#include "sim/store.hpp"

#include "sim/rng.hpp"

#include <sys/mman.h>

#include <new>

namespace orscript::sim {

namespace {
constexpr std::size_t kHugePage = 2 << 20, kHugeMin = 4 << 20;
std::size_t huge_rounded(std::size_t bytes) { return (bytes + kHugePage - 1) / kHugePage * kHugePage; }
}  // namespace

// Large blocks are mapped directly (not from the malloc heap, which may keep freed blocks
// resident) and returned to the system when freed.
void* column_alloc_bytes(std::size_t bytes) {
  if (bytes < kHugeMin) return ::operator new(bytes);
  void* p = mmap(nullptr, huge_rounded(bytes), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
  // Only the whole huge pages: a partly used last one would be resident in full.
  if (bytes >= kHugePage) madvise(p, bytes / kHugePage * kHugePage, MADV_HUGEPAGE);  // advice only
#endif
  return p;
}

void column_free_bytes(void* p, std::size_t bytes) noexcept {
  if (bytes < kHugeMin) ::operator delete(p);
  else munmap(p, huge_rounded(bytes));
}

void Events::resize(std::size_t n) {
  time_ms.resize(n);
  stream.resize(n);
  for (auto* v : {&model, &provider, &country, &finish, &ctx_bucket, &flags, &file_pages}) v->resize(n);
  external_user.resize(n);
  for (auto* v : {&prompt, &completion, &reasoning, &cached}) v->resize(n);
  for (auto* v : {&latency_ms, &throughput, &upstream, &cache, &data, &byok_fee}) v->resize(n);
}

float Store::event_web(std::size_t i, bool native) const {
  if (!(events.flags[i] & kFlagWeb) || scenario.models[events.model[i]].native_web_search != native) return 0.0f;
  return static_cast<float>(scenario.web_search_price);
}

float Store::event_file(std::size_t i) const {
  const std::uint8_t pages = events.file_pages[i];
  return pages ? static_cast<float>(static_cast<std::uint64_t>(pages) * scenario.file_page_price) : 0.0f;
}

float Store::event_web_fetch(std::size_t i) const {
  return (events.flags[i] & kFlagWebFetch) ? static_cast<float>(scenario.web_fetch_price) : 0.0f;
}

double Store::rollup_value(Col c, std::size_t i) const {
  const Rollups& r = rollups;
  using R = RollupCol;
  switch (c) {
    case Col::count: return r.stored(R::count, i);
    case Col::byok_count: return r.stored(R::byok_count, i);
    case Col::prompt: return r.stored(R::prompt, i);
    case Col::completion: return r.stored(R::completion, i);
    case Col::reasoning: return r.stored(R::reasoning, i);
    case Col::cached: return r.stored(R::cached, i);
    case Col::upstream: return r.stored(R::upstream, i);
    case Col::cache: return r.stored(R::cache, i);
    case Col::data: return r.stored(R::data, i);
    case Col::web: return r.stored(R::web, i);
    case Col::upstream_web: return r.stored(R::upstream_web, i);
    case Col::file: return r.stored(R::file, i);
    case Col::web_fetch: return r.stored(R::web_fetch, i);
    case Col::usage:
    case Col::total_usage:
    case Col::byok_inference:
    case Col::byok_fee:
    case Col::openrouter_usage: {
      // The same expressions, in the same order, as the generator once stored them.
      const double f = r.stored(R::byok_count, i) / r.stored(R::count, i);
      const double inference = r.stored(R::upstream, i) + r.stored(R::cache, i) + r.stored(R::data, i);
      const double extras = r.stored(R::web, i) + r.stored(R::upstream_web, i) + r.stored(R::file, i) + r.stored(R::web_fetch, i);
      const double byok_inf = f * inference, fee = scenario.byok_fee_rate * byok_inf;
      if (c == Col::usage) return (1 - f) * inference + fee + extras;
      if (c == Col::total_usage) return (1 - f) * inference + fee + extras + byok_inf;
      if (c == Col::byok_inference) return byok_inf;
      if (c == Col::byok_fee) return fee;
      return (1 - f) * (inference + extras);
    }
    default: return 0.0;
  }
}

double Store::event_usage(std::size_t i) const {
  const auto& e = events;
  const double extras = double(event_web(i, false)) + event_web(i, true) + event_file(i) + event_web_fetch(i);
  if (e.flags[i] & kFlagByok) return double(e.byok_fee[i]) + extras;
  return double(e.upstream[i]) + e.cache[i] + e.data[i] + extras;
}

double Store::event_byok_inference(std::size_t i) const {
  const auto& e = events;
  if (!(e.flags[i] & kFlagByok)) return 0.0;
  return double(e.upstream[i]) + e.cache[i] + e.data[i];
}

double Store::event_value(Col c, std::size_t i) const {
  const auto& e = events;
  switch (c) {
    case Col::count: return 1.0;
    case Col::byok_count: return (e.flags[i] & kFlagByok) ? 1.0 : 0.0;
    case Col::guardrail: return (e.flags[i] & kFlagGuardrail) ? 1.0 : 0.0;
    case Col::response_cached: return (e.flags[i] & kFlagResponseCached) ? 1.0 : 0.0;
    case Col::prompt: return e.prompt[i];
    case Col::completion: return e.completion[i];
    case Col::reasoning: return e.reasoning[i];
    case Col::cached: return e.cached[i];
    case Col::usage: return event_usage(i);
    case Col::total_usage: return event_usage(i) + event_byok_inference(i);
    case Col::byok_inference: return event_byok_inference(i);
    case Col::byok_fee: return (e.flags[i] & kFlagByok) ? double(e.byok_fee[i]) : 0.0;
    case Col::openrouter_usage: return (e.flags[i] & kFlagByok) ? 0.0 : event_usage(i);
    case Col::upstream: return e.upstream[i];
    case Col::cache: return e.cache[i];
    case Col::data: return e.data[i];
    case Col::web: return event_web(i, false);
    case Col::upstream_web: return event_web(i, true);
    case Col::file: return event_file(i);
    case Col::upstream_file: return 0.0;
    case Col::web_fetch: return event_web_fetch(i);
    case Col::upstream_web_fetch: return 0.0;
    case Col::latency: return e.latency_ms[i];
    case Col::throughput: return e.throughput[i];
    case Col::kCount: break;
  }
  return 0.0;
}

std::int32_t Store::event_dim(Dim d, std::size_t i) const {
  const Stream& st = scenario.streams[events.stream[i]];
  switch (d) {
    case Dim::model: return events.model[i];
    case Dim::variant: return model_variant[events.model[i]];
    case Dim::api_key_id: return st.key;
    case Dim::user: return scenario.keys[st.key].user;
    case Dim::workspace: return scenario.keys[st.key].workspace;
    case Dim::app: return st.app;
    case Dim::generation_id: return static_cast<std::int32_t>(i);
    case Dim::provider: return events.provider[i];
    case Dim::origin: return (st.app >= 0 && !scenario.apps[st.app].origin.empty()) ? st.app : -1;
    case Dim::country: return events.country[i];
    case Dim::finish_reason: return events.finish[i];
    case Dim::external_user: return events.external_user[i];
    case Dim::context_length_bucket: return events.ctx_bucket[i];
    case Dim::kCount: break;
  }
  return -1;
}

std::int32_t Store::rollup_dim(Dim d, std::size_t i) const {
  const Stream& st = scenario.streams[rollups.stream[i]];
  switch (d) {
    case Dim::model: return rollups.model[i];
    case Dim::variant: return model_variant[rollups.model[i]];
    case Dim::api_key_id: return st.key;
    case Dim::user: return scenario.keys[st.key].user;
    case Dim::workspace: return scenario.keys[st.key].workspace;
    case Dim::app: return st.app;
    default: return -1;
  }
}

std::int32_t Store::dim_cardinality(Dim d) const {
  switch (d) {
    case Dim::model: return static_cast<std::int32_t>(scenario.models.size());
    case Dim::variant: return static_cast<std::int32_t>(variants.size());
    case Dim::api_key_id: return static_cast<std::int32_t>(scenario.keys.size());
    case Dim::user: return static_cast<std::int32_t>(scenario.users.size());
    case Dim::workspace: return static_cast<std::int32_t>(scenario.workspaces.size());
    case Dim::app:
    case Dim::origin: return static_cast<std::int32_t>(scenario.apps.size());
    case Dim::generation_id: return static_cast<std::int32_t>(events.size());
    case Dim::provider: return static_cast<std::int32_t>(providers.size());
    case Dim::country: return static_cast<std::int32_t>(countries.size());
    case Dim::finish_reason: return static_cast<std::int32_t>(finish_reasons.size());
    case Dim::external_user: return static_cast<std::int32_t>(external_users.size());
    case Dim::context_length_bucket: return static_cast<std::int32_t>(ctx_buckets.size());
    case Dim::kCount: break;
  }
  return 0;
}

std::string Store::dim_label(Dim d, std::int32_t c) const {
  if (c < 0) return {};
  switch (d) {
    case Dim::model: return scenario.models[c].permaslug;
    case Dim::variant: return variants[c];
    case Dim::api_key_id: return scenario.keys[c].name;
    case Dim::user: return scenario.users[c].name;
    case Dim::workspace: return scenario.workspaces[c].name;
    case Dim::app: return scenario.apps[c].name;
    case Dim::generation_id: return generation_id(static_cast<std::size_t>(c));
    case Dim::provider: return providers[c];
    case Dim::origin: return scenario.apps[c].origin;
    case Dim::country: return countries[c];
    case Dim::finish_reason: return finish_reasons[c];
    case Dim::external_user: return external_users[c];
    case Dim::context_length_bucket: return ctx_buckets[c];
    case Dim::kCount: break;
  }
  return {};
}

namespace {
constexpr char kB62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
}

std::string Store::generation_id(std::size_t i) const {
  // 6 base-62 digits of the index, then 14 pseudo-random ones derived from (seed, index).
  std::string id = "gen-" + std::to_string(events.time_ms[i] / 1000) + "-";
  std::uint64_t v = i;
  char idx[6];
  for (int k = 5; k >= 0; --k) {
    idx[k] = kB62[v % 62];
    v /= 62;
  }
  id.append(idx, 6);
  std::uint64_t h = mix64(seed * 0x9E3779B97F4A7C15ULL + i + 1);
  for (int k = 0; k < 14; ++k) {
    if (k == 7) h = mix64(h);
    id += kB62[h % 62];
    h /= 62;
  }
  return id;
}

std::int64_t Store::find_generation(std::string_view id) const {
  const auto dash = id.rfind('-');
  if (id.substr(0, 4) != "gen-" || dash == std::string_view::npos || id.size() - dash - 1 != 20) return -1;
  std::uint64_t v = 0;
  for (int k = 0; k < 6; ++k) {
    const char ch = id[dash + 1 + k];
    const char* p = std::char_traits<char>::find(kB62, 62, ch);
    if (!p) return -1;
    v = v * 62 + static_cast<std::uint64_t>(p - kB62);
  }
  if (v >= events.size()) return -1;
  return generation_id(v) == id ? static_cast<std::int64_t>(v) : -1;
}

}  // namespace orscript::sim
