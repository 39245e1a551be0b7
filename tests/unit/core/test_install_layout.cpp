// The rule that finds orscript's data folder from the binary's own path, on made-up trees.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "host/core/install_layout.hpp"
#include "host/core/platform.hpp"
#include "tests/support/process.hpp"

namespace fs = std::filesystem;
using orscript::layout::data_dir_for;

namespace {
void touch(const fs::path& p) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << "-- x\n";
}
}  // namespace

TEST_CASE("an installed binary finds ../share/orscript beside it") {
  fs::path prefix = orscript::test::temp_dir() + "/usr";
  touch(prefix / "bin" / "orscript");
  touch(prefix / "share" / "orscript" / "scripts" / "orscript" / "init.lua");
  CHECK(data_dir_for(prefix / "bin" / "orscript") == prefix / "share" / "orscript");
}

TEST_CASE("a build-tree binary (or a test binary below it) follows the orscript-source link") {
  fs::path root = orscript::test::temp_dir();
  touch(root / "src" / "scripts" / "orscript" / "init.lua");
  fs::create_directories(root / "build" / "tests");
  fs::create_directory_symlink(root / "src", root / "build" / "orscript-source");
  CHECK(data_dir_for(root / "build" / "orscript") == fs::canonical(root / "src"));
  CHECK(data_dir_for(root / "build" / "tests" / "unit_core") == fs::canonical(root / "src"));
}

TEST_CASE("no layout, or a share folder without the library, gives an empty path") {
  fs::path root = orscript::test::temp_dir();
  fs::create_directories(root / "opt" / "share" / "orscript" / "scripts");  // no init.lua
  CHECK(data_dir_for(root / "opt" / "bin" / "orscript").empty());
  CHECK(data_dir_for({}).empty());
}

TEST_CASE("the executable path is this test binary's, absolute and resolved") {
  fs::path exe = orscript::platform::executable_path();
  CHECK(exe.is_absolute());
  CHECK(exe.filename() == "unit_core");
  CHECK(fs::equivalent(exe, fs::canonical(exe)));
}
