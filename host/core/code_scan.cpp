// code_scan.cpp: see code_scan.hpp.
#include "host/core/code_scan.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <array>
#include <cerrno>
#include <cstring>
#include <deque>
#include <exception>
#include <filesystem>
#include <system_error>
#include <thread>

#include "host/core/error.hpp"
#include "host/core/platform.hpp"

extern char** environ;

namespace orscript::code {
namespace fs = std::filesystem;

std::string_view place_name(Place p) {
  switch (p) {
    case Place::assignment: return "assignment";
    case Place::value: return "value";
    case Place::comment: return "comment";
  }
  return "value";
}

// ---------------------------------------------------------------------------------------
// Which files

namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}
bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

}  // namespace

Lang lang_of(std::string_view name) {
  if (name == "Dockerfile" || name == "Containerfile" || starts_with(name, "Dockerfile.") || ends_with(name, ".dockerfile"))
    return Lang::dockerfile;
  if (name == ".env" || starts_with(name, ".env.") || ends_with(name, ".env")) return Lang::env;
  if (ends_with(name, ".min.js")) return Lang::none;  // minified bundles: generated
  auto dot = name.rfind('.');
  if (dot == std::string_view::npos) return Lang::none;
  std::string_view ext = name.substr(dot + 1);
  if (ext == "py") return Lang::python;
  if (ext == "rb") return Lang::ruby;
  if (ext == "yaml" || ext == "yml") return Lang::yaml;
  if (ext == "toml") return Lang::toml;
  if (ext == "tf" || ext == "tfvars" || ext == "hcl") return Lang::hcl;
  if (ext == "ini" || ext == "cfg") return Lang::ini;
  if (ext == "json") return Lang::json;
  if (ext == "rs") return Lang::rust;
  if (ext == "ts" || ext == "tsx" || ext == "js" || ext == "jsx" || ext == "mjs" || ext == "cjs" || ext == "go" ||
      ext == "java" || ext == "cs")
    return Lang::clike;
  return Lang::none;
}

bool skipped_dir(std::string_view d) {
  static constexpr std::array<std::string_view, 26> kSkip = {
      ".git", ".hg", ".svn", "node_modules", "bower_components", "vendor", "third_party", "third-party",
      "dist", "build", "target", "out", "__pycache__", ".venv", "venv", ".tox", ".mypy_cache",
      ".pytest_cache", ".ruff_cache", ".next", ".nuxt", ".terraform", ".gradle", "Pods", "generated", "coverage"};
  return std::find(kSkip.begin(), kSkip.end(), d) != kSkip.end();
}

// ---------------------------------------------------------------------------------------
// Matching

namespace {

bool slug_char(unsigned char c) {
  return std::isalnum(c) || c == '_' || c == '-' || c == '/' || c == '@' || c >= 0x80;
}
bool word_char(unsigned char c) { return std::isalnum(c) || c == '_' || c >= 0x80; }

}  // namespace

bool at_boundary(std::string_view t, std::size_t b, std::size_t e) {
  if (b > 0) {
    unsigned char p = static_cast<unsigned char>(t[b - 1]);
    if (slug_char(p)) return false;  // '.' may precede: process.env.NAME
  }
  if (e < t.size()) {
    unsigned char n = static_cast<unsigned char>(t[e]);
    if (slug_char(n)) return false;
    // "gpt-4o." ends a sentence; "gpt-4o.5" or "gpt-4o:free" is another name.
    if ((n == '.' || n == ':') && e + 1 < t.size() && word_char(static_cast<unsigned char>(t[e + 1]))) return false;
  }
  return true;
}

