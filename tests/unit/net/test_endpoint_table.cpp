// The endpoint table drives the client: method, path (with path parameters), the 403
// wording by key kind, paging. A new row is callable without client code.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "host/core/error.hpp"
#include "host/net/api_client.hpp"
#include "host/net/endpoint_table.hpp"
#include "tests/unit/net/sim_fixture.hpp"

using namespace orscript;
using namespace orscript::net;
using orscript::net::test::SimFixture;

TEST_CASE("every table row is sent with its method and filled path (dry-run)") {
  std::vector<std::string> lines;
  ClientOptions o;
  o.base_url = "https://openrouter.ai";
  o.dry_run = true;
  o.log = [&](std::string_view l) { lines.emplace_back(l); };
  ApiClient client(o);
  for (auto& ep : endpoint_table()) {
    Params params;
    for (auto& p : ep.params)
      if (p.in == ParamIn::path) params.emplace_back(p.name, std::string("v-") + p.name);
    lines.clear();
    Response r = client.wait(client.call(ep.name, params, ep.changes_state() ? "{}" : ""));
    CHECK(r.dry_run);
    REQUIRE(!lines.empty());
    std::string path = ep.path;
    for (auto& p : ep.params)
      if (p.in == ParamIn::path) path.replace(path.find("{" + std::string(p.name) + "}"), std::string(p.name).size() + 2,
                                              std::string("v-") + p.name);
    CHECK(lines[0] == "dry-run: " + std::string(ep.method) + " https://openrouter.ai/api/v1" + path);
  }
  CHECK_THROWS_AS(client.call("key_get", {}), Error);  // a missing path parameter
  CHECK_THROWS_AS(client.call("no_such_endpoint", {}), Error);
}

TEST_CASE("a 403 names the family from the table for management endpoints") {
  SimFixture sim;
  ApiClient client(sim.options(false));
  for (const char* name : {"keys", "workspaces", "credits"}) {
    try {
      client.wait(client.call(name));
      FAIL("no error for " << name);
    } catch (const Error& e) {
      CHECK(e.status == 403);
      CHECK(std::string(e.what()).find("this key is not a management key; " + std::string(find_endpoint(name)->family)) !=
            std::string::npos);
    }
  }
}

TEST_CASE("call_all pages /keys by its fixed page size and /workspaces by limit") {
  SimFixture sim;
  ApiClient client(sim.options());
  Response keys = client.call_all("keys", {{"include_disabled", "true"}, {"workspace_id", "b3e1f7a2-5c6d-4e8f-a1b2-c3d4e5f6a7b8"}});
  CHECK(keys.json.at("data").as_array().size() == 5);
  Response spaces = client.call_all("workspaces", {{"limit", "1"}});
  CHECK(spaces.json.at("data").as_array().size() == 3);  // three pages of one
  CHECK(spaces.json.at("total_count") == 3);
}
