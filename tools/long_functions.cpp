// long_functions: lists C++ function bodies longer than a limit (default 120 lines) in the
// given folders, unless the function carries a reason. It owns only that count: a small
// lexer (comments, strings, raw strings, character literals and preprocessor lines are
// skipped) and a brace walk that tells function bodies from namespaces, classes, control
// blocks and initialisers. Lambdas and local classes count towards the function around them.
//
//   long_functions [--max N] DIR...     exit 0: none too long; 1: offenders listed; 2: bad use
//
// A function may be longer when a comment directly above it (its signature's first line,
// or the template line) says why: `// long: <reason>`. Used by the CTest test
// style/long_functions (tests/CMakeLists.txt); docs/testing.md ("Long functions") describes
// the convention.
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

// One source file with comments, literals and preprocessor lines blanked out (newlines kept,
// so offsets still map to lines).
std::string strip(const std::string& in) {
  std::string out = in;
  size_t i = 0;
  const size_t n = in.size();
  bool line_start = true;
  auto blank = [&](size_t from, size_t to) {
    for (size_t k = from; k < to && k < n; ++k)
      if (out[k] != '\n') out[k] = ' ';
  };
  while (i < n) {
    char c = in[i];
    if (c == '\n') { line_start = true; ++i; continue; }
    if (line_start && c == '#') {  // a directive, with its continuation lines
      size_t j = i;
      while (j < n && !(in[j] == '\n' && in[j - 1] != '\\')) ++j;
      blank(i, j);
      i = j;
      continue;
    }
    if (!std::isspace(static_cast<unsigned char>(c))) line_start = false;
    if (c == '/' && i + 1 < n && in[i + 1] == '/') {
      size_t j = in.find('\n', i);
      if (j == std::string::npos) j = n;
      blank(i, j);
      i = j;
    } else if (c == '/' && i + 1 < n && in[i + 1] == '*') {
      size_t j = in.find("*/", i + 2);
      j = j == std::string::npos ? n : j + 2;
      blank(i, j);
      i = j;
    } else if (c == 'R' && i + 1 < n && in[i + 1] == '"' &&
               (i == 0 || !(std::isalnum(static_cast<unsigned char>(in[i - 1])) || in[i - 1] == '_') ||
                in[i - 1] == '8' || in[i - 1] == 'u' || in[i - 1] == 'U' || in[i - 1] == 'L')) {
      size_t open = in.find('(', i + 2);
      std::string delim = ")" + in.substr(i + 2, open - (i + 2)) + "\"";
      size_t j = in.find(delim, open);
      j = j == std::string::npos ? n : j + delim.size();
      blank(i, j);
      i = j;
    } else if (c == '"' || (c == '\'' && !(i > 0 && std::isxdigit(static_cast<unsigned char>(in[i - 1]))))) {
      size_t j = i + 1;  // a digit separator (1'000) is not a character literal
      while (j < n && in[j] != c && in[j] != '\n') j += in[j] == '\\' ? 2 : 1;
      blank(i, j + 1);
      i = j + 1;
    } else {
      ++i;
    }
  }
  return out;
}

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\n");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\n");
  return s.substr(b, e - b + 1);
}

std::string first_word(const std::string& header) {
  std::string h = trim(header);
  if (h.rfind("template", 0) == 0) {  // skip template<...>
    int depth = 0;
    size_t k = h.find('<');
    for (; k != std::string::npos && k < h.size(); ++k) {
      if (h[k] == '<') ++depth;
      if (h[k] == '>' && --depth == 0) break;
    }
    h = k == std::string::npos || k >= h.size() ? "" : trim(h.substr(k + 1));
  }
  size_t e = 0;
  while (e < h.size() && (std::isalnum(static_cast<unsigned char>(h[e])) || h[e] == '_')) ++e;
  return h.substr(0, e);
}

enum class Block { container, function, other };

