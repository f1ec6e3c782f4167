#include "qemu/initramfs.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

namespace iterconf::qemu {

namespace {

void header(std::string& out, uint32_t ino, uint32_t mode, uint32_t nlink, size_t filesize,
            const std::string& name) {
    char buf[111];
    std::snprintf(buf, sizeof(buf), "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
                  ino, mode, 0u, 0u, nlink, 0u, static_cast<uint32_t>(filesize), 0u, 0u, 0u, 0u,
                  static_cast<uint32_t>(name.size() + 1), 0u);
    out.append(buf, 110);
    out += name;
    out += '\0';
    while (out.size() % 4)
        out += '\0';
}

} // namespace

Result<void> write_cpio(const std::string& path, const std::vector<CpioEntry>& entries) {
    std::string out;
    uint32_t ino = 1;
    for (const auto& e : entries) {
        bool dir = (e.mode & 0170000) == 0040000;
        header(out, ino++, e.mode, dir ? 2 : 1, dir ? 0 : e.data.size(), e.path);
        if (!dir) {
            out += e.data;
            while (out.size() % 4)
                out += '\0';
        }
    }
    header(out, 0, 0, 1, 0, "TRAILER!!!");
    while (out.size() % 512)
        out += '\0';
    std::string tmp = path + ".tmp";
    {
        std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
        if (!f || !f.write(out.data(), static_cast<std::streamsize>(out.size())))
            return make_error(ErrorKind::io, path,
                              std::string("cannot write initramfs: ") + std::strerror(errno));
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0)
        return make_error(ErrorKind::io, path, std::string("rename: ") + std::strerror(errno));
    return {};
}

Result<std::string> read_file(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f)
        return make_error(ErrorKind::io, path, std::string("cannot read: ") + std::strerror(errno));
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

} // namespace iterconf::qemu
