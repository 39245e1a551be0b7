// store.hpp: the generated traffic of one scenario, laid out for fast scans.
//
// Owns: generation events in struct-of-arrays form with integer-coded dimensions
// (the last `detail_days` days), hourly rollups per stream for older days, the
// dictionaries that decode the codes, and per-row accessors the query engine and
// the endpoints read. Does not own: producing the data (generator.hpp) or
// answering queries (query_engine.hpp). Immutable once generated.
#pragma once

#include "sim/catalogue.hpp"
#include "sim/scenario.hpp"

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace orscript::sim {

inline constexpr std::uint8_t kFlagByok = 1, kFlagGuardrail = 2, kFlagResponseCached = 4, kFlagWeb = 8,
                              kFlagFile = 16, kFlagWebFetch = 32, kFlagStreamed = 64;

// The allocator of the event columns: resize() leaves new elements uninitialised (the
// generator writes every row, so no pass zero-fills hundreds of MB first), and blocks of
// 4 MB or more are mapped directly with their whole 2 MB pages advised as transparent huge
// pages (far fewer page faults while a large account is generated).
void* column_alloc_bytes(std::size_t bytes);  // throws std::bad_alloc
void column_free_bytes(void* p, std::size_t bytes) noexcept;
template <class T>
struct ColumnAllocator {
  using value_type = T;
  ColumnAllocator() = default;
  template <class U>
  ColumnAllocator(const ColumnAllocator<U>&) noexcept {}
  T* allocate(std::size_t n) { return static_cast<T*>(column_alloc_bytes(n * sizeof(T))); }
  void deallocate(T* p, std::size_t n) noexcept { column_free_bytes(p, n * sizeof(T)); }
  template <class U>
  void construct(U* p) noexcept {
    ::new (static_cast<void*>(p)) U;
  }
  template <class U, class... A>
  void construct(U* p, A&&... a) {
    ::new (static_cast<void*>(p)) U(std::forward<A>(a)...);
  }
  template <class U>
  bool operator==(const ColumnAllocator<U>&) const noexcept { return true; }
};
template <class T>
using Column = std::vector<T, ColumnAllocator<T>>;

// One row per generation. Web search, web fetch and file charges are not stored: they
// follow from the flags, `file_pages`, the model's native search and the scenario's
// prices (Store::event_value), which keeps a large account's events near 60 bytes each.
struct Events {
  Column<std::int64_t> time_ms;
  Column<std::uint16_t> stream;
  Column<std::uint8_t> model, provider, country, finish, ctx_bucket, flags;
  Column<std::uint8_t> file_pages;     // parsed pages (0: no file)
  Column<std::int32_t> external_user;  // -1: none
  Column<std::uint32_t> prompt, completion, reasoning, cached;
  Column<float> latency_ms, throughput;
  Column<float> upstream, cache, data, byok_fee;
  std::size_t size() const { return time_ms.size(); }
  void resize(std::size_t n);  // every column to n rows
};

// The summable columns a rollup row stores; the money totals (usage, total_usage, BYOK
// inference and fees, openrouter_usage) are derived from them on read.
enum class RollupCol : std::uint8_t { count, byok_count, prompt, completion, reasoning, cached, upstream, cache, data,
                                      web, upstream_web, file, web_fetch, kCount };
inline constexpr int kRollupColCount = static_cast<int>(RollupCol::kCount);

// One row per (stream, model, hour) for hours before the detail window. A stream's rows
// are contiguous, and a column a stream never uses (no BYOK, no cache, no web search...)
// stores nothing for it: `start[c][stream]` is where the stream's first row sits in
// `vals[c]`, or -1 when the column is zero for the whole stream.
struct Rollups {
  std::vector<std::int64_t> hour_ms;
  std::vector<std::uint16_t> stream;
  std::vector<std::uint8_t> model;
  std::vector<std::int64_t> first_row;                                  // per stream
  std::array<std::vector<double>, kRollupColCount> vals;
  std::array<std::vector<std::int64_t>, kRollupColCount> start;         // per stream, -1: absent
  std::size_t size() const { return hour_ms.size(); }
  double stored(RollupCol c, std::size_t i) const {
    const int ci = static_cast<int>(c);
    const std::int64_t st = start[ci][stream[i]];
    return st < 0 ? 0.0 : vals[ci][static_cast<std::size_t>(st + static_cast<std::int64_t>(i) - first_row[stream[i]])];
  }
};

struct Store {
  Scenario scenario;
  std::uint64_t seed = 1;
  std::int64_t now_ms = 0;
  std::int64_t history_start_ms = 0;  // first day of history (00:00 UTC)
  std::int64_t detail_start_ms = 0;   // first day held event by event
  Events events;
  Rollups rollups;
  // Dictionaries of generation-level values.
  std::vector<std::string> providers, countries, finish_reasons, ctx_buckets, external_users, variants;
  std::vector<std::int32_t> model_variant;             // model -> variant code
  std::vector<std::vector<int>> model_providers;      // model -> provider codes, in scenario order
  std::vector<std::vector<std::string>> endpoint_ids; // model -> per provider entry, UUID

  // Derived per-event money.
  double event_usage(std::size_t i) const;           // billed to credits
  double event_byok_inference(std::size_t i) const;  // BYOK inference cost (0 unless BYOK)
  // An event's web search charge (plugin or the model's native search), file and fetch charges.
  float event_web(std::size_t i, bool native) const;
  float event_file(std::size_t i) const;
  float event_web_fetch(std::size_t i) const;
  // Value of a summable column for an event / a rollup row.
  double event_value(Col c, std::size_t i) const;
  double rollup_value(Col c, std::size_t i) const;
  // Dimension code of an event (-1: unset). generation_id's code is the event index.
  std::int32_t event_dim(Dim d, std::size_t i) const;
  // Dimension code of a rollup row; only the long-range dimensions are defined.
  std::int32_t rollup_dim(Dim d, std::size_t i) const;
  // Number of distinct codes of a dimension.
  std::int32_t dim_cardinality(Dim d) const;
  // The value shown in result rows for a code (callers handle -1 as null).
  std::string dim_label(Dim d, std::int32_t code) const;

  // "gen-<unix>-<20 chars>" for an event, and its inverse (-1 when not ours).
  std::string generation_id(std::size_t i) const;
  std::int64_t find_generation(std::string_view id) const;
};

}  // namespace orscript::sim
