// Black-box tests of recipes/guardrails.lua, the real binary against the simulator: the
// plan changes nothing; --apply changes the keys and budgets (read back by a later process
// against the same simulator) and a second --apply sends nothing; refusals (no management
// key, stdin not a terminal without --yes, --dry-run, a declined confirmation) change
// nothing and exit with their documented codes; a failed PATCH is reported with exit 12.
#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

#include "tests/support/local_sim.hpp"
#include "tests/support/process.hpp"

namespace ot = orscript::test;

namespace {

const std::string kNow = "2026-11-18T12:00:00Z";
const std::string kRecipe = "recipes/guardrails.lua";

bool has(const std::string& text, const std::string& needle) { return text.find(needle) != std::string::npos; }

ot::RunResult demo(const std::vector<std::string>& extra, ot::RunOptions o = ot::clean_options()) {
  std::vector<std::string> args{"--demo", "--now", kNow};
  for (auto& a : extra) args.push_back(a);
  return ot::orscript(args, o);
}

// One simulator for several orscript processes, so a change made by one is seen by the next.
struct SharedSim : ot::LocalSim {
  SharedSim() : ot::LocalSim(false) {}
  // The recipe's runs log every request (-V): a change to the account shows as "changing the account".
  ot::RunResult run(std::vector<std::string> extra) const {
    extra.insert(extra.begin(), "-V");
    return ot::LocalSim::run(extra);
  }
  std::string eval(const std::string& chunk) const { return ot::LocalSim::run({"-e", chunk}).out; }
};

}  // namespace

TEST_CASE("guardrails: the plan is a table of dollars and changes nothing") {
  SharedSim sim;
  auto r = sim.run({kRecipe});
  CHECK(r.exit_code == 0);
  CHECK(has(r.out, "Guardrails as of 2026-11-18T12:00:00Z: key limits from the last 8 weeks (2026-09-21 .. 2026-11-15)"));
  CHECK(has(r.out, "would have blocked (8 weeks)"));
  // sales-copilot: the review's growth key, capped at its pre-growth level.
  CHECK(has(r.out, "sales-copilot: no limit; growth 2.5× since the week of 2026-11-01"));
  CHECK(has(r.out, "$190/week"));
  CHECK(has(r.out, "Workspace budgets (monthly"));
  CHECK(has(r.out, "15 changes proposed."));
  CHECK(has(r.out, "Run again with --apply"));
  CHECK_FALSE(has(r.err, "changing the account"));
  CHECK_FALSE(has(r.out + r.err, sim.server->management_key()));
  CHECK(sim.eval("print(orscript.key_info('sales-copilot').limit)") == "null\n");
}

TEST_CASE("guardrails: --apply --yes changes the keys (read back), a second --apply sends nothing") {
  SharedSim sim;
  auto r = sim.run({kRecipe, "--apply", "--yes"});
  CHECK(r.exit_code == 0);
  CHECK(has(r.out, "Applied (read back from the API):"));
  CHECK(has(r.out, "  changed  key sales-copilot: none -> $190/week"));
  CHECK(has(r.out, "  changed  key internal-chat: $400/week -> $43/week"));
  CHECK(has(r.out, "  changed  workspace budget Product: none -> $8,400/month"));
  CHECK(has(r.out, "15 of 15 changes applied"));
  CHECK(has(r.err, "changing the account: PATCH /api/v1/keys/"));
  // A later process against the same simulator sees the changes.
  CHECK(sim.eval("local k = orscript.key_info('sales-copilot') print(k.limit, k.limit_reset)") == "190\tweekly\n");
  CHECK(sim.eval("print(orscript.budgets('product').monthly)") == "8400\n");
  auto again = sim.run({kRecipe, "--apply", "--yes"});
  CHECK(again.exit_code == 0);
  CHECK(has(again.out, "Nothing to change."));
  CHECK(has(again.out, "--apply: nothing to change; no request sent."));
  CHECK_FALSE(has(again.err, "changing the account"));
}