namespace {

// Aho-Corasick over byte classes (only bytes that occur in needles get their own class),
// compiled to a full transition table: one lookup per byte of input.
class Automaton {
 public:
  explicit Automaton(const std::vector<Needle>& needles) {
    std::array<bool, 256> used{};
    for (const auto& n : needles)
      for (unsigned char c : n.text) used[c] = true;
    classes_ = 1;
    for (int c = 0; c < 256; ++c) cls_[c] = used[c] ? static_cast<std::uint8_t>(classes_++) : 0;
    // Trie.
    next_.assign(classes_, -1);
    out_.push_back({});
    for (std::size_t i = 0; i < needles.size(); ++i) {
      int s = 0;
      for (unsigned char c : needles[i].text) {
        int& t = next_[static_cast<std::size_t>(s) * classes_ + cls_[c]];
        if (t < 0) {
          t = static_cast<int>(out_.size());
          out_.push_back({});
          next_.resize(next_.size() + classes_, -1);
        }
        s = next_[static_cast<std::size_t>(s) * classes_ + cls_[c]];
      }
      if (out_[s].empty()) out_[s].push_back(static_cast<int>(i));  // a repeated needle: the first
    }
    // Failure links, breadth first, filling the missing transitions.
    std::vector<int> fail(out_.size(), 0);
    std::deque<int> q;
    for (int c = 0; c < classes_; ++c) {
      int& t = next_[c];
      if (t < 0) t = 0;
      else q.push_back(t);
    }
    while (!q.empty()) {
      int s = q.front();
      q.pop_front();
      for (int c = 0; c < classes_; ++c) {
        int& t = next_[static_cast<std::size_t>(s) * classes_ + c];
        int f = next_[static_cast<std::size_t>(fail[s]) * classes_ + c];
        if (t < 0) {
          t = f;
        } else {
          fail[t] = f;
          out_[t].insert(out_[t].end(), out_[f].begin(), out_[f].end());
          q.push_back(t);
        }
      }
    }
    // The scan table: each entry is the next state's row offset, its top bit set when the
    // state ends a needle (one load per byte, no multiply).
    table_.resize(next_.size());
    for (std::size_t i = 0; i < next_.size(); ++i) {
      auto t = static_cast<std::uint32_t>(next_[i]);
      table_[i] = t * static_cast<std::uint32_t>(classes_) | (out_[t].empty() ? 0u : kHit);
    }
  }

  // Calls f(needle index, end offset) for every occurrence.
  template <class F>
  void run(std::string_view text, F&& f) const {
    std::uint32_t v = 0;
    const auto* p = reinterpret_cast<const unsigned char*>(text.data());
    const std::uint32_t* table = table_.data();
    for (std::size_t i = 0, n = text.size(); i < n; ++i) {
      v = table[(v & ~kHit) + cls_[p[i]]];
      if (v & kHit) [[unlikely]]
        for (int id : out_[(v & ~kHit) / static_cast<std::uint32_t>(classes_)]) f(id, i + 1);
    }
  }

 private:
  std::array<std::uint8_t, 256> cls_{};
  int classes_ = 1;
  std::vector<int> next_;
  std::vector<std::vector<int>> out_;
  std::vector<std::uint32_t> table_;
  static constexpr std::uint32_t kHit = 0x80000000u;
};

}  // namespace

// ---------------------------------------------------------------------------------------
// Comments

