// install_layout.hpp: where the files that ship with orscript are, found from the binary.
//
// Owns: locating the data folder relative to the running executable, with no path fixed
// at build time: <prefix>/share/orscript beside <prefix>/bin/orscript when installed
// (cmake --install, the .deb, Homebrew), else the source tree that a build directory
// links to (`orscript-source`, made by CMake); the recipes in it, by name. Does not own:
// the Lua module path (bindings/runtime.cpp) or the OS call behind it (platform.hpp).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace orscript::layout {

// The data folder: holds scripts/ (the Lua library), recipes/ and, installed, scenarios/
// and meta/. Empty if neither layout is found.
std::filesystem::path data_dir();
// Same, for an executable at `exe` (for tests of the rule itself).
std::filesystem::path data_dir_for(const std::filesystem::path& exe);

// A recipe runnable by name: "cost_review" or "cost_review.lua" -> <data>/recipes/cost_review.lua.
// Only plain names (no '/') of runnable recipes (not helper modules); nullopt otherwise.
std::optional<std::filesystem::path> find_recipe(const std::string& name);

struct RecipeInfo {
  std::string name, summary;          // "cost_review", "how can we cut next month's ... bill?"
  std::vector<std::string> options;   // the --flags its usage comment lists
};
// The runnable recipes in <data>/recipes, sorted by name: files whose header comment has
// a usage line running the file itself (`--   orscript --demo recipes/NAME.lua ...`);
// helper modules such as common.lua have none.
std::vector<RecipeInfo> recipes();

}  // namespace orscript::layout
