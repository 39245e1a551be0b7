// Black-box tests of what orscript generates for installing it: recipes by name, the
// version line, and the man page and completion answers derived from --help.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "tests/support/process.hpp"

namespace ot = orscript::test;

namespace {
bool has_line(const std::string& text, const std::string& line) {
  return ("\n" + text).find("\n" + line + "\n") != std::string::npos;
}
const std::vector<std::string> kNow = {"--demo", "--now", "2026-11-18T12:00:00Z"};
std::vector<std::string> demo(std::vector<std::string> args) {
  args.insert(args.begin(), kNow.begin(), kNow.end());
  return args;
}
}  // namespace

TEST_CASE("a shipped recipe runs by name from any folder, as its file does") {
  ot::RunOptions elsewhere;
  elsewhere.cwd = ot::temp_dir();
  elsewhere.env = {{"NO_COLOR", "1"}, {"ORSCRIPT_CACHE_DIR", elsewhere.cwd + "/cache"}};
  auto by_name = ot::orscript(demo({"top_models"}), elsewhere);
  CHECK(by_name.exit_code == 0);
  CHECK(by_name.out.rfind("Top models: October 2026", 0) == 0);
  auto with_ext = ot::orscript(demo({"top_models.lua", "--top", "3"}), elsewhere);
  CHECK(with_ext.exit_code == 0);
  auto by_path = ot::orscript(demo({ot::source_dir() + "/recipes/top_models.lua"}), elsewhere);
  CHECK(by_path.out == by_name.out);
}

TEST_CASE("a file in the current folder wins over a recipe of that name, and helpers are not recipes") {
  ot::RunOptions here;
  here.cwd = ot::temp_dir();
  ot::write_file(here.cwd + "/top_models", "print('the local file')\n");
  auto r = ot::orscript({"top_models"}, here);
  CHECK(r.exit_code == 0);
  CHECK(r.out == "the local file\n");
  auto helper = ot::orscript({"common"}, here);  // recipes/common.lua is a module, not a recipe
  CHECK(helper.exit_code == 1);
  CHECK(helper.err.find("common") != std::string::npos);
}

TEST_CASE("-v names the version and the git revision") {
  auto r = ot::orscript({"-v"});
  CHECK(r.exit_code == 0);
  CHECK(std::regex_search(r.out, std::regex(R"(^orscript \d+\.\d+\.\d+ \(git ([0-9a-f]{7,}(-dirty)?|unknown), LuaJIT)")));
}

TEST_CASE("every long option the parser accepts is in --help, so in the man page and completion") {
  std::ifstream in(ot::source_dir() + "/host/app/cli.cpp");
  std::stringstream src;
  src << in.rdbuf();
  std::string text = src.str();
  std::set<std::string> parsed;
  std::regex accepted(R"re(name == "(--[a-z-]+)")re");
  for (std::sregex_iterator it(text.begin(), text.end(), accepted), end; it != end; ++it) parsed.insert((*it)[1]);
  REQUIRE(parsed.size() > 15);
  auto listed = ot::orscript({"--complete", "--", "-"}).out;
  auto man = ot::orscript({"--man"}).out;
  for (auto& opt : parsed) {
    const std::string listed_note = opt + " is accepted but missing from --help's option list";
    CHECK_MESSAGE(has_line(listed, opt), listed_note);
    std::string roff = "\\-\\-" + opt.substr(2);  // roff escapes an option's leading dashes
    const std::string man_note = opt + " is missing from the man page";
    CHECK_MESSAGE(man.find("\\fB" + roff + "\\fR") != std::string::npos, man_note);
  }
}

TEST_CASE("the man page carries --help's sections, exit codes and the recipes") {
  auto r = ot::orscript({"--man"});
  CHECK(r.exit_code == 0);
  CHECK(r.out.rfind(".\\\" Generated", 0) == 0);
  for (const char* s : {".SH NAME", ".SH SYNOPSIS", ".SH OPTIONS", ".SS \"The simulator", ".SH \"ENVIRONMENT\"",
                        ".SH \"FILES\"", ".SH \"EXIT STATUS\"", "\\fBOPENROUTER_API_KEY\\fR", "\\fB130\\fR", ".SH RECIPES",
                        ".B cost_review", ".B week_over_week"})
  {
    const std::string note = std::string("missing: ") + s;
    CHECK_MESSAGE(r.out.find(s) != std::string::npos, note);
  }
  CHECK(r.out.find(".B common\n") == std::string::npos);
  // Every line is text or a request; no line starts with a quote roff would take as one.
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) CHECK(line.rfind("'", 0) != 0);
}

TEST_CASE("completion: options, option values, recipes and their flags, metrics and dimensions") {
  auto complete = [](std::vector<std::string> words) {
    words.insert(words.begin(), {"--complete", "--"});
    auto r = ot::orscript(words);
    CHECK(r.exit_code == 0);
    return r.out;
  };
  CHECK(complete({"--sce"}) == "--scenario\n");
  CHECK(has_line(complete({"-"}), "-V"));
  CHECK(complete({"--scenario", ""}) == "demo\nlean\n@files\n");
  CHECK(complete({"--scenario=lean", "--cert-dir", ""}) == "@dirs\n");
  CHECK(complete({"--api-key-file", "x"}) == "@files\n");
  auto first = complete({"--demo", ""});
  CHECK(has_line(first, "cost_review"));
  CHECK(has_line(first, "@files"));
  CHECK_FALSE(has_line(first, "common"));
  CHECK(complete({"-e", "x=1", "cost_review", "--ve"}) == "--verify-script\n@files\n");
  CHECK(complete({"key_drilldown", "--f"}) == "--from\n@files\n");
  CHECK(complete({"some/script.lua", "--f"}) == "@files\n");  // a script's own arguments
  CHECK(complete({"query", "total_usage,tokens_p"}) == "total_usage,tokens_prompt\n");
  CHECK(complete({"query", "total_usage", "by", "wor"}) == "workspace\n");
  // --opt=value, as bash splits it and as zsh keeps it
  CHECK(complete({"--scenario", "=", "le"}) == "lean\n@files\n");
  CHECK(complete({"--scenario", "="}) == "demo\nlean\n@files\n");
  CHECK(complete({"--scenario=le"}) == "--scenario=lean\n");
  CHECK(complete({"--scenario=lean", "--sc"}) == "--scenario\n");
}

TEST_CASE("completion adds metric names from a cached account catalogue") {
  std::string cache = ot::temp_dir();
  ot::write_file(cache + "/meta-acct.json",
                 R"({"fetched_at":1,"meta":{"metrics":[{"name":"brand_new_metric","is_rate":false}],"dimensions":[]}})");
  ot::write_file(cache + "/meta-broken.json", "{not json");
  ot::RunOptions o;
  o.env = {{"ORSCRIPT_CACHE_DIR", cache}};
  auto r = ot::orscript({"--complete", "--", "query", "brand"}, o);
  CHECK(r.exit_code == 0);
  CHECK(r.out == "brand_new_metric\n");
}

TEST_CASE("a binary moved away from its share folder says where it looked, exit 70") {
  std::string dir = std::filesystem::canonical(ot::temp_dir()).string();
  std::filesystem::create_directories(dir + "/bin");
  std::filesystem::copy_file(ot::binary_path(), dir + "/bin/orscript");
  auto r = ot::run({dir + "/bin/orscript", "-e", "print(1)"});
  CHECK(r.exit_code == 70);
  CHECK(r.err.find("cannot find orscript's Lua library: no " + dir + "/share/orscript/scripts") != std::string::npos);
  CHECK(r.out == "");
}
