// main.cpp: orscript's entry point. Parses the command line, sets up the API client
// or the in-process simulator (which it owns: the bindings reach it only through
// DemoControl), then runs -e/-l actions, the script and the REPL in the order `lua`
// does. Every failure ends in one message and a documented exit code.
#include <unistd.h>

#include <cstring>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "bindings/host_context.hpp"
#include "bindings/oneliner.hpp"
#include "bindings/runtime.hpp"
#include "host/app/cli.hpp"
#include "host/app/help_doc.hpp"
#include "host/app/repl.hpp"
#include "host/core/error.hpp"
#include "host/core/install_layout.hpp"
#include "host/core/interrupt.hpp"
#include "host/core/platform.hpp"
#include "host/net/api_client.hpp"
#include "sim/simulator.hpp"

namespace orscript {
namespace {

std::string cache_dir() {
  if (const char* d = std::getenv("ORSCRIPT_CACHE_DIR")) return d;
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return std::string(x) + "/orscript";
  if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.cache/orscript";
  return "";
}

sim::Options sim_options(const cli::CliOptions& o) {
  sim::Options s;
  s.scenario = o.scenario;
  s.seed = o.seed;
  s.now_ms = o.now_ms;
  s.port = o.port;
  s.tls = o.tls;
  s.cert_dir = o.cert_dir;
  s.faults = o.faults;
  s.rate_limits = !o.no_rate_limit;
  return s;
}

// The demo server as the Lua side sees it: its ground truth, nothing else.
class SimDemoControl final : public DemoControl {
 public:
  explicit SimDemoControl(const sim::Server& server) : server_(server) {}
  boost::json::value ground_truth() const override { return server_.ground_truth(); }

 private:
  const sim::Server& server_;
};

// Keeps a real key out of places it could leak from: no core dump (and no ptrace
// attach by other processes of the user) once the key is in memory, and an --api-key
// value overwritten in argv so /proc/<pid>/cmdline stops showing it after start-up.
void protect_key(int argc, char** argv, const Secret& key) {
  if (key.empty()) return;
  platform::deny_core_dumps_and_tracing();
  const std::string& k = key.reveal();
  for (int i = 1; i < argc; ++i) {
    if (char* hit = std::strstr(argv[i], k.c_str())) std::memset(hit, 'x', k.size());
  }
}

int run(int argc, char** argv) {
  std::vector<std::string> args(argv, argv + argc);
  if (auto code = help_doc::run_hidden(args, cache_dir())) return *code;  // --complete, --man
  cli::CliOptions o = cli::parse(args);
  // A shipped recipe runs by name (`orscript --demo cost_review`) when no such file is here.
  if (o.script && *o.script != "-" && !std::filesystem::exists(*o.script)) {
    if (auto recipe = layout::find_recipe(*o.script)) args[o.script_index] = *o.script = recipe->string();
  }
  if (o.help) {
    std::fputs(cli::help_text("orscript").c_str(), stdout);
    return exit_code::ok;
  }
  if (o.version) {
    std::puts(cli::version_text().c_str());
    if (!o.script && o.actions.empty() && !o.interactive) return exit_code::ok;
  }
  if (o.serve) return sim::serve_forever(sim_options(o));

  install_interrupt_handler();
  // Declared before the context and the runtime, so it stops after they are gone.
  std::unique_ptr<sim::Server> demo_server;
  std::unique_ptr<SimDemoControl> demo_control;
  HostContext ctx;
  ctx.now_ms = o.now_ms;
  ctx.cache_dir = cache_dir();
  auto& co = ctx.client_options;
  co.verbose = o.verbose;
  co.dry_run = o.dry_run;
  co.rate_limit = !o.no_rate_limit;
  co.ca_file = o.ca_file;
  co.http_referer = o.referer;
  co.app_title = o.title;
  co.app_categories = o.categories;
  if (o.timeout_s) co.read_timeout = std::chrono::milliseconds(static_cast<long long>(*o.timeout_s * 1000));

  if (o.demo) {
    if (!o.base_url.empty()) throw Error(ErrorKind::usage, "--demo and --base-url exclude each other: --demo serves its own API");
    ctx.demo = true;
    demo_server = sim::Server::start(sim_options(o));
    demo_control = std::make_unique<SimDemoControl>(*demo_server);
    ctx.demo_control = demo_control.get();
    co.base_url = demo_server->base_url();
    // A real key never goes to the simulator; an explicit --api-key is for trying
    // the demo with another kind of key.
    co.api_key = o.api_key_flag ? Secret(*o.api_key_flag) : Secret(demo_server->management_key());
    if (!o.ca_file.empty() || o.tls) co.ca_file = demo_server->ca_file();
    ctx.demo_description = "scenario " + o.scenario + ", seed " + std::to_string(o.seed);
    std::fprintf(stderr, "orscript: demo mode: simulated data (%s); nothing is sent to openrouter.ai\n",
                 ctx.demo_description.c_str());
  } else {
    co.base_url = net::resolve_base_url(o.base_url);
    auto say = [](std::string_view w) { std::fprintf(stderr, "%.*s\n", int(w.size()), w.data()); };
    co.api_key = net::resolve_api_key(o.api_key_file, o.api_key_flag.value_or(""), say,
                                      o.verbose ? std::function<void(std::string_view)>(say) : nullptr);
    protect_key(argc, argv, co.api_key);
  }

  Runtime rt(ctx);
  // Scripts hear about the first Ctrl-C; the REPL (which just cancels) clears this.
  set_interrupt_notice("\norscript: interrupting (press Ctrl-C again to kill)\n");
  rt.set_arg_table(args, o.script ? o.script_index : args.size());
  for (auto& a : o.actions) {
    int code = a.kind == cli::Action::library ? rt.require_global(a.text)
               : o.format.empty()              ? rt.run_string(a.text, "=(command line)")
                                               : run_formatted_chunk(rt, a.text, o.format);
    if (code != 0) return code;
  }
  bool ran_something = !o.actions.empty();
  if (o.script && is_query_command(*o.script)) {
    int code = run_query_command(rt, o.script_args, o.format);
    if (code != 0 || !o.interactive) return code;
  } else if (o.script) {
    if (*o.script != "-") rt.add_script_dir(*o.script);
    int code = rt.run_file(*o.script, o.script_args);
    if (code != 0) return code;
  } else if (!ran_something && !o.interactive && !o.version) {
    // No script: a terminal gets the REPL, a pipe is run as a script (as lua does).
    if (isatty(0)) return run_repl(rt);
    return rt.run_file("-", {});
  }
  if (o.interactive) return run_repl(rt);
  return exit_code::ok;
}

}  // namespace
}  // namespace orscript

int main(int argc, char** argv) {
  using namespace orscript;
  try {
    int code = run(argc, argv);
    std::fflush(stdout);
    return code;
  } catch (const Error& e) {
    std::fflush(stdout);
    std::fprintf(stderr, "orscript: %s\n", e.what());
    return exit_code_for(e.kind);
  } catch (const std::exception& e) {
    std::fflush(stdout);
    std::fprintf(stderr, "orscript: internal error: %s\n", e.what());
    return exit_code::internal;
  }
}
