// ground_truth.hpp: what a correct cost review of a scenario must find.
//
// Owns: applying the documented cost-review definitions (docs/simulator.md,
// "Ground truth") to every model, key and app of the generated data, using the
// query engine so every figure is exactly what the API reports, plus the
// "repointed" facts taken from the scenario's change points. Does not own: the
// data (store.hpp) or the query semantics (query_engine.hpp).
#pragma once

#include "sim/store.hpp"

#include <boost/json/value.hpp>

namespace orscript::sim {

// The ground-truth document: {scenario, now, month, thresholds, baseline, weeks,
// items:[...], models:[...]} (shape in docs/simulator.md).
boost::json::value compute_ground_truth(const Store& store);

}  // namespace orscript::sim
