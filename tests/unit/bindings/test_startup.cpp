// Start-up of the Lua runtime (bindings/runtime.cpp): opening the state and loading the
// library run under lua_cpcall, so a broken library is an Error naming the cause, and a
// Lua error raised outside every protected call ends the process with one line and exit
// code 70 (the panic handler, which scrubs the key), never LuaJIT's bare "PANIC" and
// exit status 1.
#include <doctest/doctest.h>
#include <pthread.h>
#include <sys/wait.h>
#include <unistd.h>

#include <lua.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include "bindings/host_context.hpp"
#include "bindings/runtime.hpp"
#include "host/core/error.hpp"
#include "tests/support/process.hpp"

namespace fs = std::filesystem;

TEST_CASE("a library that fails to load is an internal Error naming the folder and the cause") {
  auto dir = fs::path(orscript::test::temp_dir()) / "broken_lib";
  fs::create_directories(dir / "orscript");
  std::ofstream(dir / "orscript" / "init.lua") << "error('broken on purpose')\n";
  orscript::HostContext ctx;
  ctx.lib_dir = dir.string();
  try {
    orscript::Runtime rt(ctx);
    FAIL("the runtime started on a broken library");
  } catch (const orscript::Error& e) {
    std::string what = e.what();
    CHECK(e.kind == orscript::ErrorKind::internal);
    CHECK(what.find("cannot load the orscript Lua library from " + dir.string()) != std::string::npos);
    CHECK(what.find("broken on purpose") != std::string::npos);
  }
}

TEST_CASE("the library loads from the source tree, and a second runtime starts after the first") {
  orscript::HostContext ctx;
  ctx.lib_dir = std::string(ORSCRIPT_SRC) + "/scripts";
  {
    orscript::Runtime rt(ctx);
    CHECK(rt.run_string("assert(orscript.version)", "=test") == orscript::exit_code::ok);
  }
  orscript::Runtime again(ctx);
  CHECK(again.run_string("assert(type(orscript) == 'table' and orscript.version)", "=test") == orscript::exit_code::ok);
}

namespace {

// Raises a Lua error on a thread of its own: no C++ handler above it, so the error
// reaches the panic handler (a doctest frame would otherwise catch it).
void* raise_unprotected(void* state) {
  auto* L = static_cast<lua_State*>(state);
  lua_pushliteral(L, "raised with no protected call around it, naming sk-or-v1-panic-secret-0123456789");
  lua_error(L);
  return nullptr;
}

}  // namespace

TEST_CASE("an error outside every protected call ends the process with one line and exit code 70") {
  int err_pipe[2];
  REQUIRE(pipe(err_pipe) == 0);
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    dup2(err_pipe[1], 2);
    close(err_pipe[0]);
    orscript::HostContext ctx;
    ctx.lib_dir = std::string(ORSCRIPT_SRC) + "/scripts";
    ctx.client_options.api_key = orscript::Secret("sk-or-v1-panic-secret-0123456789");
    orscript::Runtime rt(ctx);
    pthread_t thread;
    pthread_create(&thread, nullptr, raise_unprotected, rt.state());
    pthread_join(thread, nullptr);
    _exit(99);  // the panic handler never returns, so this is never reached
  }
  close(err_pipe[1]);
  std::string err;
  char buf[512];
  for (ssize_t n; (n = read(err_pipe[0], buf, sizeof buf)) > 0;) err.append(buf, static_cast<std::size_t>(n));
  close(err_pipe[0]);
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == orscript::exit_code::internal);
  CHECK(err.starts_with("orscript: internal error: Lua error outside a protected call: raised with no protected call"));
  CHECK(err.find("panic-secret") == std::string::npos);  // the key is scrubbed out
  CHECK(err.ends_with("\n"));
  CHECK(err.find('\n') == err.size() - 1);  // one line
}
