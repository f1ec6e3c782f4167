#include "oracle/compare.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace iterconf::oracle {

namespace {

constexpr uint64_t k_vm_read = 0x1, k_vm_write = 0x2, k_vm_exec = 0x4, k_vm_mayshare = 0x80;

bool parse_hex(const char*& p, uint64_t& v) {
    if (!std::isxdigit(static_cast<unsigned char>(*p))) // strtoull would skip spaces, '\n'
        return false;
    char* end = nullptr;
    errno = 0;
    v = std::strtoull(p, &end, 16);
    if (end == p || errno)
        return false;
    p = end;
    return true;
}

} // namespace

Result<std::vector<MapsEntry>> parse_maps(const std::string& text) {
    std::vector<MapsEntry> out;
    out.reserve(text.size() / 48);
    size_t pos = 0;
    int lineno = 0;
    while (pos < text.size()) {
        size_t nl = text.find('\n', pos);
        if (nl == std::string::npos)
            nl = text.size();
        // The line is parsed in place: text[nl] is '\n' or the terminator,
        // where strtoull stops; a copy per line costs with thousands.
        const char* p = text.c_str() + pos;
        const char* eol = text.c_str() + nl;
        const char* bol = p;
        pos = nl + 1;
        lineno++;
        MapsEntry e;
        uint64_t maj = 0, min = 0;
        bool ok = parse_hex(p, e.start) && *p++ == '-' && parse_hex(p, e.end) && *p++ == ' ';
        if (ok && eol - p >= 5 && p[4] == ' ') {
            e.perms.assign(p, 4);
            p += 5;
            ok = parse_hex(p, e.offset) && *p++ == ' ' && parse_hex(p, maj) && *p++ == ':' &&
                 parse_hex(p, min) && *p++ == ' ';
        } else {
            ok = false;
        }
        if (ok) {
            char* end = nullptr;
            e.ino = std::strtoull(p, &end, 10);
            ok = std::isdigit(static_cast<unsigned char>(*p)) && end <= eol;
            p = end;
        }
        if (!ok)
            return make_error(ErrorKind::infra, "/proc/PID/maps:" + std::to_string(lineno),
                              "cannot parse '" + std::string(bol, eol) + "'",
                              "the maps format changed; fix runner/oracle/compare.cpp");
        while (p < eol && *p == ' ')
            p++;
        e.name.assign(p, eol);
        e.major = static_cast<uint32_t>(maj);
        e.minor = static_cast<uint32_t>(min);
        out.push_back(std::move(e));
    }
    return out;
}

Result<std::vector<MapsEntry>> read_maps(pid_t pid) {
    std::string path = "/proc/" + std::to_string(pid) + "/maps";
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return make_error(ErrorKind::io, path, std::strerror(errno));
    std::string text;
    char buf[1 << 16];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof(buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            ::close(fd);
            return make_error(ErrorKind::io, path, std::strerror(e));
        }
        if (n == 0)
            break;
        text.append(buf, static_cast<size_t>(n));
    }
    ::close(fd);
    return parse_maps(text);
}

std::vector<MapsEntry> expected_from(const std::vector<MapsEntry>& maps, uint64_t addr,
                                     uint32_t limit, bool* more) {
#if ITERCONF_BOUNDS_BREAK
    // Deliberately wrong (a scratch build's self-check of the fuzzer): an
    // off-by-one on the start address.
    addr += 1;
#endif
    uint32_t cap = limit < BOUNDS_MAX_VMAS ? limit : BOUNDS_MAX_VMAS;
    std::vector<MapsEntry> out;
    *more = false;
    for (const auto& e : maps) {
        // [vsyscall] is printed by maps but is no VMA of the mm.
        if (e.name == "[vsyscall]" || e.end <= addr)
            continue;
        if (out.size() == cap) {
            *more = true;
            break;
        }
        out.push_back(e);
    }
    return out;
}

std::string format_entry(const MapsEntry& e) {
    char buf[160];
    std::snprintf(buf, sizeof(buf), "%012llx-%012llx %s %08llx %02x:%02x %llu",
                  static_cast<unsigned long long>(e.start), static_cast<unsigned long long>(e.end),
                  e.perms.c_str(), static_cast<unsigned long long>(e.offset), e.major, e.minor,
                  static_cast<unsigned long long>(e.ino));
    return buf;
}

