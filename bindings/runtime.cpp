#include "bindings/runtime.hpp"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>

#include "bindings/binding.hpp"
#include "bindings/host_context.hpp"
#include "bindings/lua_json.hpp"
#include "bindings/modules.hpp"
#include "host/core/error.hpp"
#include "host/core/install_layout.hpp"
#include "host/core/interrupt.hpp"
#include "host/core/platform.hpp"

namespace orscript {
namespace {

// The state the Ctrl-C hook is set on (one runtime per process).
std::atomic<lua_State*> g_hook_state{nullptr};
// The context of the live runtime, for the panic handler (its key is scrubbed out).
std::atomic<HostContext*> g_panic_context{nullptr};

// The error value at `idx` as one line of text: an orscript.Error's message, a string,
// or what kind of value it is.
std::string describe_error(lua_State* L, int idx) {
  Error err(ErrorKind::internal, "");
  if (lua::to_error(L, idx, err)) return err.what();
  if (const char* msg = lua_tostring(L, idx)) return msg;
  return std::string("(error object is a ") + luaL_typename(L, idx) + " value)";
}

// The last resort for a Lua error raised outside every protected call (a bug, or memory
// running out in an unprotected API call): one line on stderr and exit code 70, instead
// of LuaJIT's "PANIC" and exit status 1. Never returns: LuaJIT would exit after it.
int panic(lua_State* L) {
  const char* msg = lua_tostring(L, -1);
  std::string text = msg ? msg : "(error object is not a string)";
  std::string program = "orscript";
  if (HostContext* ctx = g_panic_context.load()) {
    text = ctx->client_options.api_key.scrub(std::move(text));
    program = ctx->program_name;
  }
  std::fflush(stdout);
  std::fprintf(stderr, "%s: internal error: Lua error outside a protected call: %s\n", program.c_str(), text.c_str());
  std::fflush(stderr);
  std::_Exit(exit_code::internal);  // no static destructors: other threads may still run
}

int message_handler(lua_State* L);

void stop_hook(lua_State* L, lua_Debug* ar) {
  lua_sethook(L, nullptr, 0, 0);
  // When C++ saw the flag first (an HTTP wait), its `interrupted` error is already on
  // its way and this call event is the message handler starting: raising here would
  // turn it into "error in error handling".
  if (ar->event == LUA_HOOKCALL && lua_getinfo(L, "f", ar)) {
    bool in_handler = lua_tocfunction(L, -1) == message_handler;
    lua_pop(L, 1);
    if (in_handler) return;
  }
  lua::push_error(L, ErrorKind::interrupted, "interrupted");
  lua_error(L);
}

void on_interrupt() {
  // What luajit.c does: a hook set from the signal handler stops the running Lua code
  // at its next call, return or count event.
  if (lua_State* L = g_hook_state.load())
    lua_sethook(L, stop_hook, LUA_MASKCALL | LUA_MASKRET | LUA_MASKCOUNT, 1);
}

// Drops the traceback lines that say nothing to a user: LuaJIT's internal frames
// ("[builtin#19]: at 0x…", "[C]: at 0x…", "[C]: in ?") and the call to error/assert
// itself. When only the main chunk is left (an error raised at the top level of a
// script or a REPL line), the whole traceback goes: the message's position says it.
std::string tidy_traceback(const std::string& text) {
  static const std::string kHead = "\nstack traceback:";
  auto head = text.find(kHead);
  if (head == std::string::npos) return text;
  std::string message = text.substr(0, head), frames;
  int kept = 0, main_chunks = 0;
  std::size_t pos = head + kHead.size();
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos + 1);
    std::string line = text.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    pos = end == std::string::npos ? text.size() : end;
    std::string_view body(line);
    while (!body.empty() && (body.front() == '\n' || body.front() == '\t')) body.remove_prefix(1);
    if (body.empty() || body.starts_with("[builtin#") || body.starts_with("[C]: at 0x") || body == "[C]: in ?" ||
        body == "[C]: in function 'error'" || body == "[C]: in function 'assert'")
      continue;
    ++kept;
    if (body.ends_with(": in main chunk")) ++main_chunks;
    frames += "\n\t" + std::string(body);
  }
  if (kept == main_chunks) return message;
  return message + kHead + frames;
}

