// A deterministic initramfs writer (cpio "newc", uncompressed: every kernel
// unpacks it without a decompressor), built in-process, no root needed.
#pragma once

#include "common/result.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace iterconf::qemu {

struct CpioEntry {
    std::string path;  // inside the archive, without a leading '/'
    uint32_t mode = 0; // full st_mode: S_IFDIR | 0755, S_IFREG | 0644, ...
    std::string data;  // file contents or symlink target
};

// Writes the entries in the given order, all owned by root with mtime 0.
Result<void> write_cpio(const std::string& path, const std::vector<CpioEntry>& entries);

// Reads a whole file (for entries taken from the host).
Result<std::string> read_file(const std::string& path);

} // namespace iterconf::qemu
