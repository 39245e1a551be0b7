#include "host/core/file_io.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

#include "host/core/error.hpp"

namespace orscript {
namespace {

std::string cause(int err) { return std::strerror(err); }

// Opens `path` for reading without blocking; returns -1 with `why` set otherwise.
int open_regular(const std::string& path, std::size_t max_bytes, std::string& why) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    why = cause(errno);
    return -1;
  }
  struct stat st{};
  if (::fstat(fd, &st) != 0) {
    why = cause(errno);
  } else if (S_ISDIR(st.st_mode)) {
    why = "is a directory, not a file";
  } else if (!S_ISREG(st.st_mode)) {
    why = "is not a regular file (a device, FIFO or socket)";
  } else if (static_cast<std::uint64_t>(st.st_size) > max_bytes) {
    why = "is too large (" + std::to_string(st.st_size) + " bytes; at most " + std::to_string(max_bytes) + ")";
  } else {
    return fd;
  }
  ::close(fd);
  return -1;
}

}  // namespace

std::optional<std::string> try_read_file_capped(const std::string& path, std::size_t max_bytes, std::string* why) {
  std::string reason;
  const int fd = open_regular(path, max_bytes, reason);
  if (fd < 0) {
    if (why) *why = reason;
    return std::nullopt;
  }
  std::string out;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      reason = cause(errno);
      break;
    }
    if (n == 0) {
      ::close(fd);
      return out;
    }
    if (out.size() + static_cast<std::size_t>(n) > max_bytes) {  // grew while we read
      reason = "is too large (more than " + std::to_string(max_bytes) + " bytes)";
      break;
    }
    out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  if (why) *why = reason;
  return std::nullopt;
}

std::string read_file_capped(const std::string& path, std::size_t max_bytes, std::string_view what) {
  std::string why;
  auto text = try_read_file_capped(path, max_bytes, &why);
  if (!text) throw Error(ErrorKind::usage, std::string(what) + " '" + path + "': " + why);
  return *text;
}

void write_file_atomic(const std::string& path, std::string_view data, bool make_dirs) {
  auto fail = [&](const std::string& why) -> void {
    throw Error(ErrorKind::usage, "cannot write '" + path + "': " + why);
  };
  if (path.empty()) fail("empty path");
  const auto slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  if (make_dirs && slash != std::string::npos && slash > 0) {
    for (std::size_t p = path.find('/', 1); p != std::string::npos && p <= slash; p = path.find('/', p + 1))
      ::mkdir(path.substr(0, p).c_str(), 0755);
  }
  struct stat st{};
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) fail("it is a directory");
  std::string tmp = (slash == std::string::npos ? std::string() : path.substr(0, slash + 1)) + "." +
                    path.substr(slash == std::string::npos ? 0 : slash + 1) + ".tmp-XXXXXX";
  const int fd = ::mkstemp(tmp.data());
  if (fd < 0) fail(cause(errno) + " (in " + dir + ")");
  // Keep the mode a plain open() would give (0666 less the umask), not mkstemp's 0600.
  const mode_t mask = ::umask(0);
  ::umask(mask);
  ::fchmod(fd, 0666 & ~mask);
  std::size_t off = 0;
  int err = 0;
  while (off < data.size()) {
    const ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      err = n < 0 ? errno : EIO;
      break;
    }
    off += static_cast<std::size_t>(n);
  }
  if (!err && ::fsync(fd) != 0) err = errno;
  if (::close(fd) != 0 && !err) err = errno;
  if (!err && ::rename(tmp.c_str(), path.c_str()) != 0) err = errno;
  if (err) {
    ::unlink(tmp.c_str());
    fail(cause(err));
  }
}

}  // namespace orscript
