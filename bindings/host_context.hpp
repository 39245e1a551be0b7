// host_context.hpp: what the host hands every binding (as upvalue 1).
//
// Owns: the resolved connection settings (base URL, key, timeouts, verbosity), the
// lazily created ApiClient, the in-process demo server when --demo is on, the clock
// the scripts see (fixed with --now), and the directories the Lua side uses (library,
// schema cache). Does not own: parsing the command line (host/app) or the lua_State
// (bindings/runtime.hpp).
#pragma once

#include <boost/json/value.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "host/core/schema.hpp"
#include "host/net/api_client.hpp"

namespace orscript {

// What the Lua side may ask of the demo server (`core.demo_ground_truth()`), given by
// whoever runs it (host/app): the bindings never see the simulator itself.
class DemoControl {
 public:
  virtual ~DemoControl() = default;
  // What the scenario planted (docs/simulator.md), as JSON.
  virtual boost::json::value ground_truth() const = 0;
};

struct HostContext {
  HostContext();
  ~HostContext();

  net::ClientOptions client_options;
  bool demo = false;
  std::string demo_description;            // "scenario demo, seed 1"
  const DemoControl* demo_control = nullptr;  // set with --demo; outlives the context
  std::optional<std::int64_t> now_ms;      // fixed clock (--now); else the real clock
  std::string lib_dir;                     // the shipped Lua library (scripts/)
  std::string cache_dir;                   // schema cache; "" disables the disk cache
  std::string program_name = "orscript";
  // The analytics catalogue once fetched (set by the API binding); used to type and
  // format result columns. Null until the first meta fetch.
  std::shared_ptr<const Schema> schema;

  // The API client, created on first use. Throws Error(auth) when there is no key,
  // naming the three ways to give one and --demo.
  net::ApiClient& api();
  bool has_client() const { return client_ != nullptr; }

  // Unix milliseconds: the fixed clock if set, else the system clock.
  std::int64_t now() const;
  // "demo" or the API host ("openrouter.ai"), for prompts and report headers.
  std::string account_label() const;

 private:
  std::unique_ptr<net::ApiClient> client_;
};

}  // namespace orscript
