// file_io.hpp: reading and writing the files orscript is pointed at, safely.
//
// Owns: reading a file that may be anything (a FIFO, a device, a directory, a symlink to
// /dev/zero, a huge file) without blocking or reading without bound, and writing a file
// whole or not at all (a temporary file in the same folder, then rename). Does not own:
// what the files mean (keys, caches, reports, scenarios) or their error wording beyond
// naming the path and the cause.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace orscript {

// Reads the regular file at `path` (symlinks followed) into memory. Never blocks on open
// (O_NONBLOCK) and reads at most `max_bytes`. Throws Error(usage) "<what> 'path' <cause>"
// when it is missing, not a regular file, unreadable or larger than `max_bytes`.
std::string read_file_capped(const std::string& path, std::size_t max_bytes, std::string_view what);

// As read_file_capped, but returns nullopt instead of throwing (for caches, where a bad
// file is simply not used); `why` (if given) receives the cause.
std::optional<std::string> try_read_file_capped(const std::string& path, std::size_t max_bytes,
                                                std::string* why = nullptr);

// Writes `data` to `path` atomically: a temporary file beside it, flushed, then renamed
// over it, so a reader never sees half a file and a failure leaves the old file alone.
// Creates missing parent folders when `make_dirs`. Throws Error(usage) "cannot write
// 'path': cause" (the temporary file is removed).
void write_file_atomic(const std::string& path, std::string_view data, bool make_dirs = false);

}  // namespace orscript