std::vector<bool> in_comment(std::string_view t, Lang lang, const std::vector<std::size_t>& offsets) {
  std::vector<bool> res(offsets.size(), false);
  const bool hash = lang == Lang::python || lang == Lang::ruby || lang == Lang::yaml || lang == Lang::toml ||
                    lang == Lang::hcl || lang == Lang::env || lang == Lang::ini || lang == Lang::dockerfile;
  const bool slash = lang == Lang::clike || lang == Lang::rust || lang == Lang::hcl;
  // In these, '#' (and ';' in ini) opens a comment only first on a line (yaml: after a blank).
  const bool line_start_only = lang == Lang::env || lang == Lang::ini || lang == Lang::dockerfile;
  const bool backtick = lang == Lang::clike;
  const bool single = lang != Lang::rust && lang != Lang::json;
  enum { code, line_c, block_c, str } st = code;
  char delim = 0;
  bool triple = false, blank_so_far = true;
  std::size_t k = 0;
  const std::size_t n = t.size();
  std::size_t stop = offsets.empty() ? 0 : offsets.back() + 1;
  for (std::size_t i = 0; i < n && i < stop; ++i) {
    while (k < offsets.size() && offsets[k] == i) res[k++] = (st == line_c || st == block_c);
    char c = t[i];
    switch (st) {
      case code:
        if (c == '\n') { blank_so_far = true; continue; }
        if (hash && (c == '#' || (lang == Lang::ini && c == ';'))) {
          bool ok = line_start_only ? blank_so_far
                    : lang == Lang::yaml ? (i == 0 || t[i - 1] == ' ' || t[i - 1] == '\t' || t[i - 1] == '\n')
                                         : true;
          if (ok) { st = line_c; break; }
        }
        if (slash && c == '/' && i + 1 < n && (t[i + 1] == '/' || t[i + 1] == '*')) {
          st = t[i + 1] == '/' ? line_c : block_c;
          ++i;
          while (k < offsets.size() && offsets[k] == i) res[k++] = true;
          break;
        }
        if (c == '"' || (c == '\'' && single) || (c == '`' && backtick)) {
          // A quote right after a word character is an apostrophe ("don't"), not a string.
          if (c == '\'' && i > 0 && word_char(static_cast<unsigned char>(t[i - 1]))) break;
          delim = c;
          triple = lang == Lang::python && i + 2 < n && t[i + 1] == c && t[i + 2] == c;
          if (triple) {
            i += 2;
            while (k < offsets.size() && offsets[k] <= i) res[k++] = false;
          }
          st = str;
        }
        if (c != ' ' && c != '\t' && c != '\r') blank_so_far = false;
        break;
      case line_c:
        if (c == '\n') { st = code; blank_so_far = true; }
        break;
      case block_c:
        if (c == '*' && i + 1 < n && t[i + 1] == '/') {
          ++i;
          while (k < offsets.size() && offsets[k] == i) res[k++] = true;
          st = code;
        }
        break;
      case str:
        if (c == '\\' && delim != '`') {
          ++i;
          while (k < offsets.size() && offsets[k] == i) res[k++] = false;
        } else if (c == '\n' && !triple && delim != '`' && lang != Lang::rust) {
          st = code;  // an unterminated one-line string: resynchronise at the line end
          blank_so_far = true;
        } else if (c == delim) {
          if (!triple) st = code;
          else if (i + 2 < n && t[i + 1] == c && t[i + 2] == c) {
            i += 2;
            while (k < offsets.size() && offsets[k] <= i) res[k++] = false;
            st = code;
          }
        }
        break;
    }
  }
  return res;
}

// ---------------------------------------------------------------------------------------
// Names

namespace {

std::string_view rtrim(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}
std::string_view ltrim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  return s;
}
bool name_char(unsigned char c) {
  return std::isalnum(c) || c == '_' || c == '-' || c == '.' || c == '$' || c == '@' || c == '"' || c == '\'' ||
         c == '`' || c == '[' || c == ']' || c == ':' || c >= 0x80;
}
bool is_type_word(std::string_view w) {
  static constexpr std::array<std::string_view, 12> kTypes = {
      "string", "String", "str", "const", "var", "let", "val", "final", "static", "readonly", "Option<String>",
      "Optional[str]"};
  return std::find(kTypes.begin(), kTypes.end(), w) != kTypes.end();
}

// The identifier that ends `s` (after trimming), cleaned of quotes, symbol colons, and
// reduced to the key of a subscript (cfg["model"] -> model).
std::string last_name(std::string_view s) {
  s = rtrim(s);
  std::size_t b = s.size();
  while (b > 0 && name_char(static_cast<unsigned char>(s[b - 1]))) --b;
  std::string_view w = s.substr(b);
  // A subscript: take the key inside the last brackets.
  if (w.size() > 2 && w.back() == ']') {
    auto open = w.rfind('[');
    if (open != std::string_view::npos) w = w.substr(open + 1, w.size() - open - 2);
  }
  while (!w.empty() && (w.front() == '"' || w.front() == '\'' || w.front() == '`' || w.front() == ':' ||
                        w.front() == '$' || w.front() == '.' || w.front() == '@' || w.front() == '['))
    w.remove_prefix(1);
  while (!w.empty() && (w.back() == '"' || w.back() == '\'' || w.back() == '`' || w.back() == ':' || w.back() == '.'))
    w.remove_suffix(1);
  return std::string(w);
}

