// query_engine.hpp: `POST /analytics/query` semantics over a Store.
//
// Owns: validating a request body with zod-style 400 texts ("<path>: <message>",
// several issues joined by "; "), the 7-day default window, 31/365-day limits,
// filters (raw ids, key hashes, include_unset), time buckets (Sunday weeks, UTC),
// aggregation (sums, weighted ratios, percentiles from raw latencies), ordering,
// group_limit/limit/truncated and the row shape. Does not own: auth, rate limits,
// the result cache or HTTP (endpoints.hpp).
#pragma once

#include "sim/catalogue.hpp"
#include "sim/store.hpp"
#include "sim/time_util.hpp"

#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace orscript::sim {

// A request the API rejects; `status` is the HTTP status (400).
struct QueryError : std::runtime_error {
  QueryError(int s, const std::string& m) : std::runtime_error(m), status(s) {}
  int status;
};

enum class Op : std::uint8_t { eq, neq, in, not_in, gt, gte, lt, lte };

struct QueryFilter {
  const DimDef* dim = nullptr;
  Op op = Op::eq;
  std::vector<boost::json::value> values;  // one for scalar operators
  bool include_unset = false;
};

struct Query {
  std::vector<const MetricDef*> metrics;
  std::vector<const DimDef*> dims;
  std::vector<QueryFilter> filters;
  std::optional<Granularity> granularity;
  std::int64_t start_ms = 0, end_ms = 0;  // [start, end)
  enum class OrderKind { none, metric, dim, date } order_kind = OrderKind::none;
  const MetricDef* order_metric = nullptr;
  const DimDef* order_dim = nullptr;
  bool order_desc = true;
  int limit = 1000;
  std::optional<int> group_limit;
  bool short_range = false;  // touches a generation-level (31-day) field
  // Classifier fields (spec §3.3): labels derived per generation (sim/classifier_labels).
  struct ClassifierFilter {
    int dim = -1;                     // index into the classifier's dimensions
    bool negate = false;              // neq / not_in
    std::vector<std::string> values;  // labels as text
  };
  struct {
    int index = -1;            // into scenario.classifiers; -1: no classifier field
    bool grouped = false;      // classifier_dimensions given
    std::vector<int> names;    // its dimension_names as dimension indices (columns)
    bool include_nulls = false;
    std::vector<ClassifierFilter> filters;
  } classifier;
};

// Validates a parsed JSON body against the schema and the semantic rules; classifier
// ids are looked up in `scenario` (none exist when it is null).
// Throws QueryError(400, text) on the first failing stage.
Query parse_query(const boost::json::value& body, std::int64_t now_ms, const Scenario* scenario = nullptr);

// Runs a validated query; returns the `data` object {data, metadata, warnings?}.
boost::json::object run_query(const Store& store, const Query& query);

// Convenience for internal callers (ground truth, tests): parse + run, throws QueryError.
boost::json::object query(const Store& store, const boost::json::value& body);

}  // namespace orscript::sim
