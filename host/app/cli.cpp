#include "host/app/cli.hpp"

#include <charconv>
#include <cstdlib>
#include <sstream>

#include "host/core/build_info.hpp"
#include "host/core/error.hpp"
#include "host/core/iso_time.hpp"
#include "orscript_build_config.hpp"

namespace orscript::cli {
namespace {

[[noreturn]] void bad(const std::string& msg) {
  throw Error(ErrorKind::usage, msg + " (see orscript --help)");
}

std::uint64_t to_uint(const std::string& flag, const std::string& v, std::uint64_t max) {
  if (v.empty() || v.find_first_not_of("0123456789") != std::string::npos)
    bad(flag + " expects a whole number, got '" + echo_input(v) + "'");
  std::uint64_t n = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || end != v.data() + v.size() || n > max)
    bad(flag + " must be at most " + std::to_string(max) + ", got " + echo_input(v));
  return n;
}

}  // namespace

CliOptions parse(const std::vector<std::string>& argv) {
  CliOptions o;
  o.script_index = argv.size();
  std::size_t i = 1;
  auto value = [&](const std::string& flag, std::string& inline_value, bool has_inline) -> std::string {
    if (has_inline) return inline_value;
    if (i + 1 >= argv.size()) bad(flag + " needs a value");
    return argv[++i];
  };
  for (; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (a == "--") {
      ++i;
      break;
    }
    if (a == "-") break;  // stdin script
    if (a.size() < 2 || a[0] != '-') break;  // the script
    // Lua's short options: -e chunk, -l name (also glued: -lname), -i, -v, -h
    if (a[1] != '-') {
      char c = a[1];
      std::string rest = a.substr(2);
      if (c == 'e' || c == 'l') {
        if (rest.empty() && i + 1 >= argv.size()) bad(std::string("-") + c + " needs an argument");
        std::string text = !rest.empty() ? rest : argv[++i];
        o.actions.push_back({c == 'e' ? Action::execute : Action::library, text});
        continue;
      }
      if (!rest.empty()) bad("unknown option '" + a + "'");
      if (c == 'i') o.interactive = true;
      else if (c == 'v') o.version = true;
      else if (c == 'h') o.help = true;
      else if (c == 'V') o.verbose = true;
      else bad("unknown option '" + a + "'");
      continue;
    }
    // Long options, as --name value or --name=value.
    std::string name = a, inline_value;
    bool has_inline = false;
    if (auto eq = a.find('='); eq != std::string::npos) {
      name = a.substr(0, eq);
      inline_value = a.substr(eq + 1);
      has_inline = true;
    }
    auto flag_only = [&] {
      if (has_inline) bad(name + " takes no value");
    };
    if (name == "--version") flag_only(), o.version = true;
    else if (name == "--help") flag_only(), o.help = true;
    else if (name == "--demo") flag_only(), o.demo = true;
    else if (name == "--serve") flag_only(), o.serve = true;
    else if (name == "--tls") flag_only(), o.tls = true;
    else if (name == "--verbose") flag_only(), o.verbose = true;
    else if (name == "--dry-run") flag_only(), o.dry_run = true;
    else if (name == "--no-rate-limit") flag_only(), o.no_rate_limit = true;
    else if (name == "--scenario") o.scenario = value(name, inline_value, has_inline);
    else if (name == "--seed") o.seed = to_uint(name, value(name, inline_value, has_inline), UINT64_MAX);
    else if (name == "--port") o.port = static_cast<std::uint16_t>(to_uint(name, value(name, inline_value, has_inline), 65535));
    else if (name == "--fault") o.faults.push_back(value(name, inline_value, has_inline));
    else if (name == "--cert-dir") o.cert_dir = value(name, inline_value, has_inline);
    else if (name == "--format") {
      o.format = value(name, inline_value, has_inline);
      if (o.format != "table" && o.format != "csv" && o.format != "json" && o.format != "jsonl" &&
          o.format != "markdown" && o.format != "box" && o.format != "line")
        bad("--format expects table, csv, json, jsonl, markdown, box or line, got '" + o.format + "'");
    }
    else if (name == "--base-url") o.base_url = value(name, inline_value, has_inline);
    else if (name == "--api-key-file") o.api_key_file = value(name, inline_value, has_inline);
    else if (name == "--api-key") o.api_key_flag = value(name, inline_value, has_inline);
    else if (name == "--ca-file") o.ca_file = value(name, inline_value, has_inline);
    else if (name == "--referer") o.referer = value(name, inline_value, has_inline);
    else if (name == "--title") o.title = value(name, inline_value, has_inline);
    else if (name == "--categories") o.categories = value(name, inline_value, has_inline);
    else if (name == "--timeout") {
      std::string v = value(name, inline_value, has_inline);
      char* end = nullptr;
      double t = std::strtod(v.c_str(), &end);
      if (v.empty() || *end || !(t >= 0.001) || t > 3600)
        bad("--timeout expects seconds between 0.001 and 3600, got '" + echo_input(v) + "'");
      o.timeout_s = t;
    } else if (name == "--now") {
      std::string v = value(name, inline_value, has_inline);
      auto ms = parse_iso8601(v);
      if (!ms) bad("--now expects an ISO-8601 UTC time such as 2026-11-18T12:00:00Z, got '" + echo_input(v) + "'");
      o.now_ms = *ms;
    } else {
      bad("unknown option '" + echo_input(name) + "'");
    }
  }
  if (i < argv.size()) {
    o.script = argv[i];
    o.script_index = i;
    o.script_args.assign(argv.begin() + static_cast<long>(i) + 1, argv.end());
  }
  if (o.api_key_flag && o.api_key_flag->empty()) bad("--api-key is empty");
  if (o.serve && o.script) bad("--serve runs the simulator only; it takes no script");
  if (!o.format.empty() && o.actions.empty() && !(o.script && *o.script == "query"))
    bad("--format prints what -e chunks return and the query command's result; add -e 'return ...' or use query");
  return o;
}