// Message handler: keeps orscript.Error objects intact (adding `traceback`), turns
// everything else into a string, and appends a traceback to strings.
int message_handler(lua_State* L) {
  Error probe(ErrorKind::internal, "");
  if (lua::to_error(L, 1, probe)) {
    luaL_traceback(L, L, nullptr, 1);
    lua_setfield(L, 1, "traceback");
    lua_settop(L, 1);
    return 1;
  }
  const char* msg = lua_tostring(L, 1);
  if (!msg) {
    if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING) {
      msg = lua_tostring(L, -1);
    } else {
      msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
    }
  }
  luaL_traceback(L, L, msg, 1);
  std::string text = tidy_traceback(lua_tostring(L, -1));
  lua_pushlstring(L, text.data(), text.size());
  return 1;
}

}  // namespace

std::string find_library_dir() {
  auto dir = layout::data_dir();
  if (dir.empty()) {
    auto expected = platform::executable_path().parent_path().parent_path() / "share" / "orscript" / "scripts";
    throw Error(ErrorKind::internal, "cannot find orscript's Lua library: no " + expected.string() +
                                         "; reinstall orscript (a binary moved alone needs ../share/orscript beside it)");
  }
  return (dir / "scripts").string();
}

Runtime::Runtime(HostContext& ctx) : ctx_(ctx) {
  if (ctx_.lib_dir.empty()) ctx_.lib_dir = find_library_dir();
  L_ = luaL_newstate();
  if (!L_) throw Error(ErrorKind::internal, "cannot create the Lua state (out of memory)");
  g_panic_context.store(&ctx_);
  lua_atpanic(L_, panic);
  Startup startup{this};
  int status = lua_cpcall(L_, lua::entry<&Runtime::start>, &startup);
  if (status != 0) {
    std::string msg = describe_error(L_, -1);
    lua_close(L_);
    L_ = nullptr;
    throw Error(ErrorKind::internal, startup.loading_library
                                         ? "cannot load the orscript Lua library from " + ctx_.lib_dir + ": " + msg
                                         : "cannot start Lua: " + msg);
  }
  g_hook_state.store(L_);
  set_interrupt_callback(on_interrupt);
}

// Start-up, run by the constructor under lua_cpcall: the standard libraries, the base
// metatables, where `require` looks, orscript.core in package.preload, then the global
// `orscript` = require "orscript" (under the message handler, for a traceback).
int Runtime::start(lua_State* L) {
  auto& startup = *static_cast<Startup*>(lua_touserdata(L, 1));
  Runtime& rt = *startup.rt;
  lua_settop(L, 0);
  luaL_openlibs(L);
  lua::open_base(L);
  lua::open_json(L);
  lua::set_library_dir(L, rt.ctx_.lib_dir);
  rt.set_package_path();

  lua_getglobal(L, "package");
  lua_getfield(L, -1, "preload");
  lua_pushlightuserdata(L, &rt.ctx_);
  lua_pushcclosure(
      L,
      [](lua_State* L) -> int {
        auto* ctx = static_cast<HostContext*>(lua_touserdata(L, lua_upvalueindex(1)));
        return lua::open_core(L, ctx);
      },
      1);
  lua_setfield(L, -2, "orscript.core");
  lua_pop(L, 2);

  startup.loading_library = true;
  lua_getglobal(L, "require");
  lua_pushliteral(L, "orscript");
  if (rt.protected_call(1, 1) != 0) lua_error(L);  // the message (with its traceback) goes on
  startup.loading_library = false;
  lua_setglobal(L, "orscript");
  return 0;
}

Runtime::~Runtime() {
  if (g_hook_state.load() == L_) {
    set_interrupt_callback(nullptr);
    g_hook_state.store(nullptr);
  }
  if (L_) lua_close(L_);
  if (g_panic_context.load() == &ctx_) g_panic_context.store(nullptr);
}

void Runtime::set_package_path() {
  std::string path;
  auto add_dir = [&](const std::string& dir) {
    if (dir.empty()) return;
    path += dir + "/?.lua;" + dir + "/?/init.lua;";
  };
  add_dir(ctx_.lib_dir);
  for (auto& d : script_dirs_) add_dir(d);
  if (const char* env = std::getenv("ORSCRIPT_PATH")) {
    // Entries separated by ';' or ':'; an entry with '?' is a template, else a folder.
    std::string list(env);
    std::size_t start = 0;
    while (start <= list.size()) {
      auto end = list.find_first_of(";:", start);
      std::string entry = list.substr(start, end == std::string::npos ? std::string::npos : end - start);
      if (!entry.empty()) {
        if (entry.find('?') != std::string::npos) path += entry + ";";
        else add_dir(entry);
      }
      if (end == std::string::npos) break;
      start = end + 1;
    }
  }
  lua_getglobal(L_, "package");
  lua_getfield(L_, -1, "path");
  static std::string default_path;  // LuaJIT's own default, captured once
  if (default_path.empty() && lua_isstring(L_, -1)) default_path = lua_tostring(L_, -1);
  lua_pop(L_, 1);
  path += default_path;
  lua_pushlstring(L_, path.data(), path.size());
  lua_setfield(L_, -2, "path");
  lua_pop(L_, 1);
}

