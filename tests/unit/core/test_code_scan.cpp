// host/core/code_scan: exact match boundaries, comments and assigned names per language,
// the folders and files skipped, and whole scans of git and plain trees.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "host/core/code_scan.hpp"
#include "host/core/error.hpp"
#include "tests/support/process.hpp"

namespace fs = std::filesystem;
namespace code = orscript::code;
using code::Lang;

namespace {

void put(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

// The first match of `needle` in `text`, and whether it stands alone.
bool stands_alone(const std::string& text, const std::string& needle) {
  auto b = text.find(needle);
  REQUIRE(b != std::string::npos);
  return code::at_boundary(text, b, b + needle.size());
}

std::string name_in(const std::string& line, const std::string& value, Lang lang, const std::string& before = "") {
  auto col = line.find(value);
  REQUIRE(col != std::string::npos);
  return code::assigned_name(line, col, lang, before);
}

bool commented(const std::string& text, const std::string& needle, Lang lang) {
  auto b = text.find(needle);
  REQUIRE(b != std::string::npos);
  return code::in_comment(text, lang, {b})[0];
}

code::ScanOptions options(const std::string& dir, bool git = true) {
  code::ScanOptions o;
  o.dirs = {dir};
  o.use_git = git;
  o.needles = {{"openai/gpt-4o", "model"}, {"batch-pipeline", "key"}};
  return o;
}

bool git_available() { return std::system("git --version >/dev/null 2>&1") == 0; }

}  // namespace

TEST_CASE("a slug matches exactly, never inside a longer slug") {
  CHECK(stands_alone("model = \"openai/gpt-4o\"", "openai/gpt-4o"));
  CHECK(stands_alone("MODEL=openai/gpt-4o\n", "openai/gpt-4o"));
  CHECK(stands_alone("uses openai/gpt-4o.", "openai/gpt-4o"));          // a sentence's full stop
  CHECK(stands_alone("process.env.BATCH_KEY", "BATCH_KEY"));           // a property access
  CHECK(stands_alone("key: batch-pipeline # the nightly job", "batch-pipeline"));
  CHECK_FALSE(stands_alone("model = \"openai/gpt-4o-mini\"", "openai/gpt-4o"));
  CHECK_FALSE(stands_alone("openai/gpt-4o.5", "openai/gpt-4o"));
  CHECK_FALSE(stands_alone("openai/gpt-4o:free", "openai/gpt-4o"));     // another variant
  CHECK_FALSE(stands_alone("xopenai/gpt-4o", "openai/gpt-4o"));
  CHECK_FALSE(stands_alone("https://openrouter.ai/openai/gpt-4o", "openai/gpt-4o"));
  CHECK_FALSE(stands_alone("old-batch-pipeline", "batch-pipeline"));
  CHECK_FALSE(stands_alone("MY_BATCH_KEY", "BATCH_KEY"));
}

TEST_CASE("comments are told from code and strings per language") {
  CHECK(commented("x = 1  # openai/gpt-4o\n", "openai/gpt-4o", Lang::python));
  CHECK_FALSE(commented("x = \"# openai/gpt-4o\"\n", "openai/gpt-4o", Lang::python));
  CHECK_FALSE(commented("'''\n# openai/gpt-4o\n'''\n", "openai/gpt-4o", Lang::python));  // in a docstring
  CHECK(commented("// openai/gpt-4o\nconst a = 1;", "openai/gpt-4o", Lang::clike));
  CHECK(commented("/* a\n openai/gpt-4o\n*/", "openai/gpt-4o", Lang::clike));
  CHECK_FALSE(commented("const u = \"http://x\"; const m = \"openai/gpt-4o\";", "openai/gpt-4o", Lang::clike));
  CHECK_FALSE(commented("const m = `// openai/gpt-4o`;", "openai/gpt-4o", Lang::clike));
  CHECK(commented("# model: openai/gpt-4o\nmodel: x\n", "openai/gpt-4o", Lang::yaml));
  CHECK_FALSE(commented("title: issue#openai/gpt-4o\n", "openai/gpt-4o", Lang::yaml));  // '#' inside a word
  CHECK(commented("; model = openai/gpt-4o\n", "openai/gpt-4o", Lang::ini));
  CHECK_FALSE(commented("MODEL=openai/gpt-4o # trailing\n", "openai/gpt-4o", Lang::env));
  CHECK(commented("# MODEL=openai/gpt-4o\n", "openai/gpt-4o", Lang::env));
  CHECK(commented("// openai/gpt-4o\n", "openai/gpt-4o", Lang::rust));
  CHECK_FALSE(commented("fn f<'a>(x: &'a str) { let m = \"openai/gpt-4o\"; }", "openai/gpt-4o", Lang::rust));
  CHECK(commented("# openai/gpt-4o\n", "openai/gpt-4o", Lang::hcl));
  CHECK(commented("it's fine # openai/gpt-4o\n", "openai/gpt-4o", Lang::ruby));  // an apostrophe opens no string
  CHECK_FALSE(commented("{\"a\": \"openai/gpt-4o\"}", "openai/gpt-4o", Lang::json));
}

TEST_CASE("the variable or key a value is assigned to, per language") {
  const std::string m = "openai/gpt-4o";
  CHECK(name_in("model = \"openai/gpt-4o\"", m, Lang::python) == "model");
  CHECK(name_in("resp = client.create(model=\"openai/gpt-4o\")", m, Lang::python) == "model");
  CHECK(name_in("cfg[\"model\"] = f\"openai/gpt-4o\"", m, Lang::python) == "model");
  CHECK(name_in("  model: openai/gpt-4o", m, Lang::yaml) == "model");
  CHECK(name_in("    - openai/gpt-4o", m, Lang::yaml, "models:\n  fallbacks:\n") == "fallbacks");
  CHECK(name_in("  \"model\": \"openai/gpt-4o\",", m, Lang::json) == "model");
  CHECK(name_in("MODEL=openai/gpt-4o", m, Lang::env) == "MODEL");
  CHECK(name_in("export MODEL=openai/gpt-4o", m, Lang::env) == "MODEL");
  CHECK(name_in("  summary_model = \"openai/gpt-4o\"", m, Lang::hcl) == "summary_model");
  CHECK(name_in("model = \"openai/gpt-4o\"", m, Lang::toml) == "model");
  CHECK(name_in("export const MODEL: string = \"openai/gpt-4o\";", m, Lang::clike) == "MODEL");
  CHECK(name_in("\tModel: \"openai/gpt-4o\",", m, Lang::clike) == "Model");
  CHECK(name_in("model := \"openai/gpt-4o\"", m, Lang::clike) == "model");
  CHECK(name_in("private static final String MODEL = \"openai/gpt-4o\";", m, Lang::clike) == "MODEL");
  CHECK(name_in("const MODEL: &str = \"openai/gpt-4o\";", m, Lang::rust) == "MODEL");
  CHECK(name_in("  :model => \"openai/gpt-4o\",", m, Lang::ruby) == "model");
  CHECK(name_in("ENV MODEL=openai/gpt-4o", m, Lang::dockerfile) == "MODEL");
  CHECK(name_in("ENV MODEL openai/gpt-4o", m, Lang::dockerfile) == "MODEL");
  CHECK(name_in("MODELS = [\"openai/gpt-4o\"]", m, Lang::python) == "MODELS");
  CHECK(name_in("req.Header.Set(\"X-Title\", \"Acme Bot\")", "Acme Bot", Lang::clike) == "X-Title");
  // A bare value, a comparison, a second list element: no name.
  CHECK(name_in("print(\"openai/gpt-4o\")", m, Lang::python).empty());
  CHECK(name_in("if model == \"openai/gpt-4o\":", m, Lang::python).empty());
  CHECK(name_in("MODELS = [\"a/b\", \"openai/gpt-4o\"]", m, Lang::python).empty());
}

TEST_CASE("file types and skipped folders") {
  for (const char* f : {"run.py", "a.ts", "a.tsx", "a.js", "main.go", "a.rb", "A.java", "P.cs", "main.rs", "c.yaml",
                        "c.yml", "c.json", "c.toml", "main.tf", "x.tfvars", ".env", ".env.production", "app.ini",
                        "Dockerfile"})
    CHECK_MESSAGE(code::lang_of(f) != Lang::none, f);
  for (const char* f : {"README.md", "a.min.js", "image.png", "Makefile", "a.c"})
    CHECK_MESSAGE(code::lang_of(f) == Lang::none, f);
  for (const char* d : {".git", "node_modules", "vendor", "third_party", "dist", "build", "target", "__pycache__",
                        ".venv"})
    CHECK_MESSAGE(code::skipped_dir(d), d);
  CHECK_FALSE(code::skipped_dir("services"));
  CHECK_FALSE(code::skipped_dir("src"));
}

TEST_CASE("secret-looking tokens are masked in the line shown") {
  CHECK(code::mask_secrets("OPENROUTER_API_KEY=sk-or-v1-0123456789abcdef0123456789abcdef") == "OPENROUTER_API_KEY=sk-…");
  CHECK(code::mask_secrets("token: a1b2c3d4e5f6a7b8c9d0a1b2c3d4e5f6a7b8") == "token: …");
  CHECK(code::mask_secrets("model = \"openai/gpt-4o-2024-05-13\"") == "model = \"openai/gpt-4o-2024-05-13\"");
}

TEST_CASE("a plain tree: vendored folders, comments, binary and huge files are skipped") {
  fs::path root = orscript::test::temp_dir();
  put(root / "app" / "main.py", "# openai/gpt-4o in a comment\nmodel = \"openai/gpt-4o\"\nother = \"openai/gpt-4o-mini\"\n");
  put(root / "deploy" / "job.yaml", "env:\n  - name: KEY_NAME\n    value: batch-pipeline\n");
  put(root / "node_modules" / "x" / "index.js", "const model = \"openai/gpt-4o\";\n");
  put(root / "vendor" / "y.go", "const Model = \"openai/gpt-4o\"\n");
  put(root / "notes.md", "model = openai/gpt-4o\n");
  put(root / "blob.json", std::string("{\"model\": \"openai/gpt-4o\"}\0\0\0", 30));
  put(root / "big.json", "{\"model\": \"openai/gpt-4o\", \"pad\": \"" + std::string(4096, 'x') + "\"}\n");
  code::ScanOptions o = options(root.string(), false);
  o.max_file_bytes = 1024;
  auto r = code::scan(o);
  CHECK(r.modes == std::vector<std::string>{"walk"});
  REQUIRE(r.matches.size() == 2);
  CHECK(r.matches[0].file == "app/main.py");
  CHECK(r.matches[0].line == 2);
  CHECK(r.matches[0].name == "model");
  CHECK(r.matches[0].place == code::Place::assignment);
  CHECK(r.matches[0].text == "model = \"openai/gpt-4o\"");
  CHECK(r.matches[1].file == "deploy/job.yaml");
  CHECK(r.matches[1].line == 3);
  CHECK(r.matches[1].name == "value");
  CHECK(r.skipped_binary == 1);
  CHECK(r.skipped_large == 1);
  CHECK(r.files == 2);
  // With comments asked for, the comment comes last.
  o.include_comments = true;
  auto c = code::scan(o);
  REQUIRE(c.matches.size() == 3);
  CHECK(c.matches[2].place == code::Place::comment);
  CHECK(c.matches[2].line == 1);
}

TEST_CASE("a git work tree: .gitignore is honoured through git ls-files, untracked files included") {
  if (!git_available()) {
    MESSAGE("git is not installed: skipped");
    return;
  }
  fs::path root = orscript::test::temp_dir();
  put(root / ".gitignore", "local_settings.py\n");
  put(root / "app" / "main.py", "model = \"openai/gpt-4o\"\n");
  put(root / "local_settings.py", "model = \"openai/gpt-4o\"\n");
  put(root / "vendor" / "z.py", "model = \"openai/gpt-4o\"\n");  // committed vendored code: still skipped
  REQUIRE(std::system(("git init -q '" + root.string() + "' && git -C '" + root.string() + "' add vendor").c_str()) == 0);
  auto r = code::scan(options(root.string()));
  CHECK(r.modes == std::vector<std::string>{"git"});
  REQUIRE(r.matches.size() == 1);
  CHECK(r.matches[0].file == "app/main.py");
  // A folder git ignores as a whole, asked for by name, is walked.
  put(root / ".gitignore", "local_settings.py\nscratch/\n");
  put(root / "scratch" / "try.py", "model = \"openai/gpt-4o\"\n");
  auto s = code::scan(options((root / "scratch").string()));
  CHECK(s.modes == std::vector<std::string>{"walk"});
  CHECK(s.matches.size() == 1);
  REQUIRE(code::scan(options(root.string())).matches.size() == 1);  // and skipped from the root
  // The same tree walked without git finds the ignored files (only the fixed list applies).
  auto w = code::scan(options(root.string(), false));
  CHECK(w.modes == std::vector<std::string>{"walk"});
  CHECK(w.matches.size() == 3);
}

TEST_CASE("bad input: a missing folder and a too-short needle are usage errors") {
  code::ScanOptions o = options("/nonexistent-orscript-code-dir");
  CHECK_THROWS_AS(code::scan(o), orscript::Error);
  o = options(orscript::test::temp_dir());
  o.needles = {{"ab", "key"}};
  CHECK_THROWS_AS(code::scan(o), orscript::Error);
}

TEST_CASE("overlapping needles are all found, each at its own boundary") {
  fs::path root = orscript::test::temp_dir();
  put(root / "a.py", "a = \"openai/gpt-4o\"\nb = \"openai/gpt-4o-mini\"\n");
  code::ScanOptions o = options(root.string(), false);
  o.needles = {{"openai/gpt-4o", "model"}, {"openai/gpt-4o-mini", "model"}, {"gpt-4o", "model"}};
  auto r = code::scan(o);
  REQUIRE(r.matches.size() == 2);
  CHECK(r.matches[0].needle == "openai/gpt-4o");
  CHECK(r.matches[0].line == 1);
  CHECK(r.matches[1].needle == "openai/gpt-4o-mini");
  CHECK(r.matches[1].line == 2);
}

TEST_CASE("symbolic links are not followed, walked or listed by git") {
  fs::path outside = orscript::test::temp_dir();
  put(outside / "secret_model.py", "model = \"openai/gpt-4o\"\n");
  fs::path root = orscript::test::temp_dir();
  put(root / "a.py", "x = 1\n");
  fs::create_symlink(outside / "secret_model.py", root / "link.py");
  fs::create_directory_symlink(outside, root / "linked_dir");
  CHECK(code::scan(options(root.string(), false)).matches.empty());
  if (git_available()) {
    REQUIRE(std::system(("git init -q '" + root.string() + "'").c_str()) == 0);
    auto r = code::scan(options(root.string()));
    CHECK(r.modes == std::vector<std::string>{"git"});
    CHECK(r.matches.empty());
  }
}

TEST_CASE("the all-needles matcher finds what a naive search finds, on random text") {
  fs::path root = orscript::test::temp_dir();
  unsigned seed = 12345;
  auto next = [&seed] { return seed = seed * 1103515245u + 12345u, (seed >> 16) & 0x7fff; };
  const std::string alpha = "ab- ,\n";  // letters, a joiner, and separators
  std::size_t total = 0;
  for (int round = 0; round < 40; ++round) {
    std::string text;
    for (int i = 0; i < 2000; ++i) text += alpha[next() % alpha.size()];
    code::ScanOptions o = options(root.string(), false);
    o.needles.clear();
    for (int k = 0; k < 6; ++k) {
      std::string n;
      for (int i = 0, len = 3 + static_cast<int>(next() % 3); i < len; ++i) n += "ab-"[next() % 3];
      o.needles.push_back({n, "t"});
    }
    put(root / "t.json", text);
    // Naive: every occurrence of every needle that stands alone, as (needle, line, column).
    std::vector<std::string> want, got;
    for (const auto& n : o.needles)
      for (auto b = text.find(n.text); b != std::string::npos; b = text.find(n.text, b + 1))
        if (code::at_boundary(text, b, b + n.text.size())) {
          auto line_start = text.rfind('\n', b == 0 ? 0 : b - 1);
          line_start = (b == 0 || line_start == std::string::npos) ? 0 : line_start + 1;
          int line = 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(b), '\n'));
          want.push_back(n.text + "@" + std::to_string(line) + ":" + std::to_string(b - line_start + 1));
        }
    for (const auto& m : code::scan(o).matches) got.push_back(m.needle + "@" + std::to_string(m.line) + ":" + std::to_string(m.column));
    std::sort(want.begin(), want.end());
    want.erase(std::unique(want.begin(), want.end()), want.end());  // a needle given twice: once
    std::sort(got.begin(), got.end());
    std::string got_s, want_s;
    for (auto& x : got) got_s += x + " ";
    for (auto& x : want) want_s += x + " ";
    CAPTURE(round);
    CHECK(got_s == want_s);
    total += want.size();
  }
  CAPTURE(total);
  CHECK(total > 100);  // the rounds did exercise the matcher
}
