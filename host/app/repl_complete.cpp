// repl_complete.cpp: Tab completion through libedit's readline interface
// (rl_attempted_completion_function / rl_completion_matches).
//
// Outside strings: globals and keywords, then fields (`a.b.`) and methods (`t:`) of
// tables and of objects, following metatables whose __index is a table. Lookups use
// raw access only, so completing never runs a metamethod (no request, no error from an
// `unknown field` __index). Inside a string literal: metric, dimension and granularity
// names from the catalogue (repl_schema.cpp); when it cannot be had, no completions.
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <editline/readline.h>

#include "bindings/runtime.hpp"
#include "host/app/repl_session.hpp"

namespace orscript::repl {
namespace {

Session* g_session = nullptr;
std::vector<std::string> g_matches;

const char* const kKeywords[] = {"and",  "break", "do",     "else", "elseif", "end",   "false",
                                 "for",  "function", "goto", "if",  "in",     "local", "nil",
                                 "not",  "or",    "repeat", "return", "then", "true",  "until", "while"};

bool is_ident_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool is_ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

bool is_identifier(std::string_view s) {
  if (s.empty() || !is_ident_start(s[0])) return false;
  return std::all_of(s.begin(), s.end(), is_ident_char);
}

// The open quote character when `before` ends inside a short string literal (its
// position in `opened`); 0 when not; -1 inside a comment (no completion there).
int string_state(std::string_view before, std::size_t* opened = nullptr) {
  char quote = 0;
  for (std::size_t i = 0; i < before.size(); ++i) {
    char c = before[i];
    if (quote) {
      if (c == '\\') ++i;
      else if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
      if (opened) *opened = i;
    } else if (c == '-' && i + 1 < before.size() && before[i + 1] == '-') {
      return -1;
    }
  }
  return quote;
}

// Replaces the metatable on top by the table its methods live in: its __index when
// that is a table; the metatable itself when __index is a function (orscript's C
// classes keep their methods in the metatable and index through a function that
// raises on unknown keys). Returns false (top replaced by nil) when there is none.
bool push_index_table(lua_State* L) {
  lua_pushliteral(L, "__index");
  lua_rawget(L, -2);
  if (lua_istable(L, -1)) {
    lua_remove(L, -2);
    return true;
  }
  bool function_index = lua_isfunction(L, -1);
  lua_pop(L, 1);
  if (function_index) return true;  // the metatable stays on top
  lua_pop(L, 1);
  lua_pushnil(L);
  return false;
}

// Pushes the table of lazily loaded fields of the metatable on top, or nil: the
// metatable's `__lazy` table, else the upvalue named `lazy` of a Lua __index function
// (orscript's strict modules load submodules such as orscript.time on first use).
void push_lazy_table(lua_State* L) {
  lua_pushliteral(L, "__lazy");
  lua_rawget(L, -2);
  if (lua_istable(L, -1)) return;
  lua_pop(L, 1);
  lua_pushliteral(L, "__index");
  lua_rawget(L, -2);
  if (lua_isfunction(L, -1) && !lua_iscfunction(L, -1)) {
    for (int i = 1;; ++i) {
      const char* name = lua_getupvalue(L, -1, i);
      if (!name) break;
      if (std::strcmp(name, "lazy") == 0 && lua_istable(L, -1)) {
        lua_remove(L, -2);
        return;
      }
      lua_pop(L, 1);
    }
  }
  lua_pop(L, 1);
  lua_pushnil(L);
}

// True when the metatable of the value at `idx` declares `key` as a lazy field.
bool is_lazy_field(lua_State* L, int idx, const std::string& key) {
  if (!lua_getmetatable(L, idx)) return false;
  push_lazy_table(L);
  bool found = false;
  if (lua_istable(L, -1)) {
    lua_pushlstring(L, key.data(), key.size());
    lua_rawget(L, -2);
    found = !lua_isnil(L, -1);
    lua_pop(L, 1);
  }
  lua_pop(L, 2);
  return found;
}

// Replaces the value on top by its field `key`, by raw access and through metatables
// (never running a metamethod, except to load a field the library declares lazy).
// Leaves nil when there is no such field.
void safe_field(lua_State* L, const std::string& key) {
  if (lua_istable(L, -1) && is_lazy_field(L, -1, key)) {
    lua_getfield(L, -1, key.c_str());  // loads the submodule; raises only to our pcall
    lua_remove(L, -2);
    return;
  }
  for (int depth = 0; depth < 8; ++depth) {
    if (lua_istable(L, -1)) {
      lua_pushlstring(L, key.data(), key.size());
      lua_rawget(L, -2);
      if (!lua_isnil(L, -1)) {
        lua_remove(L, -2);
        return;
      }
      lua_pop(L, 1);
    }
    if (!lua_getmetatable(L, -1)) break;
    lua_remove(L, -2);  // the value
    if (!push_index_table(L)) break;
  }
  lua_pop(L, 1);
  lua_pushnil(L);
}

// Adds the identifier keys of the table on top that start with `prefix` (`methods_only`
// keeps functions; `skip_meta` drops "__" names). Leaves the stack as it was.
void add_keys(lua_State* L, const std::string& prefix, bool methods_only, bool skip_meta, std::vector<std::string>& out) {
  lua_pushnil(L);
  while (lua_next(L, -2) != 0) {
    if (lua_type(L, -2) == LUA_TSTRING) {
      std::size_t len;
      const char* k = lua_tolstring(L, -2, &len);
      std::string_view key(k, len);
      // Names starting with '_' are private (orscript.time._to_ms) unless asked for.
      bool hidden = !key.empty() && key.front() == '_' && (prefix.empty() || prefix.front() != '_');
      bool ok = is_identifier(key) && key.substr(0, prefix.size()) == prefix && !hidden &&
                !(skip_meta && key.substr(0, 2) == "__") && (!methods_only || lua_isfunction(L, -1));
      if (ok) out.emplace_back(key);
    }
    lua_pop(L, 1);
  }
}

// Adds the identifier keys of the value on top (its own, its lazy fields, and those of
// its __index tables) that start with `prefix`. Pops the value.
void list_keys(lua_State* L, const std::string& prefix, bool methods_only, std::vector<std::string>& out) {
  bool via_meta = false;
  for (int depth = 0; depth < 8; ++depth) {
    if (lua_istable(L, -1)) add_keys(L, prefix, methods_only, via_meta, out);
    if (!lua_getmetatable(L, -1)) break;
    lua_remove(L, -2);
    if (!methods_only) {
      push_lazy_table(L);
      if (lua_istable(L, -1)) add_keys(L, prefix, false, true, out);
      lua_pop(L, 1);
    }
    via_meta = true;
    if (!push_index_table(L)) break;
  }
  lua_pop(L, 1);
}

// Run under the protected path: (word) -> fills the vector in upvalue 1 with whole
// candidates for `word` ("orscript.ti" -> "orscript.time").
int lua_candidates(lua_State* L) {
  auto* out = static_cast<std::vector<std::string>*>(lua_touserdata(L, lua_upvalueindex(1)));
  std::string word = luaL_checkstring(L, 1);
  auto sep = word.find_last_of(".:");
  if (sep == std::string::npos) {
    lua_pushvalue(L, LUA_GLOBALSINDEX);
    list_keys(L, word, false, *out);
    for (const char* k : kKeywords)
      if (std::strncmp(k, word.c_str(), word.size()) == 0) out->emplace_back(k);
    return 0;
  }
  std::string path = word.substr(0, sep), partial = word.substr(sep + 1);
  bool method = word[sep] == ':';
  if (!partial.empty() && !is_identifier(partial)) return 0;
  lua_pushvalue(L, LUA_GLOBALSINDEX);
  std::size_t start = 0;
  while (true) {
    auto dot = path.find('.', start);
    std::string part = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!is_identifier(part)) return 0;  // a call, an index or a ':' inside the path
    safe_field(L, part);
    if (lua_isnil(L, -1)) return 0;
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  std::vector<std::string> keys;
  list_keys(L, partial, method, keys);
  for (auto& k : keys) out->push_back(path + word[sep] + k);
  return 0;
}

// The receiver of the method call a string argument is being typed in: for
// `t:sort("` or `x.t:filter(f, "` the path "t" / "x.t"; "" when the string is not an
// argument of a method call.
std::string call_receiver(std::string_view before_quote) {
  int depth = 0;
  bool found = false;
  std::size_t i = before_quote.size();
  while (i > 0 && !found) {
    char c = before_quote[--i];
    if (c == ')' || c == '}' || c == ']') {
      ++depth;
    } else if (c == '(' || c == '{' || c == '[') {
      if (depth == 0) found = true;
      else --depth;
    } else if (c == '"' || c == '\'') {  // an earlier, finished string argument
      while (i > 0 && before_quote[--i] != c) {
      }
    }
  }
  if (!found) return "";
  std::string_view head = before_quote.substr(0, i);
  while (!head.empty() && (head.back() == ' ' || head.back() == '\t')) head.remove_suffix(1);
  std::size_t end = head.size();
  std::size_t start = end;
  while (start > 0 && (is_ident_char(head[start - 1]) || head[start - 1] == '.' || head[start - 1] == ':')) --start;
  std::string_view call = head.substr(start, end - start);
  auto colon = call.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return "";
  return std::string(call.substr(0, colon));
}

// Run under the protected path: (path, prefix) -> fills the vector in upvalue 1 with
// the column names of the result table at `path` that start with `prefix`; returns
// true when `path` is a result table. Metamethods are not run, except the table's own
// C __index for its `columns` field.
int lua_table_columns(lua_State* L) {
  auto* out = static_cast<std::vector<std::string>*>(lua_touserdata(L, lua_upvalueindex(1)));
  std::string path = luaL_checkstring(L, 1), prefix = luaL_checkstring(L, 2);
  lua_pushvalue(L, LUA_GLOBALSINDEX);
  std::size_t start = 0;
  while (true) {
    auto dot = path.find('.', start);
    std::string part = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!is_identifier(part)) return 0;
    safe_field(L, part);
    if (lua_isnil(L, -1)) return 0;
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  int value = lua_gettop(L);
  if (lua_type(L, value) != LUA_TUSERDATA || !lua_getmetatable(L, value)) return 0;
  luaL_getmetatable(L, "orscript.Table");
  bool is_table = lua_rawequal(L, -1, -2);
  lua_pop(L, 2);
  if (!is_table) return 0;
  lua_getfield(L, value, "columns");
  if (lua_istable(L, -1))
    for (int i = 1;; ++i) {
      lua_rawgeti(L, -1, i);
      if (lua_type(L, -1) != LUA_TSTRING) {
        lua_pop(L, 1);
        break;
      }
      std::string name = lua_tostring(L, -1);
      lua_pop(L, 1);
      if (name.compare(0, prefix.size(), prefix) == 0) out->push_back(std::move(name));
    }
  lua_pushboolean(L, 1);
  return 1;
}

char* next_match(const char* /*text*/, int state) {
  static std::size_t i;
  if (state == 0) i = 0;
  if (i >= g_matches.size()) return nullptr;
  return strdup(g_matches[i++].c_str());
}

char** attempted_completion(const char* text, int start, int /*end*/) {
  rl_attempted_completion_over = 1;  // never fall back to file names
  if (!g_session) return nullptr;
  std::string before(rl_line_buffer, static_cast<std::size_t>(std::max(start, 0)));
  char quote = 0;
  g_matches = complete(*g_session, before, text, quote);
  if (g_matches.empty()) return nullptr;
  // Nothing is appended after a name in a string: the user types the closing quote
  // (an added one would double it, and libedit would show it after every candidate).
  rl_completion_append_character = '\0';
  return rl_completion_matches(text, next_match);
}

}  // namespace

std::vector<std::string> complete(Session& s, std::string_view line_before, std::string_view word, char& quote) {
  std::vector<std::string> out;
  quote = 0;
  std::size_t opened = 0;
  int state = string_state(line_before, &opened);
  if (state < 0) return out;
  if (state > 0) {
    quote = static_cast<char>(state);
    // An argument of a result table's method (t:sort(", t:sum(") completes the
    // table's own columns, not the whole catalogue.
    std::string receiver = call_receiver(line_before.substr(0, opened));
    if (!receiver.empty()) {
      lua_State* L = s.rt.state();
      int top = lua_gettop(L);
      lua_pushlightuserdata(L, &out);
      lua_pushcclosure(L, lua_table_columns, 1);
      lua_pushlstring(L, receiver.data(), receiver.size());
      lua_pushlstring(L, word.data(), word.size());
      bool is_table = s.rt.protected_call(2, 1) == 0 && lua_toboolean(L, -1);
      lua_settop(L, top);
      if (is_table) {
        std::sort(out.begin(), out.end());
        return out;
      }
      out.clear();
    }
    auto schema = load_schema(s, false);
    if (!schema) return out;
    for (auto* list : {&schema->metrics, &schema->dimensions, &schema->granularities})
      for (auto& e : *list)
        if (e.name.compare(0, word.size(), word) == 0) out.push_back(e.name);
    // The columns a classifier query without names returns (t:col("clf_dimension_value")).
    for (std::string_view extra : {"clf_dimension_name", "clf_dimension_value"})
      if (extra.substr(0, word.size()) == word) out.emplace_back(extra);
  } else {
    lua_State* L = s.rt.state();
    int top = lua_gettop(L);
    lua_pushlightuserdata(L, &out);
    lua_pushcclosure(L, lua_candidates, 1);
    lua_pushlstring(L, word.data(), word.size());
    if (s.rt.protected_call(1, 0) != 0) out.clear();
    lua_settop(L, top);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

void install_completion(Session& s) {
  g_session = &s;
  rl_attempted_completion_function = attempted_completion;
  // Words break at operators and brackets but not at '.' or ':', so that
  // `orscript.time.la` and `t:he` complete as paths.
  rl_basic_word_break_characters = " \t\n\"\\'`@$><=;|&{}()[],+-*/%^#~";
  rl_completion_append_character = '\0';
}

}  // namespace orscript::repl