std::string version_text() { return std::string("orscript " ORSCRIPT_VERSION " (git ") + build_revision() + ", LuaJIT 2.1)"; }

std::string help_text(const std::string& p) {
  std::ostringstream o;
  o << "usage: " << p << R"( [options] [script [args...]]

Runs Lua scripts against OpenRouter's usage and analytics API. With no script and a
terminal on stdin it opens a REPL; with no script and a pipe it runs stdin. A script
that is not a file here may name a shipped recipe: orscript --demo cost_review.

Lua options (as in lua and luajit):
  -e chunk          run the string 'chunk'
  -l name           require library 'name' into the global 'name'
  -i                enter the REPL after running the script
  -                 run stdin as the script (stop handling options)
  --                stop handling options
  -v, --version     print the version
  -h, --help        print this help
  --format F        print what each -e chunk returns as F: table, csv, json, jsonl,
                    markdown, box or line (e.g. --format csv -e 'return orscript.keys()')

One-liners (no Lua):
  query METRICS [by DIMS] [--last-month|--last-days N|...] [--top N] [--format F]
                    run one analytics query and print it, e.g.
                    orscript --demo query total_usage by model --last-month --top 5 --format csv;
                    `orscript query --help` lists its options

The API:
  --api-key-file F  read the management key from the first line of file F
  --api-key KEY     the key itself (visible in the process list; prefer the file or env)
  --base-url URL    API base: an origin (https://openrouter.ai) or a full base ending
                    in /api/v1; default https://openrouter.ai/api/v1
  --ca-file F       also trust the CA certificate(s) in F (PEM)
  --timeout S       read deadline per request, in seconds (default 60)
  --referer URL, --title NAME, --categories LIST
                    send the HTTP-Referer / X-OpenRouter-Title / X-OpenRouter-Categories headers
  -V, --verbose     log every request (method, path, status, time, bytes, retries) to stderr
  --dry-run         print request bodies instead of sending them
  --no-rate-limit   do not hold requests under the API's rate limits (with --demo, also
                    lifts the simulator's limits; for tests and benchmarks)

The simulator (no key needed, nothing leaves this machine):
  --demo            run the script against a simulated organisation on loopback
  --serve           only serve the simulated API until Ctrl-C (for curl, SDKs, benchmarks)
  --scenario NAME   shipped scenario (demo, lean) or a scenario file; default demo
  --seed N          scenario seed (default 1)
  --now TIME        fix "now" (ISO-8601 UTC) for reproducible runs
  --port N          port for --serve (default: any free port)
  --tls             serve HTTPS with a certificate made at start-up
  --cert-dir D      with --tls, keep the certificate's ca.pem in folder D
  --fault SPEC      inject faults, e.g. 'analytics/query:latency=100ms' (see docs/simulator.md)

Environment:
  OPENROUTER_API_KEY   the key, when no --api-key-file or --api-key is given
  OPENROUTER_BASE_URL  the API base, when no --base-url is given (origin or full base)
  ORSCRIPT_PATH        extra folders (or ?.lua templates) for require, ';' or ':' separated
  ORSCRIPT_CACHE_DIR   where the schema cache lives (default $XDG_CACHE_HOME/orscript)
  NO_COLOR             no colour in reports

Files:
  $XDG_CACHE_HOME/orscript/meta-*.json    the analytics catalogue per account (24 h)
  $XDG_STATE_HOME/orscript/history        REPL history, never holding the key
                                          (default ~/.local/state/orscript/history)
  $XDG_CONFIG_HOME/orscript/init.lua      run when the REPL starts (or $ORSCRIPT_INIT)
  ~/.config/orscript/key                  a usual place for --api-key-file (mode 600)
  <prefix>/share/orscript                 the Lua library, recipes, scenarios and editor
                                          annotations (scripts/orscript/meta), found
                                          beside the binary: <prefix>/bin/orscript

Exit codes:
  0    success
  1    error in the Lua script (syntax or runtime)
  2    usage: a bad option, argument or query (nothing was sent)
  3    auth: no key, a rejected key, or an inference key where a management key is needed
  4    api: the API refused the request or failed (400, 404, 408, 5xx after retries)
  5    rate limited: 429 after every retry
  6    network: connection, TLS or timeout failure
  7    data: the result cannot answer as asked (e.g. a sum over a truncated result)
  70   internal error in orscript (please report it)
  130  interrupted (Ctrl-C)
)";
  return o.str();
}

}  // namespace orscript::cli
