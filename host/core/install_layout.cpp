#include "host/core/install_layout.hpp"

#include <algorithm>
#include <fstream>
#include <regex>

#include "host/core/platform.hpp"

namespace orscript::layout {
namespace fs = std::filesystem;
namespace {

bool has_library(const fs::path& dir) {
  std::error_code ec;
  return fs::exists(dir / "scripts" / "orscript" / "init.lua", ec);
}

// The header comment of a recipe: its leading lines that start with "--".
std::string header_comment(const fs::path& file) {
  std::ifstream in(file);
  std::string line, text;
  while (std::getline(in, line) && line.rfind("--", 0) == 0) text += line + "\n";
  return text;
}

std::optional<RecipeInfo> read_recipe(const fs::path& file) {
  std::string header = header_comment(file);
  RecipeInfo r;
  r.name = file.stem().string();
  // A recipe's usage line runs the recipe itself; helper modules have none.
  static const std::regex usage(R"(\n--   orscript [^\n]*recipes/([\w-]+)\.lua)");
  std::smatch m;
  if (!std::regex_search(header, m, usage) || m[1] != r.name) return std::nullopt;
  if (auto colon = header.find(": "); colon != std::string::npos && colon < header.find('\n'))
    r.summary = header.substr(colon + 2, header.find('\n') - colon - 2);
  // The flags named in the usage lines (up to the first empty comment line), less orscript's own.
  std::string usage_lines = header.substr(m.position(0), header.find("\n--\n", m.position(0)) - m.position(0));
  static const std::regex flag(R"((^|[\s\[|])(--[A-Za-z][\w-]*))");
  for (std::sregex_iterator it(usage_lines.begin(), usage_lines.end(), flag), end; it != end; ++it) {
    std::string f = (*it)[2];
    if (f != "--demo" && std::find(r.options.begin(), r.options.end(), f) == r.options.end()) r.options.push_back(f);
  }
  return r;
}

}  // namespace

fs::path data_dir_for(const fs::path& exe) {
  if (exe.empty()) return {};
  fs::path installed = exe.parent_path().parent_path() / "share" / "orscript";
  if (has_library(installed)) return installed;
  // A build tree: CMake links <build>/orscript-source to the source tree; test and
  // bench binaries sit in folders below <build>.
  for (fs::path dir = exe.parent_path(); !dir.empty(); dir = dir.parent_path()) {
    if (has_library(dir / "orscript-source")) {
      std::error_code ec;
      fs::path real = fs::canonical(dir / "orscript-source", ec);
      return ec ? dir / "orscript-source" : real;
    }
    if (dir == dir.root_path()) break;
  }
  return {};
}

fs::path data_dir() {
  static const fs::path dir = data_dir_for(platform::executable_path());
  return dir;
}

std::optional<fs::path> find_recipe(const std::string& name) {
  if (name.empty() || name.find('/') != std::string::npos || name[0] == '.') return std::nullopt;
  fs::path dir = data_dir();
  if (dir.empty()) return std::nullopt;
  std::string stem = name.size() > 4 && name.ends_with(".lua") ? name.substr(0, name.size() - 4) : name;
  fs::path file = dir / "recipes" / (stem + ".lua");
  std::error_code ec;
  if (!fs::is_regular_file(file, ec) || !read_recipe(file)) return std::nullopt;
  return file;
}

std::vector<RecipeInfo> recipes() {
  std::vector<RecipeInfo> out;
  fs::path dir = data_dir();
  std::error_code ec;
  if (dir.empty() || !fs::is_directory(dir / "recipes", ec)) return out;
  for (auto& e : fs::directory_iterator(dir / "recipes", ec)) {
    if (e.path().extension() != ".lua") continue;
    if (auto r = read_recipe(e.path())) out.push_back(std::move(*r));
  }
  std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.name < b.name; });
  return out;
}

}  // namespace orscript::layout