TEST_CASE("guardrails: refusals change nothing and say so") {
  SharedSim sim;
  SUBCASE("stdin not a terminal and no --yes: exit 2 before anything is read") {
    auto r = sim.run({kRecipe, "--apply"});
    CHECK(r.exit_code == 2);
    CHECK(has(r.err, "stdin is not a terminal: add --yes"));
    CHECK(has(r.err, "nothing was changed"));
    CHECK_FALSE(has(r.err, "changing the account"));
  }
  SUBCASE("--apply --dry-run lists the changes and sends none: exit 0") {
    auto r = sim.run({kRecipe, "--apply", "--dry-run"});
    CHECK(r.exit_code == 0);
    CHECK(has(r.out, "--apply --dry-run: nothing was changed; 15 changes would be sent:"));
    CHECK(has(r.out, "  key sales-copilot: none -> $190/week"));
    CHECK_FALSE(has(r.err, "changing the account"));
  }
  SUBCASE("orscript's own --dry-run: no history to plan from, exit 0") {
    auto r = sim.run({"--dry-run", kRecipe, "--apply", "--yes"});
    CHECK(r.exit_code == 0);
    CHECK(has(r.err, "under orscript's --dry-run no request is answered"));
    CHECK(has(r.err, "nothing was changed"));
  }
  SUBCASE("an inference key: exit 3") {
    auto o = sim.options();
    o.env["OPENROUTER_API_KEY"] = sim.server->inference_key();
    auto r = ot::orscript({"--base-url", sim.server->base_url(), "--now", kNow, kRecipe, "--apply", "--yes"}, o);
    CHECK(r.exit_code == 3);
    CHECK(has(r.err, "guardrails: needs a management key"));
    CHECK(has(r.err, "nothing was changed"));
    CHECK_FALSE(has(r.err, sim.server->inference_key()));
  }
  SUBCASE("bad arguments: exit 2 naming the fix") {
    CHECK(sim.run({kRecipe, "--weeks", "0"}).exit_code == 2);
    auto r = sim.run({kRecipe, "--yes"});
    CHECK(r.exit_code == 2);
    CHECK(has(r.err, "--yes only goes with --apply"));
    CHECK(has(sim.run({kRecipe, "--reset", "yearly"}).err, "--reset expects auto, daily, weekly or monthly"));
    auto j = sim.run({kRecipe, "--apply", "--yes", "--json", "/nonexistent-dir/plan.json"});
    CHECK(j.exit_code == 2);
    CHECK(has(j.err, "the folder /nonexistent-dir does not exist"));
  }
  CHECK(sim.eval("print(orscript.key_info('sales-copilot').limit)") == "null\n");
}

TEST_CASE("guardrails: a failed PATCH is reported, the rest applied, exit 12") {
  auto hash = demo({"-e", "io.write(orscript.key_info('sales-copilot').hash)"}).out;
  REQUIRE(hash.size() == 64);
  auto r = demo({"--fault", "keys/" + hash + ":status=400", kRecipe, "--apply", "--yes"});
  CHECK(r.exit_code == 12);
  CHECK(has(r.out, "  FAILED   key sales-copilot: none -> $190/week not applied: HTTP 400"));
  CHECK(has(r.out, "  changed  key coding-agent: none -> "));
  CHECK(has(r.out, "14 of 15 changes applied; 1 failed (listed above): run again to retry them"));
}

TEST_CASE("guardrails: --json - prints the plan as JSON, without the key") {
  auto r = demo({kRecipe, "--json", "-"});
  CHECK(r.exit_code == 0);
  CHECK(r.out.rfind("{", 0) == 0);
  CHECK(has(r.out, "\"name\":\"sales-copilot\""));
  CHECK(has(r.out, "\"status\":\"planned\""));
  CHECK(has(r.err, "Guardrails as of"));  // the table goes to stderr
  CHECK_FALSE(has(r.out + r.err, "sk-or-v1-demo"));
}

TEST_CASE("guardrails: on a terminal, --apply asks for 'apply', anything else changes nothing (exit 11)") {
  SharedSim sim;
  auto opts = sim.options();
  std::vector<std::string> argv{ot::binary_path(), "--base-url", sim.server->base_url(), "--now", kNow, kRecipe,
                                "--apply"};
  {
    ot::Pty pty(argv, opts);
    pty.expect("Type 'apply' to make these 15 changes: ");
    pty.send("yes\r");
    pty.expect("not confirmed; nothing was changed");
    CHECK(pty.wait() == 11);
  }
  CHECK(sim.eval("print(orscript.key_info('sales-copilot').limit)") == "null\n");
  {
    ot::Pty pty(argv, opts);
    pty.expect("Type 'apply' to make these 15 changes: ");
    pty.send("apply\r");
    pty.expect("15 of 15 changes applied");
    CHECK(pty.wait() == 0);
  }
  CHECK(sim.eval("print(orscript.key_info('sales-copilot').limit)") == "190\n");
}