// A name that is a type or declarator word ("const model: string =") gives way to the one before.
std::string declared_name(std::string_view s) {
  s = rtrim(s);
  std::string n = last_name(s);
  for (int guard = 0; guard < 3 && is_type_word(n); ++guard) {
    std::size_t b = s.size();
    while (b > 0 && name_char(static_cast<unsigned char>(s[b - 1]))) --b;
    s = s.substr(0, b);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == ':' || s.back() == '&' || s.back() == '*'))
      s.remove_suffix(1);
    std::string before = last_name(s);
    if (before.empty()) break;
    n = before;
  }
  // "const model" left the declarator in front: keep only the last word.
  return n;
}

}  // namespace

std::string assigned_name(std::string_view line, std::size_t column, Lang lang, std::string_view before) {
  std::string_view p = rtrim(line.substr(0, std::min(column, line.size())));
  // The opening quote of the value, and Python's string prefixes (f"", r"", b"").
  if (!p.empty() && (p.back() == '"' || p.back() == '\'' || p.back() == '`')) {
    p.remove_suffix(1);
    std::size_t letters = 0;
    while (letters < 2 && letters < p.size() && std::strchr("fFrRbBuU", p[p.size() - 1 - letters])) ++letters;
    if (letters > 0 && (letters == p.size() || !word_char(static_cast<unsigned char>(p[p.size() - 1 - letters]))))
      p.remove_suffix(letters);
    p = rtrim(p);
  }
  // Dockerfile: ENV NAME value / ARG NAME=value.
  if (lang == Lang::dockerfile) {
    std::string_view l = ltrim(p);
    if (starts_with(l, "ENV ") || starts_with(l, "ARG ")) {
      l = ltrim(l.substr(4));
      if (!l.empty() && l.back() == '=') l.remove_suffix(1);
      l = rtrim(l);
      if (!l.empty() && l.find(' ') == std::string_view::npos) return std::string(l);
    }
  }
  // A list opened right after an assignment: MODELS = ["...".
  if (!p.empty() && (p.back() == '[' || p.back() == '{' || p.back() == '(')) {
    std::string_view q = rtrim(p.substr(0, p.size() - 1));
    if (!q.empty() && (q.back() == '=' || q.back() == ':')) p = q;
  }
  if (p.empty()) return "";
  char last = p.back();
  if (last == '=' || last == ':' || (last == '>' && p.size() >= 2 && p[p.size() - 2] == '=')) {
    if (last == '>') p.remove_suffix(2);
    else {
      p.remove_suffix(1);
      if (last == '=' && !p.empty()) {
        char c = p.back();
        if (c == '=' || c == '!' || c == '<' || c == '>') return "";  // a comparison
        if (c == ':' || c == '+' || c == '?' || c == '|') p.remove_suffix(1);  // := += ?= ||=
      }
    }
    if (lang == Lang::yaml || lang == Lang::env || lang == Lang::ini) {
      // The key is what starts the line (after "- " in a list of maps, "export " in .env).
      std::string_view l = ltrim(p);
      if (starts_with(l, "- ")) l = ltrim(l.substr(2));
      if (starts_with(l, "export ")) l = ltrim(l.substr(7));
      std::string n = last_name(l);
      if (!n.empty()) return n;
    }
    return declared_name(p);
  }
  // A call whose first argument is the key: set("X-Title", "Acme").
  if (last == ',') {
    std::string_view q = rtrim(p.substr(0, p.size() - 1));
    if (!q.empty() && (q.back() == '"' || q.back() == '\'')) {
      char d = q.back();
      auto open = q.rfind(d, q.size() - 2);
      if (open != std::string_view::npos && open > 0) {
        std::string_view key = q.substr(open + 1, q.size() - open - 2);
        std::string_view head = rtrim(q.substr(0, open));
        if (!head.empty() && head.back() == '(' && !key.empty() && key.find_first_of("/ ") == std::string_view::npos)
          return std::string(key);
      }
    }
    return "";
  }
  // A YAML list item ("- openai/gpt-4o"): the key above it.
  if (lang == Lang::yaml && ltrim(p) == "-") {
    std::size_t indent = p.size() - ltrim(p).size();
    std::string_view rest = before;
    while (!rest.empty()) {
      if (rest.back() == '\n') rest.remove_suffix(1);
      auto nl = rest.rfind('\n');
      std::string_view l = nl == std::string_view::npos ? rest : rest.substr(nl + 1);
      rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(0, nl + 1);
      std::string_view body = rtrim(l);
      std::size_t ind = body.size() - ltrim(body).size();
      if (ltrim(body).empty() || ltrim(body).front() == '#') continue;
      if (ind < indent || (ind == indent && ltrim(body).front() != '-')) {
        if (!body.empty() && body.back() == ':') return last_name(body.substr(0, body.size() - 1));
        return "";
      }
    }
  }
  return "";
}