// What a '{' opens, from the text since the previous statement at its level.
Block classify(const std::string& header) {
  const std::string word = first_word(header);
  for (const char* kw : {"namespace", "class", "struct", "union", "extern"})
    if (word == kw && header.find('(') == std::string::npos) return Block::container;
  if (word == "enum") return Block::other;
  for (const char* kw : {"if", "for", "while", "switch", "catch", "do", "else", "try", "return"})
    if (word == kw) return Block::other;
  size_t close = header.rfind(')');
  if (close == std::string::npos) return Block::other;
  // After the parameter list only qualifiers, a trailing return type or noexcept(...) may follow.
  std::string tail = header.substr(close + 1);
  if (tail.find("->") != std::string::npos) return Block::function;
  std::istringstream words(tail);
  for (std::string w; words >> w;) {
    static const char* quals[] = {"const", "noexcept", "override", "final", "mutable",
                                  "volatile", "&", "&&", "try", "constexpr"};
    if (std::find_if(std::begin(quals), std::end(quals), [&](const char* q) { return w == q; }) ==
        std::end(quals))
      return Block::other;
  }
  // "= [](...)" lambdas at namespace scope count as functions; other "x = f(...) {" forms
  // do not occur in valid C++.
  return Block::function;
}

// Where a function's declaration starts and its name, from the text between the previous
// statement and its body's brace: the name is the identifier before the parameter list;
// the start is the name's line, or an earlier line of the same declaration (a template or
// return type on lines of their own). Macro calls without a semicolon before it (X(...)
// lines) are not part of it.
struct Signature {
  size_t start;
  std::string name;
};

Signature signature(const std::string& text, size_t header_start, size_t brace) {
  const std::string header = text.substr(header_start, brace - header_start);
  size_t close = header.rfind(')');
  size_t open = std::string::npos;
  while (close != std::string::npos) {  // the parameter list, not noexcept(...)
    int depth = 0;
    size_t k = close;
    for (;; --k) {
      if (header[k] == ')') ++depth;
      if (header[k] == '(' && --depth == 0) break;
      if (k == 0) return {text.find_first_not_of(" \t\n", header_start), "?"};
    }
    size_t e = k;
    while (e > 0 && header[e - 1] == ' ') --e;
    size_t b = e;
    while (b > 0 && (std::isalnum(static_cast<unsigned char>(header[b - 1])) || header[b - 1] == '_' ||
                     header[b - 1] == ':' || header[b - 1] == '~'))
      --b;
    if (header.substr(b, e - b) != "noexcept") {
      open = b;
      break;
    }
    close = b == 0 ? std::string::npos : header.rfind(')', b - 1);
  }
  if (open == std::string::npos) return {text.find_first_not_of(" \t\n", header_start), "?"};
  size_t name_end = open;
  while (name_end < header.size() && header[name_end] != '(' && header[name_end] != ' ') ++name_end;
  std::string name = header.substr(open, name_end - open);
  if (name.empty()) name = "lambda";
  // Back from the name's line over the declaration's earlier lines.
  size_t line_start = header.rfind('\n', open);
  line_start = line_start == std::string::npos ? 0 : line_start + 1;
  while (line_start > 0) {
    size_t prev_end = line_start - 1;  // the '\n' ending the previous line
    size_t prev_start = header.rfind('\n', prev_end == 0 ? 0 : prev_end - 1);
    prev_start = prev_start == std::string::npos || prev_end == 0 ? 0 : prev_start + 1;
    const std::string prev = trim(header.substr(prev_start, prev_end - prev_start));
    if (prev.empty() || prev.back() == ')' || prev.back() == ';' || prev.back() == '}' || prev.back() == '{') break;
    line_start = prev_start;
  }
  return {header_start + header.find_first_not_of(" \t\n", line_start), name};
}

struct Found {
  std::string file;
  int first_line;  // the signature's first line
  int lines;
  std::string name;
};

