#include "host/app/help_doc.hpp"

#include <boost/json/parse.hpp>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "host/app/cli.hpp"
#include "host/core/install_layout.hpp"
#include "host/core/schema.hpp"
#include "orscript_build_config.hpp"
#include "sim/catalogue.hpp"
#include "sim/scenario.hpp"

namespace orscript::help_doc {
namespace {

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(' ');
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(' ') - b + 1);
}

std::vector<std::string> split(const std::string& s, const std::string& sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (auto at = s.find(sep); at != std::string::npos; at = s.find(sep, start)) {
    out.push_back(s.substr(start, at - start));
    start = at + sep.size();
  }
  out.push_back(s.substr(start));
  return out;
}

bool is_option_name(const std::string& w) {
  return w.size() > 1 && w[0] == '-' && (std::isalpha(static_cast<unsigned char>(w[1])) ||
                                         (w.size() > 2 && w[1] == '-' && std::isalpha(static_cast<unsigned char>(w[2]))));
}

// ---------------------------------------------------------------------------------
// roff

// Escapes text for a roff text line: backslashes, option dashes (\-, so they can be
// copied and searched), and a leading '.' or '\'' that roff would read as a request.
std::string roff(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    char prev = i ? s[i - 1] : ' ';
    char next = i + 1 < s.size() ? s[i + 1] : ' ';
    if (c == '\\') out += "\\e";
    else if (c == '-' && !std::isalnum(static_cast<unsigned char>(prev)) &&
             (std::isalpha(static_cast<unsigned char>(next)) || next == '-'))
      out += "\\-";
    else out += c;
  }
  if (!out.empty() && (out[0] == '.' || out[0] == '\'')) out.insert(0, "\\&");
  return out;
}

// "-l name, --foo ARG" -> "\fB\-l\fR \fIname\fR, \fB\-\-foo\fR \fIARG\fR"
std::string roff_term(const std::string& term) {
  std::string out;
  for (auto& piece : split(term, ", ")) {
    if (!out.empty()) out += ", ";
    auto words = split(piece, " ");
    out += "\\fB" + roff(words[0]) + "\\fR";
    for (std::size_t i = 1; i < words.size(); ++i) out += " \\fI" + roff(words[i]) + "\\fR";
  }
  return out;
}

void roff_items(std::ostringstream& o, const Section& s) {
  for (auto& it : s.items) {
    o << ".TP\n" << roff_term(it.term) << "\n";
    if (!it.text.empty()) o << roff(it.text) << "\n";
  }
}

bool is_option_section(const Section& s) {
  return !s.items.empty() && std::all_of(s.items.begin(), s.items.end(), [](auto& i) { return i.term[0] == '-'; });
}

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// ---------------------------------------------------------------------------------
// Completion

// Metric and dimension names: the API's documented catalogue (the simulator's), plus any
// names in account catalogues the Lua library cached (newer metrics appear there first).
void catalogue_names(bool metrics, const std::string& cache_dir, std::set<std::string>& out) {
  if (metrics)
    for (auto& m : sim::metrics()) out.emplace(m.name);
  else
    for (auto& d : sim::dimensions()) out.emplace(d.name);
  std::error_code ec;
  if (cache_dir.empty() || !std::filesystem::is_directory(cache_dir, ec)) return;
  for (auto& e : std::filesystem::directory_iterator(cache_dir, ec)) {
    auto name = e.path().filename().string();
    if (!name.starts_with("meta-") || e.path().extension() != ".json") continue;
    std::ifstream in(e.path());
    std::stringstream text;
    text << in.rdbuf();
    boost::system::error_code jec;
    auto doc = boost::json::parse(text.str(), jec);
    if (jec || !doc.is_object() || !doc.as_object().contains("meta")) continue;
    try {
      auto schema = Schema::from_meta(doc.as_object().at("meta"));
      if (metrics)
        for (auto& m : schema.metrics) out.insert(m.name);
      else
        for (auto& d : schema.dimensions) out.insert(d.name);
    } catch (const std::exception&) {
      // A damaged cache file only costs its names.
    }
  }
}

// Adds `names` that extend the last comma-separated element of `cur`.
void add_list_items(const std::set<std::string>& names, const std::string& cur, std::vector<std::string>& out) {
  auto comma = cur.rfind(',');
  std::string head = comma == std::string::npos ? "" : cur.substr(0, comma + 1);
  for (auto& n : names) out.push_back(head + n);
}

}  // namespace