std::string mask_secrets(std::string_view line) {
  std::string out;
  out.reserve(line.size());
  std::size_t i = 0;
  auto tok = [](unsigned char c) { return std::isalnum(c) || c == '_' || c == '-' || c == '+' || c == '='; };
  while (i < line.size()) {
    if (!tok(static_cast<unsigned char>(line[i]))) {
      out += line[i++];
      continue;
    }
    std::size_t j = i;
    while (j < line.size() && tok(static_cast<unsigned char>(line[j]))) ++j;
    std::string_view w = line.substr(i, j - i);
    // Split NAME=value: only the value can be a secret.
    auto eq = w.find('=');
    if (eq != std::string_view::npos && eq > 0 && eq + 1 < w.size()) {
      out += w.substr(0, eq + 1);
      i += eq + 1;
      continue;
    }
    bool digit = std::any_of(w.begin(), w.end(), [](unsigned char c) { return std::isdigit(c); });
    bool alpha = std::any_of(w.begin(), w.end(), [](unsigned char c) { return std::isalpha(c); });
    if (starts_with(w, "sk-") && w.size() >= 12) out += "sk-…";
    else if (w.size() >= 32 && digit && alpha) out += "…";
    else out += w;
    i = j;
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// The tree

namespace {

// `git -C dir ls-files -z --cached --others --exclude-standard`: the tracked and untracked,
// not-ignored files, as git itself decides. False when git is missing or dir is no work tree.
bool git_files(const std::string& dir, std::vector<std::string>& out) {
  int fds[2];
  if (platform::cloexec_pipe(fds, false) != 0) return false;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
  const char* argv[] = {"git", "-C", dir.c_str(), "ls-files", "-z", "--cached", "--others", "--exclude-standard",
                        nullptr};
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, "git", &fa, nullptr, const_cast<char* const*>(argv), environ);
  posix_spawn_file_actions_destroy(&fa);
  close(fds[1]);
  if (rc != 0) {
    close(fds[0]);
    return false;
  }
  std::string buf;
  char chunk[65536];
  for (;;) {
    ssize_t r = read(fds[0], chunk, sizeof chunk);
    if (r > 0) buf.append(chunk, static_cast<std::size_t>(r));
    else if (r < 0 && errno == EINTR) continue;
    else break;
  }
  close(fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return false;
  std::size_t start = 0;
  while (start < buf.size()) {
    auto end = buf.find('\0', start);
    if (end == std::string::npos) end = buf.size();
    std::string_view f(buf.data() + start, end - start);
    if (!f.empty() && (out.empty() || out.back() != f)) out.emplace_back(f);  // unmerged entries repeat
    start = end + 1;
  }
  return true;
}

// True when some folder on the relative path is one we never search.
bool path_in_skipped_dir(std::string_view rel) {
  std::size_t start = 0;
  for (;;) {
    auto slash = rel.find('/', start);
    if (slash == std::string_view::npos) return false;
    if (skipped_dir(rel.substr(start, slash - start))) return true;
    start = slash + 1;
  }
}

void walk(const fs::path& root, std::vector<std::string>& out) {
  std::error_code ec;
  fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec), end;
  while (!ec && it != end) {
    const auto& e = *it;
    std::error_code sec;
    auto st = e.symlink_status(sec);
    std::string name = e.path().filename().string();
    if (!sec && fs::is_directory(st)) {
      if (skipped_dir(name)) it.disable_recursion_pending();
    } else if (!sec && fs::is_regular_file(st) && lang_of(name) != Lang::none) {
      out.push_back(e.path().lexically_relative(root).generic_string());
    }
    it.increment(ec);
  }
}

bool read_whole(const std::string& path, std::uintmax_t cap, std::string& buf, bool& large) {
  large = false;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);  // a link may lead out of the tree
  if (fd < 0) return false;
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return false;
  }
  if (static_cast<std::uintmax_t>(st.st_size) > cap) {
    large = true;
    close(fd);
    return false;
  }
  buf.resize(static_cast<std::size_t>(st.st_size));
  std::size_t got = 0;
  while (got < buf.size()) {
    ssize_t r = ::read(fd, buf.data() + got, buf.size() - got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    got += static_cast<std::size_t>(r);
  }
  buf.resize(got);
  close(fd);
  return true;
}

struct Hit {
  std::size_t begin, end;
  int needle;
};

}  // namespace