int line_of(const std::string& text, size_t pos) {
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(pos), '\n'));
}

// Functions in one file longer than max lines, from the signature's first line to the
// closing brace, that have no `// long: <reason>` comment right above.
void scan(const fs::path& path, int max, std::vector<Found>& out) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream buf;
  buf << f.rdbuf();
  const std::string raw = buf.str();
  const std::string text = strip(raw);
  std::vector<std::string> raw_lines;
  {
    std::istringstream ls(raw);
    for (std::string l; std::getline(ls, l);) raw_lines.push_back(l);
  }
  struct Open {
    Block kind;
    size_t header_start;
    size_t brace;
  };
  std::vector<Open> stack;
  size_t header_start = 0;  // where the current statement's text began at this level
  bool in_function = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_function && c != '{' && c != '}') continue;
    if (c == ';') {
      header_start = i + 1;
    } else if (c == '{') {
      if (in_function) {
        stack.push_back({Block::other, 0, i});
        continue;
      }
      Block kind = classify(text.substr(header_start, i - header_start));
      stack.push_back({kind, header_start, i});
      if (kind == Block::function) in_function = true;
      if (kind != Block::other) header_start = i + 1;
    } else if (c == '}') {
      if (stack.empty()) continue;
      Open open = stack.back();
      stack.pop_back();
      if (open.kind == Block::function) {
        in_function = false;
        const Signature sig = signature(text, open.header_start, open.brace);
        int first = line_of(text, sig.start);
        int last = line_of(text, i);
        if (last - first + 1 > max) {
          // A `// long: <reason>` in the comment lines directly above the signature.
          bool reason = false;
          for (int l = first - 2; l >= 0; --l) {
            std::string t = trim(raw_lines[static_cast<size_t>(l)]);
            if (t.rfind("//", 0) != 0) break;
            size_t at = t.find("long:");
            if (at != std::string::npos && !trim(t.substr(at + 5)).empty()) reason = true;
          }
          if (!reason) out.push_back({path.generic_string(), first, last - first + 1, sig.name});
        }
      }
      // Closing a brace initialiser in a constructor's member list keeps the statement going.
      bool in_container = stack.empty() || stack.back().kind == Block::container;
      if (!(open.kind == Block::other && in_container && !in_function)) header_start = i + 1;
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  int max = 120;
  std::vector<fs::path> dirs;
  for (int a = 1; a < argc; ++a) {
    std::string arg = argv[a];
    if (arg == "--max" && a + 1 < argc) {
      max = std::atoi(argv[++a]);
    } else if (!arg.empty() && arg[0] == '-') {
      std::cerr << "long_functions: unknown option '" << arg << "' (use --max N DIR...)\n";
      return 2;
    } else {
      dirs.push_back(arg);
    }
  }
  if (dirs.empty() || max <= 0) {
    std::cerr << "long_functions: give one or more folders (long_functions [--max N] DIR...)\n";
    return 2;
  }
  std::vector<fs::path> files;
  for (const auto& dir : dirs) {
    if (!fs::is_directory(dir)) {
      std::cerr << "long_functions: '" << dir.string() << "' is not a folder\n";
      return 2;
    }
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
      const auto ext = e.path().extension();
      if (e.is_regular_file() && (ext == ".cpp" || ext == ".hpp" || ext == ".h" || ext == ".cc"))
        files.push_back(e.path());
    }
  }
  std::sort(files.begin(), files.end());
  std::vector<Found> found;
  for (const auto& f : files) scan(f, max, found);
  for (const auto& f : found)
    std::cout << f.file << ":" << f.first_line << ": " << f.name << " is " << f.lines
              << " lines (over " << max << "); split it, or say why above it: // long: <reason>\n";
  if (!found.empty())
    std::cout << found.size() << " function(s) over " << max << " lines without a reason\n";
  return found.empty() ? 0 : 1;
}