Doc parse(const std::string& help_text) {
  Doc doc;
  std::istringstream in(help_text);
  std::string line, paragraph;
  auto end_paragraph = [&] {
    if (!paragraph.empty()) doc.intro.push_back(paragraph);
    paragraph.clear();
  };
  while (std::getline(in, line)) {
    if (line.rfind("usage: ", 0) == 0) {
      doc.usage = line.substr(7);
    } else if (trim(line).empty()) {
      end_paragraph();
    } else if (line[0] != ' ' && line.back() == ':') {
      end_paragraph();
      doc.sections.push_back({line.substr(0, line.size() - 1), {}});
    } else if (line[0] != ' ') {
      if (doc.sections.empty()) paragraph += (paragraph.empty() ? "" : " ") + line;
    } else if (line.rfind("   ", 0) == 0 && !doc.sections.empty() && !doc.sections.back().items.empty()) {
      auto& text = doc.sections.back().items.back().text;
      text += (text.empty() ? "" : " ") + trim(line);
    } else if (!doc.sections.empty()) {
      std::string body = line.substr(2);
      auto gap = body.find("  ");
      Item item{trim(body.substr(0, gap)), gap == std::string::npos ? "" : trim(body.substr(gap))};
      doc.sections.back().items.push_back(item);
    }
  }
  end_paragraph();
  return doc;
}

std::vector<Option> options(const Doc& doc) {
  std::vector<Option> out;
  for (auto& s : doc.sections) {
    for (auto& it : s.items) {
      for (auto& piece : split(it.term, ", ")) {
        auto words = split(piece, " ");
        if (!is_option_name(words[0])) continue;
        out.push_back({words[0], words.size() > 1 ? words[1] : ""});
      }
    }
  }
  return out;
}

std::string man_page(const Doc& doc, const std::string& version) {
  std::ostringstream o;
  o << ".\\\" Generated by `orscript --man` from the text of `orscript --help`: edit host/app/cli.cpp.\n"
    << ".TH ORSCRIPT 1 \"\" \"" << roff(version) << "\" \"User Commands\"\n"
    << ".nh\n.ad l\n"  // no hyphenation or justification: options stay whole and copyable
    << ".SH NAME\norscript \\- Lua scripting for OpenRouter's usage, analytics and key API\n"
    << ".SH SYNOPSIS\n.B orscript\n" << roff(doc.usage.substr(doc.usage.find(' ') + 1)) << "\n"
    << ".SH DESCRIPTION\n";
  for (std::size_t i = 0; i < doc.intro.size(); ++i) o << (i ? ".PP\n" : "") << roff(doc.intro[i]) << "\n";
  o << ".SH OPTIONS\n";
  for (auto& s : doc.sections) {
    if (!is_option_section(s)) continue;
    o << ".SS \"" << roff(s.title) << "\"\n";
    roff_items(o, s);
  }
  for (auto& s : doc.sections) {
    if (is_option_section(s)) continue;
    std::string title = upper(s.title) == "EXIT CODES" ? "EXIT STATUS" : upper(s.title);
    o << ".SH \"" << roff(title) << "\"\n";
    roff_items(o, s);
  }
  auto recipes = layout::recipes();
  if (!recipes.empty()) {
    o << ".SH RECIPES\nThe analyses that ship with orscript run by name, e.g.\n"
      << ".B orscript \\-\\-demo cost_review\n.RB ( \\-\\-demo\nuses the simulator).\n"
      << "Their files are in the recipes folder named under FILES; docs/recipes.md explains each one.\n";
    for (auto& r : recipes) {
      o << ".TP\n.B " << roff(r.name) << "\n" << roff(r.summary) << "\n";
      if (!r.options.empty()) {
        o << ".br\nOptions:";
        for (std::size_t i = 0; i < r.options.size(); ++i) o << (i ? "," : "") << "\n.B " << roff(r.options[i]);
        o << "\n";
      }
    }
  }
  o << ".SH \"SEE ALSO\"\n.BR lua (1),\n.BR luajit (1);\n"
    << "the guides installed with orscript under share/doc/orscript (in the package: /usr/share/doc/orscript)\n"
    << "and https://openrouter.ai/docs for the API.\n";
  return o.str();
}