namespace {

// The maps view of a walk record (fs/proc/task_mmu.c show_map_vma()).
MapsEntry as_entry(const bounds_vma& v) {
    MapsEntry e;
    e.start = v.start;
    e.end = v.end;
    e.perms = {v.flags & k_vm_read ? 'r' : '-', v.flags & k_vm_write ? 'w' : '-',
               v.flags & k_vm_exec ? 'x' : '-', v.flags & k_vm_mayshare ? 's' : 'p'};
    if (v.has_file) {
        e.offset = v.pgoff << 12;
        e.major = v.dev >> 20;
        e.minor = v.dev & 0xfffff;
        e.ino = v.ino;
    }
    return e;
}

bool same(const MapsEntry& a, const MapsEntry& b) {
    return a.start == b.start && a.end == b.end && a.perms == b.perms && a.offset == b.offset &&
           a.major == b.major && a.minor == b.minor && a.ino == b.ino;
}

bool overlaps(uint64_t s, uint64_t e, uint64_t skip_start, uint64_t skip_end) {
    return skip_start < skip_end && s < skip_end && skip_start < e;
}

} // namespace

std::string format_vma(const bounds_vma& v) {
    return format_entry(as_entry(v));
}

std::string compare(const std::vector<MapsEntry>& maps, uint64_t addr, uint32_t limit,
                    const Walk& walk, uint64_t skip_start, uint64_t skip_end) {
    bool more = false;
    auto want = expected_from(maps, addr, limit, &more);
    std::vector<MapsEntry> got;
    for (const auto& v : walk.vmas)
        got.push_back(as_entry(v));
    std::string why;
    for (const auto& g : got)
        if (g.start >= 0xffff800000000000ull)
            why = "the walk yielded a kernel-half VMA (" + format_entry(g) + "), e.g. [vsyscall]";
    if (walk.err != 0)
        why = "bpf_iter_task_vma_new() returned " + std::to_string(walk.err);
    bool skipping = skip_start < skip_end;
    if (skipping) {
        // Under the hammer, the VMAs on its pages change meanwhile: they are
        // left out on both sides. The mmap_lock implementation yields the
        // rest exactly; the per-VMA-lock one skips a VMA it finds
        // write-locked, which may only be one of the hammer's. So the other
        // VMAs the walk yielded must be a prefix of maps's, all of them
        // when the walk was not cut by the limit.
        bool all_more = false;
        auto all = expected_from(maps, addr, BOUNDS_MAX_VMAS, &all_more);
        auto away = [&](const MapsEntry& e) {
            return overlaps(e.start, e.end, skip_start, skip_end);
        };
        std::erase_if(all, away);
        std::erase_if(got, away);
        want = all;
        uint32_t cap = limit < BOUNDS_MAX_VMAS ? limit : BOUNDS_MAX_VMAS;
        if (!why.empty()) {
        } else if (got.size() > want.size()) {
            why = "yielded " + std::to_string(got.size()) +
                  " VMAs away from the hammer, maps has " + std::to_string(want.size());
        } else {
            for (size_t i = 0; i < got.size() && why.empty(); i++)
                if (!same(want[i], got[i]))
                    why = "VMA " + std::to_string(i) + " differs";
            if (why.empty() && !walk.more && !all_more && got.size() != want.size())
                why = "the walk ended after " + std::to_string(got.size()) +
                      " VMAs away from the hammer, maps has " + std::to_string(want.size());
            if (why.empty() && walk.more && walk.vmas.size() != cap)
                why = "the walk stopped at " + std::to_string(walk.vmas.size()) +
                      " VMAs with more left, the limit is " + std::to_string(cap);
        }
    } else if (why.empty()) {
        if (want.size() != got.size())
            why = "yielded " + std::to_string(got.size()) + " VMAs, maps has " +
                  std::to_string(want.size()) + " with end > addr (limit " + std::to_string(limit) +
                  ")";
        for (size_t i = 0; i < want.size() && i < got.size() && why.empty(); i++)
            if (!same(want[i], got[i]))
                why = "VMA " + std::to_string(i) + " differs";
        if (why.empty() && more != walk.more)
            why = std::string("the walk ") + (walk.more ? "had" : "did not have") +
                  " a VMA after the limit, maps " + (more ? "has" : "has not");
    }
    if (why.empty())
        return {};
    char head[128];
    std::snprintf(head, sizeof(head),
                  "addr 0x%llx limit %u: ", static_cast<unsigned long long>(addr), limit);
    std::string r = head + why + "\n";
    size_t n = std::max(want.size(), got.size());
    r += "  #     expected (/proc/PID/maps)                                 | got (walk)\n";
    for (size_t i = 0; i < n; i++) {
        std::string w = i < want.size() ? format_entry(want[i]) : "-";
        std::string g = i < got.size() ? format_entry(got[i]) : "-";
        char line[256];
        std::snprintf(line, sizeof(line), "%c %-5zu %-59s | %s\n",
                      i < want.size() && i < got.size() && same(want[i], got[i]) ? ' ' : '!', i,
                      w.c_str(), g.c_str());
        r += line;
    }
    return r;
}

} // namespace iterconf::oracle
