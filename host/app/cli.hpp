// cli.hpp: the orscript command line.
//
// Owns: parsing argv into CliOptions (the `lua`/`luajit` conventions plus orscript's
// own flags) and the --help text with the exit codes. Does not own: running anything,
// or where the key and base URL come from (it only collects the flags; see
// resolve_api_key and resolve_base_url in host/net/api_client.hpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>


namespace orscript::cli {

struct Action {
  enum Kind { execute, library } kind;  // -e chunk, -l name
  std::string text;
};

struct CliOptions {
  std::vector<Action> actions;      // -e / -l in command-line order
  bool interactive = false;         // -i
  bool version = false, help = false;
  std::optional<std::string> script;  // a path, or "-" for stdin
  std::size_t script_index = 0;       // index of the script in argv (argv.size() if none)
  std::vector<std::string> script_args;
  std::string format;                 // --format: how -e results and `query` print ("" = off)

  // The API.
  std::string base_url;                       // --base-url (else OPENROUTER_BASE_URL)
  std::string api_key_file;                   // --api-key-file
  std::optional<std::string> api_key_flag;    // --api-key (visible in ps: warned)
  std::string ca_file;                        // --ca-file
  std::string referer, title, categories;     // attribution headers
  std::optional<double> timeout_s;            // --timeout: read deadline per request
  bool verbose = false, dry_run = false, no_rate_limit = false;

  // The simulator.
  bool demo = false, serve = false, tls = false;
  std::string scenario = "demo";
  std::uint64_t seed = 1;
  std::optional<std::int64_t> now_ms;
  std::uint16_t port = 0;
  std::vector<std::string> faults;
  std::string cert_dir;
};

// Throws orscript::Error(usage) naming the bad argument and the fix.
CliOptions parse(const std::vector<std::string>& argv);
std::string help_text(const std::string& program);
std::string version_text();

}  // namespace orscript::cli
