#include "tests/support/process.hpp"

#include "host/core/platform.hpp"

#include <fcntl.h>
#include <poll.h>
#if defined(__APPLE__)
#include <util.h>  // forkpty
#elif defined(__FreeBSD__)
#include <libutil.h>
#else
#include <pty.h>
#endif
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

extern char** environ;

namespace orscript::test {
namespace {

std::vector<std::string> build_env(const RunOptions& opts) {
  std::map<std::string, std::string> env;
  for (char** e = environ; *e; ++e) {
    std::string kv(*e);
    auto eq = kv.find('=');
    if (eq != std::string::npos) env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  // Tests never inherit a real key or colour from the developer's shell.
  env.erase("OPENROUTER_API_KEY");
  env.erase("OPENROUTER_BASE_URL");
  env["NO_COLOR"] = "1";
  for (auto& name : opts.unset_env) env.erase(name);
  for (auto& [k, v] : opts.env) env[k] = v;
  std::vector<std::string> out;
  for (auto& [k, v] : env) out.push_back(k + "=" + v);
  return out;
}

std::vector<char*> c_strings(std::vector<std::string>& v) {
  std::vector<char*> out;
  for (auto& s : v) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

int decode_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace

std::string source_dir() { return ORSCRIPT_SRC; }
std::string binary_path() { return ORSCRIPT_BIN; }

RunResult run(const std::vector<std::string>& argv_in, const RunOptions& opts) {
  int in_pipe[2], out_pipe[2], err_pipe[2];
  using orscript::platform::cloexec_pipe;
  if (cloexec_pipe(in_pipe, false) || cloexec_pipe(out_pipe, false) || cloexec_pipe(err_pipe, false))
    throw std::runtime_error("pipe failed");

  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in_pipe[0], 0);
  posix_spawn_file_actions_adddup2(&fa, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&fa, err_pipe[1], 2);
  std::string cwd = opts.cwd.empty() ? source_dir() : opts.cwd;
  posix_spawn_file_actions_addchdir_np(&fa, cwd.c_str());

  std::vector<std::string> argv = argv_in;
  auto env = build_env(opts);
  auto c_argv = c_strings(argv);
  auto c_env = c_strings(env);
  pid_t pid;
  int rc = posix_spawn(&pid, argv[0].c_str(), &fa, nullptr, c_argv.data(), c_env.data());
  posix_spawn_file_actions_destroy(&fa);
  close(in_pipe[0]);
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (rc != 0) {
    close(in_pipe[1]);
    close(out_pipe[0]);
    close(err_pipe[0]);
    throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(rc));
  }

  RunResult result;
  std::size_t written = 0;
  const std::string& input = opts.stdin_text;
  int in_fd = in_pipe[1];
  if (input.empty() && opts.close_stdin) {
    close(in_fd);
    in_fd = -1;
  }
  fcntl(out_pipe[0], F_SETFL, O_NONBLOCK);
  fcntl(err_pipe[0], F_SETFL, O_NONBLOCK);
  if (in_fd >= 0) fcntl(in_fd, F_SETFL, O_NONBLOCK);
  signal(SIGPIPE, SIG_IGN);

  auto deadline = std::chrono::steady_clock::now() + opts.limit;
  int open_outputs = 2;
  int fds_out[2] = {out_pipe[0], err_pipe[0]};
  std::string* bufs[2] = {&result.out, &result.err};
  while (open_outputs > 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      result.timed_out = true;
      kill(pid, SIGKILL);
      break;
    }
    pollfd pfds[3];
    int n = 0;
    for (int i = 0; i < 2; ++i)
      if (fds_out[i] >= 0) pfds[n++] = {fds_out[i], POLLIN, 0};
    int in_index = -1;
    if (in_fd >= 0) {
      in_index = n;
      pfds[n++] = {in_fd, POLLOUT, 0};
    }
    int pr = poll(pfds, n, static_cast<int>(std::min<long long>(left.count(), 1000)));
    if (pr < 0 && errno != EINTR) break;
    for (int i = 0; i < n; ++i) {
      if (!pfds[i].revents) continue;
      if (i == in_index) {
        ssize_t w = write(in_fd, input.data() + written, input.size() - written);
        if (w > 0) written += static_cast<std::size_t>(w);
        if (w < 0 && errno != EAGAIN) written = input.size();
        if (written >= input.size() && opts.close_stdin) {
          close(in_fd);
          in_fd = -1;
        }
        continue;
      }
      for (int k = 0; k < 2; ++k) {
        if (pfds[i].fd != fds_out[k]) continue;
        char buf[65536];
        ssize_t r = read(fds_out[k], buf, sizeof buf);
        if (r > 0) {
          bufs[k]->append(buf, static_cast<std::size_t>(r));
        } else if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
          close(fds_out[k]);
          fds_out[k] = -1;
          --open_outputs;
        }
      }
    }
  }
  for (int fd : fds_out)
    if (fd >= 0) close(fd);
  if (in_fd >= 0) close(in_fd);
  int status = 0;
  if (!result.timed_out) {
    // Outputs closed; the child is exiting. Bound the wait anyway.
    while (true) {
      pid_t w = waitpid(pid, &status, WNOHANG);
      if (w == pid) break;
      if (std::chrono::steady_clock::now() > deadline) {
        result.timed_out = true;
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        break;
      }
      pollfd none{};
      poll(&none, 0, 10);
    }
  } else {
    waitpid(pid, &status, 0);
  }
  result.exit_code = decode_status(status);
  return result;
}