namespace {

// One worker's share of a scan: its buffers, its matches and its counts.
struct Worker {
  std::string buf;
  std::vector<Hit> hits;
  std::vector<std::pair<std::size_t, Match>> found;  // (dir index, match)
  std::size_t files = 0, skipped_binary = 0, skipped_large = 0;
  std::uintmax_t bytes = 0;
};

// Reads and searches one file (`rel` under `dir`), appending its matches to `w`.
void scan_file(const ScanOptions& opts, const Automaton& ac, std::size_t di, const std::string& base,
               const std::string& rel, Worker& w) {
  std::string_view fname = rel;
  auto slash = fname.rfind('/');
  if (slash != std::string_view::npos) fname = fname.substr(slash + 1);
  Lang lang = lang_of(fname);
  if (lang == Lang::none || path_in_skipped_dir(rel)) return;
  bool large = false;
  if (!read_whole(base + rel, opts.max_file_bytes, w.buf, large)) {
    if (large) ++w.skipped_large;
    return;
  }
  if (std::memchr(w.buf.data(), 0, std::min<std::size_t>(w.buf.size(), 8192)) != nullptr) {
    ++w.skipped_binary;
    return;
  }
  ++w.files;
  w.bytes += w.buf.size();
  w.hits.clear();
  std::string_view text(w.buf);
  ac.run(text, [&](int id, std::size_t end) {
    std::size_t begin = end - opts.needles[static_cast<std::size_t>(id)].text.size();
    if (at_boundary(text, begin, end)) w.hits.push_back({begin, end, id});
  });
  if (w.hits.empty()) return;
  auto& hits = w.hits;
  std::sort(hits.begin(), hits.end(), [](const Hit& a, const Hit& b) { return a.begin < b.begin; });
  std::vector<std::size_t> offs;
  for (const auto& h : hits) offs.push_back(h.begin);
  auto comment = in_comment(text, lang, offs);
  int line_no = 1;
  std::size_t line_start = 0, scanned = 0;
  for (std::size_t h = 0; h < hits.size(); ++h) {
    const Hit& hit = hits[h];
    for (; scanned < hit.begin; ++scanned)
      if (text[scanned] == '\n') {
        ++line_no;
        line_start = scanned + 1;
      }
    Place place = comment[h] ? Place::comment : Place::value;
    if (place == Place::comment && !opts.include_comments) continue;
    auto line_end = text.find('\n', line_start);
    std::string_view line =
        text.substr(line_start, line_end == std::string_view::npos ? std::string_view::npos : line_end - line_start);
    const Needle& nd = opts.needles[static_cast<std::size_t>(hit.needle)];
    Match m;
    m.root = opts.dirs[di];
    m.file = rel;
    m.line = line_no;
    m.column = static_cast<int>(hit.begin - line_start) + 1;
    m.needle = nd.text;
    m.kind = nd.kind;
    if (place != Place::comment) {
      m.name = assigned_name(line, hit.begin - line_start, lang, text.substr(0, line_start));
      // An environment variable's own name is the variable a key lives in.
      if (nd.kind == "env") m.name = nd.text;
      if (!m.name.empty()) place = Place::assignment;
    }
    m.place = place;
    std::string masked = mask_secrets(ltrim(rtrim(line)));
    if (masked.size() > 200) {
      std::size_t cut = 197;
      while (cut > 0 && (static_cast<unsigned char>(masked[cut]) & 0xC0) == 0x80) --cut;
      masked = masked.substr(0, cut) + "…";
    }
    m.text = std::move(masked);
    w.found.emplace_back(di, std::move(m));
  }
}

}  // namespace

