// help_doc.hpp: what is generated from --help's text, so it cannot drift from it.
//
// Owns: reading cli::help_text() back into sections, options and their arguments; the
// orscript(1) man page rendered from it (plus the installed recipes); and the answers
// the bash and zsh completion scripts ask the binary for (`orscript --complete`).
// Does not own: the text itself (cli.cpp) or the command-line parser.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace orscript::help_doc {

struct Item {
  std::string term, text;  // "-e chunk" / "run the string 'chunk'"
};
struct Section {
  std::string title;       // "The API" (no trailing colon)
  std::vector<Item> items;
};
struct Doc {
  std::string usage;                    // "orscript [options] [script [args...]]"
  std::vector<std::string> intro;       // paragraphs before the first section
  std::vector<Section> sections;
};
// Parses the --help layout: "usage: ..." first; a line at column 0 ending in ':' opens a
// section; "  term  text" (two-space indent) is an item; deeper lines continue it.
Doc parse(const std::string& help_text);

struct Option {
  std::string name, arg;  // "--scenario", "NAME" (empty: a flag)
};
// Every option named in the item terms of `doc` ("-v, --version" gives two).
std::vector<Option> options(const Doc& doc);

// The man page, in man(7) roff.
std::string man_page(const Doc& doc, const std::string& version);

// Candidates for completing the last of `words` (the command line after the program
// name, the word under the cursor last), one per line. "@files" / "@dirs" ask the shell
// to add file or folder names. `cache_dir` holds cached account catalogues.
std::string complete(const Doc& doc, const std::vector<std::string>& words, const std::string& cache_dir);

// Handles the hidden helper options when argv[1] is one of them, returning the exit code:
//   --complete [--] WORD...   completion candidates (see complete())
//   --man                     the man page on stdout
std::optional<int> run_hidden(const std::vector<std::string>& argv, const std::string& cache_dir);

}  // namespace orscript::help_doc