std::string complete(const Doc& doc, const std::vector<std::string>& words_in, const std::string& cache_dir) {
  auto opts = options(doc);
  // --opt=value: bash splits it at '=' into "--opt" "=" "value", zsh keeps one word. Both
  // become "--opt" "value"; zsh's candidates then carry the "--opt=" prefix back.
  std::vector<std::string> words;
  std::string value_prefix;
  for (std::size_t i = 0; i < words_in.size(); ++i) {
    if (words_in[i] == "=" && !words.empty() && is_option_name(words.back())) {
      if (i + 1 == words_in.size()) words.emplace_back();
      continue;
    }
    words.push_back(words_in[i]);
  }
  if (!words.empty() && words.back().starts_with("--") && words.back().find('=') != std::string::npos) {
    std::string last = words.back();
    value_prefix = last.substr(0, last.find('=') + 1);
    words.back() = value_prefix.substr(0, value_prefix.size() - 1);
    words.push_back(last.substr(value_prefix.size()));
  }
  auto takes_arg = [&](const std::string& w) {
    return std::any_of(opts.begin(), opts.end(), [&](auto& o) { return o.name == w && !o.arg.empty(); });
  };
  std::string cur = words.empty() ? "" : words.back();
  std::string prev = words.size() > 1 ? words[words.size() - 2] : "";
  // Where the cursor is: among orscript's options, an option's value, or after the script.
  std::optional<std::size_t> script;
  bool value_of_prev = false;
  for (std::size_t i = 0; i + 1 < words.size(); ++i) {
    const auto& w = words[i];
    if (w == "--" || w == "-" || w.empty() || w[0] != '-') {
      script = w == "--" ? i + 1 : i;
      break;
    }
    if (takes_arg(w) && w.find('=') == std::string::npos) {
      if (i + 2 == words.size()) value_of_prev = true;
      ++i;
    }
  }
  std::vector<std::string> out;
  if (script && *script < words.size() - 1) {
    const std::string& name = words[*script];
    std::string base = std::filesystem::path(name).stem().string();
    if (name == "query") {  // the one-liner: metrics, then `by` dimensions
      std::set<std::string> names;
      catalogue_names(prev != "by", cache_dir, names);
      if (cur.empty() || cur[0] != '-') add_list_items(names, cur, out);
    } else if (auto recipe = layout::find_recipe(base); recipe && (name == base || std::filesystem::exists(name))) {
      for (auto& r : layout::recipes())
        if (r.name == base && !cur.empty() && cur[0] == '-') out = r.options;
      out.push_back("@files");
    } else {
      out.push_back("@files");
    }
  } else if (value_of_prev) {
    if (prev == "--scenario") {
      out = sim::shipped_scenarios();
      out.push_back("@files");
    } else if (prev == "--cert-dir") {
      out.push_back("@dirs");
    } else if (prev == "--api-key-file" || prev == "--ca-file") {
      out.push_back("@files");
    }
  } else if (!cur.empty() && cur[0] == '-') {
    for (auto& o : opts) out.push_back(o.name);
  } else {
    for (auto& r : layout::recipes()) out.push_back(r.name);
    out.push_back("@files");
  }
  std::string text;
  for (auto& c : out) {
    if (c[0] == '@' && !value_prefix.empty()) continue;  // a shell cannot complete files inside one word
    if (c.rfind(cur, 0) == 0 || c[0] == '@') text += (c[0] == '@' ? "" : value_prefix) + c + "\n";
  }
  return text;
}

std::optional<int> run_hidden(const std::vector<std::string>& argv, const std::string& cache_dir) {
  if (argv.size() < 2) return std::nullopt;
  if (argv[1] == "--man") {
    std::fputs(man_page(parse(cli::help_text("orscript")), "orscript " ORSCRIPT_VERSION).c_str(), stdout);
    return 0;
  }
  if (argv[1] == "--complete") {
    std::size_t first = argv.size() > 2 && argv[2] == "--" ? 3 : 2;
    std::vector<std::string> words(argv.begin() + static_cast<long>(first), argv.end());
    if (words.empty()) words.emplace_back();
    std::fputs(complete(parse(cli::help_text("orscript")), words, cache_dir).c_str(), stdout);
    return 0;
  }
  return std::nullopt;
}

}  // namespace orscript::help_doc