ScanResult scan(const ScanOptions& opts) {
  std::size_t total = 0;
  for (const auto& n : opts.needles) {
    if (n.text.size() < 3) throw Error(ErrorKind::usage, "code.find: needle '" + n.text + "' is shorter than 3 characters");
    total += n.text.size();
  }
  if (total > 256 * 1024) throw Error(ErrorKind::usage, "code.find: more than 256 KiB of needles; search in parts");
  for (const auto& d : opts.dirs) {
    std::error_code ec;
    if (!fs::is_directory(d, ec)) throw Error(ErrorKind::usage, "code.find: '" + d + "' is not a folder");
  }
  ScanResult res;
  if (opts.needles.empty()) {
    for (std::size_t i = 0; i < opts.dirs.size(); ++i) res.modes.push_back("none");
    return res;
  }
  Automaton ac(opts.needles);
  // Files are shared out to a few threads (reading and matching overlap); the result is
  // sorted afterwards, so it does not depend on their timing.
  unsigned hw = std::thread::hardware_concurrency();
  std::size_t nworkers = std::clamp<std::size_t>(hw == 0 ? 1 : hw, 1, 4);
  std::vector<Worker> workers(nworkers);
  for (std::size_t di = 0; di < opts.dirs.size(); ++di) {
    const std::string& dir = opts.dirs[di];
    std::vector<std::string> files;
    bool git = opts.use_git && git_files(dir, files);
    // Nothing listed: the folder itself is ignored (or holds only ignored files), and was
    // still asked for by name, so it is walked.
    if (git && files.empty()) git = false;
    if (!git) {
      files.clear();
      walk(dir, files);
    }
    res.modes.push_back(git ? "git" : "walk");
    std::string base = dir;
    if (!base.empty() && base.back() != '/') base += '/';
    std::size_t n = files.size() < 512 ? 1 : nworkers;
    std::atomic<std::size_t> next{0};
    std::vector<std::exception_ptr> failed(n);
    auto work = [&](std::size_t t) {
      try {
        for (std::size_t i; (i = next.fetch_add(1, std::memory_order_relaxed)) < files.size();)
          scan_file(opts, ac, di, base, files[i], workers[t]);
      } catch (...) {  // rethrown below, on the calling thread (e.g. std::bad_alloc)
        failed[t] = std::current_exception();
        next = files.size();
      }
    };
    std::vector<std::thread> threads;
    for (std::size_t t = 1; t < n; ++t) threads.emplace_back(work, t);
    work(0);
    for (auto& t : threads) t.join();
    for (auto& e : failed)
      if (e) std::rethrow_exception(e);
  }
  std::vector<std::pair<std::size_t, Match>> found;
  for (auto& w : workers) {
    res.files += w.files;
    res.bytes += w.bytes;
    res.skipped_binary += w.skipped_binary;
    res.skipped_large += w.skipped_large;
    for (auto& f : w.found) found.push_back(std::move(f));
  }
  std::stable_sort(found.begin(), found.end(), [](const auto& a, const auto& b) {
    if (a.second.place != b.second.place) return a.second.place < b.second.place;
    if (a.first != b.first) return a.first < b.first;
    if (a.second.file != b.second.file) return a.second.file < b.second.file;
    if (a.second.line != b.second.line) return a.second.line < b.second.line;
    return a.second.column < b.second.column;
  });
  for (auto& f : found) {
    if (res.matches.size() >= opts.limit) {
      res.truncated = true;
      break;
    }
    res.matches.push_back(std::move(f.second));
  }
  return res;
}

}  // namespace orscript::code