RunResult orscript(const std::vector<std::string>& args, const RunOptions& opts) {
  std::vector<std::string> argv{binary_path()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run(argv, opts);
}

std::string temp_dir() {
  static std::vector<std::string> made;
  std::string tmpl = (std::filesystem::temp_directory_path() / "orscript-test-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
  if (made.empty())
    std::atexit([] {
      for (auto& d : made) std::filesystem::remove_all(d);
    });
  made.push_back(tmpl);
  return tmpl;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

Pty::Pty(const std::vector<std::string>& argv_in, const RunOptions& opts) {
  std::vector<std::string> argv = argv_in;
  auto env = build_env(opts);
  env.push_back("TERM=xterm");
  auto c_argv = c_strings(argv);
  auto c_env = c_strings(env);
  std::string cwd = opts.cwd.empty() ? source_dir() : opts.cwd;
  winsize ws{};
  ws.ws_row = 40;
  ws.ws_col = 120;
  pid_ = forkpty(&fd_, nullptr, nullptr, &ws);
  if (pid_ < 0) throw std::runtime_error("forkpty failed");
  if (pid_ == 0) {
    if (chdir(cwd.c_str()) != 0) _exit(127);
    execve(c_argv[0], c_argv.data(), c_env.data());
    _exit(127);
  }
}

Pty::~Pty() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    int st;
    waitpid(pid_, &st, 0);
  }
  if (fd_ >= 0) close(fd_);
}

void Pty::send(const std::string& bytes) {
  std::size_t off = 0;
  while (off < bytes.size()) {
    ssize_t w = write(fd_, bytes.data() + off, bytes.size() - off);
    if (w < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      throw std::runtime_error("pty write failed");
    }
    off += static_cast<std::size_t>(w);
  }
}

std::string Pty::expect(const std::string& needle, std::chrono::seconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (true) {
    auto pos = pending_.find(needle);
    if (pos != std::string::npos) {
      std::string got = pending_.substr(0, pos + needle.size());
      pending_.erase(0, pos + needle.size());
      return got;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0)
      throw std::runtime_error("expected '" + needle + "' but the terminal showed:\n" + pending_);
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    char buf[4096];
    ssize_t r = read(fd_, buf, sizeof buf);
    if (r <= 0)
      throw std::runtime_error("terminal closed while expecting '" + needle + "'; it showed:\n" + pending_);
    pending_.append(buf, static_cast<std::size_t>(r));
    all_.append(buf, static_cast<std::size_t>(r));
  }
}

int Pty::wait(std::chrono::seconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  int status = 0;
  while (true) {
    // Drain output so the child never blocks on a full terminal.
    char buf[4096];
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, 20) > 0) {
      ssize_t r = read(fd_, buf, sizeof buf);
      if (r > 0) {
        pending_.append(buf, static_cast<std::size_t>(r));
        all_.append(buf, static_cast<std::size_t>(r));
      }
    }
    pid_t w = waitpid(pid_, &status, WNOHANG);
    if (w == pid_) {
      pid_ = -1;
      return decode_status(status);
    }
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
      pid_ = -1;
      return -1;
    }
  }
}

RunOptions clean_options() {
  static const std::string cache = temp_dir();
  RunOptions o;
  o.env["NO_COLOR"] = "1";
  o.env["ORSCRIPT_CACHE_DIR"] = cache;
  o.unset_env = {"OPENROUTER_API_KEY", "OPENROUTER_BASE_URL", "ORSCRIPT_INIT", "COLUMNS", "PAGER"};
  o.limit = std::chrono::seconds{120};
  return o;
}

}  // namespace orscript::test
