// code_scan.hpp: finding where names from the API (model slugs, key names, app names and
// origins, environment-variable names) appear in a source tree.
//
// Owns: choosing the files of a tree (inside a git work tree `git ls-files --cached --others
// --exclude-standard`, git's own ignore engine; elsewhere a walk with a fixed list of skipped
// folders), skipping binary and huge files, matching every needle at once (Aho-Corasick) with
// exact-boundary rules, telling comments from code per language, and naming the variable or
// key a match is assigned to. Does not own: which needles a finding has (recipes/review_code.lua)
// or the Lua view of the result (bindings/code_binding.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace orscript::code {

// Where a match sits, best first: assigned to a name, a bare value in code or config, a comment.
enum class Place { assignment = 0, value = 1, comment = 2 };
std::string_view place_name(Place p);

struct Needle {
  std::string text;  // matched exactly (case-sensitive), at least 3 bytes
  std::string kind;  // caller's label, returned with each match ("model", "key", ...)
};

struct ScanOptions {
  std::vector<std::string> dirs;
  std::vector<Needle> needles;
  std::uintmax_t max_file_bytes = 1024 * 1024;  // larger files are skipped (counted)
  bool use_git = true;                          // false: always walk the tree
  bool include_comments = false;                // matches in comments are dropped unless set
  std::size_t limit = 10000;                    // at most this many matches (then `truncated`)
};

struct Match {
  std::string root;    // the dir as given
  std::string file;    // path relative to root, '/'-separated
  int line = 0;        // 1-based
  int column = 0;      // 1-based byte column
  std::string text;    // the line, trimmed, secret-looking tokens masked, at most ~200 bytes
  std::string name;    // the variable or key the value is assigned to, or empty
  std::string needle;  // the needle's text
  std::string kind;    // the needle's kind
  Place place = Place::value;
};

struct ScanResult {
  std::vector<Match> matches;  // sorted: place, then root order, file, line, column
  std::size_t files = 0;       // files read and searched
  std::uintmax_t bytes = 0;    // bytes searched
  std::size_t skipped_binary = 0, skipped_large = 0;
  std::vector<std::string> modes;  // per dir: "git" or "walk"
  bool truncated = false;
};

// Scans every dir for every needle. Throws Error(usage) for a dir that is not a folder,
// an empty or too-short needle, or needles too large to index (> 256 KiB in all).
ScanResult scan(const ScanOptions& opts);

// --- parts, exposed for the unit tests ---

enum class Lang { python, ruby, yaml, toml, hcl, env, ini, json, clike, rust, dockerfile, none };
// The language of a file name (not a path), or Lang::none when the file is not scanned.
Lang lang_of(std::string_view file_name);
// True for folder names never searched (.git, node_modules, vendor, dist, build, ...).
bool skipped_dir(std::string_view dir_name);
// True when the match [begin, end) of `text` stands alone (no slug character touches it).
bool at_boundary(std::string_view text, std::size_t begin, std::size_t end);
// For each offset (ascending), whether it lies inside a comment of `text` in language `lang`.
std::vector<bool> in_comment(std::string_view text, Lang lang, const std::vector<std::size_t>& offsets);
// The name the value starting at `column` (0-based) of `line` is assigned to, or "".
// `before` is the text of the file before the line (YAML list items look up to their key).
std::string assigned_name(std::string_view line, std::size_t column, Lang lang, std::string_view before = {});
// `line` with tokens that look like secrets (sk-..., long random strings) masked.
std::string mask_secrets(std::string_view line);

}  // namespace orscript::code
