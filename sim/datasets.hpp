// datasets.hpp: the public Data API (`/datasets/*`) over synthetic public traffic.
//
// Owns: a deterministic picture of OpenRouter-wide public usage (models, apps,
// agent-harness session costs) and the three endpoints' parameter validation,
// filtering, ranking, pagination and `meta`. Does not own: auth or rate limits
// (endpoints.cpp); the organisation's own traffic (store.hpp) is not used here.
#pragma once

#include <boost/json/value.hpp>

#include <cstdint>
#include <map>
#include <string>

namespace orscript::sim {

using Params = std::map<std::string, std::string>;

struct DatasetAnswer {
  int status = 200;
  boost::json::value body;   // the full JSON body (an error envelope when status != 200)
};

// `now_ms` anchors "the most recent completed day"; `as_of_ms` is reported as meta.as_of.
DatasetAnswer rankings_daily(const Params& p, std::int64_t now_ms, std::int64_t as_of_ms);
DatasetAnswer app_rankings(const Params& p, std::int64_t now_ms, std::int64_t as_of_ms);
DatasetAnswer session_cost(const Params& p, std::int64_t now_ms, std::int64_t as_of_ms);

// {"error":{"code":status,"message":message}}
boost::json::value error_body(int status, const std::string& message);

}  // namespace orscript::sim