void Runtime::add_script_dir(const std::string& script_path) {
  std::filesystem::path p(script_path);
  std::string dir = p.has_parent_path() ? p.parent_path().string() : ".";
  script_dirs_.insert(script_dirs_.begin(), dir);
  set_package_path();
}

int Runtime::protected_call(int nargs, int nresults) {
  int base = lua_gettop(L_) - nargs;
  lua_pushcfunction(L_, message_handler);
  lua_insert(L_, base);
  int status = lua_pcall(L_, nargs, nresults, base);
  lua_remove(L_, base);
  return status;
}

int Runtime::report_error(int status) {
  Error err(ErrorKind::script, "");
  std::string text;
  int code = exit_code::script;
  if (lua::to_error(L_, -1, err)) {
    code = exit_code_for(err.kind);
    text = err.what();
    if (!err.request.empty() || err.status) {
      text += " [";
      text += err.request;
      if (err.status) text += (err.request.empty() ? "HTTP " : " -> HTTP ") + std::to_string(err.status);
      text += "]";
    }
    bool show_trace = err.kind == ErrorKind::internal || err.kind == ErrorKind::script || ctx_.client_options.verbose;
    lua_getfield(L_, -1, "traceback");
    if (show_trace && lua_isstring(L_, -1)) text += std::string("\n") + lua_tostring(L_, -1);
    lua_pop(L_, 1);
  } else {
    const char* msg = lua_tostring(L_, -1);
    text = msg ? msg : "(error object is not a string)";
    if (status == LUA_ERRMEM) code = exit_code::internal;
  }
  lua_pop(L_, 1);
  // Never let the key reach stderr, whatever a script put in its error.
  text = ctx_.client_options.api_key.scrub(std::move(text));
  std::fprintf(stderr, "%s: %s\n", ctx_.program_name.c_str(), text.c_str());
  std::fflush(stderr);
  if (code == exit_code::interrupted) reset_interrupt();
  return code;
}

void Runtime::reset_interrupt() {
  lua_sethook(L_, nullptr, 0, 0);
  clear_interrupt();
}

int Runtime::run_file(const std::string& path, const std::vector<std::string>& args) {
  int status;
  if (path == "-") {
    status = luaL_loadfile(L_, nullptr);  // stdin; chunk name "=stdin"
  } else {
    status = luaL_loadfile(L_, path.c_str());  // skips a leading #! line
  }
  if (status != 0) return report_error(status);
  for (auto& a : args) lua_pushlstring(L_, a.data(), a.size());
  status = protected_call(static_cast<int>(args.size()), 0);
  if (status != 0) return report_error(status);
  return exit_code::ok;
}

int Runtime::run_string(const std::string& chunk, const std::string& name) {
  int status = luaL_loadbuffer(L_, chunk.data(), chunk.size(), name.c_str());
  if (status == 0) status = protected_call(0, 0);
  if (status != 0) return report_error(status);
  return exit_code::ok;
}

int Runtime::require_global(const std::string& name) {
  lua_getglobal(L_, "require");
  lua_pushlstring(L_, name.data(), name.size());
  int status = protected_call(1, 1);
  if (status != 0) return report_error(status);
  lua_setglobal(L_, name.c_str());
  return exit_code::ok;
}

void Runtime::set_arg_table(const std::vector<std::string>& argv, std::size_t script_index) {
  std::size_t zero = script_index < argv.size() ? script_index : 0;
  lua_createtable(L_, static_cast<int>(argv.size() - zero), static_cast<int>(zero) + 1);
  for (std::size_t i = 0; i < argv.size(); ++i) {
    lua_pushlstring(L_, argv[i].data(), argv[i].size());
    lua_rawseti(L_, -2, static_cast<int>(i) - static_cast<int>(zero));
  }
  lua_setglobal(L_, "arg");
}

}  // namespace orscript
