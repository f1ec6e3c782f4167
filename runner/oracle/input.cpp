#include "oracle/input.hpp"

#include "oracle/walk_abi.h"

#include <sstream>
#include <sys/mman.h>

namespace iterconf::oracle {

uint64_t InputReader::range(uint64_t min, uint64_t max) {
    uint64_t span = max - min, v = 0;
    for (unsigned bits = 0; bits < 64 && (span >> bits) > 0 && m_left > 0; bits += 8)
        v = (v << 8) | m_data[--m_left];
    if (span != ~0ull)
        v %= span + 1;
    return min + v;
}

namespace {

constexpr uint32_t k_max_ops = 48;
constexpr uint32_t k_max_queries = 8;

constexpr std::array<uint64_t, 16> k_addrs = {
    0,
    1,
    0xfff,
    0x1000,
    0x400000,
    0x7ffffffff000ull, // the last user page
    0x7fffffffefffull,
    0x7fffffffffffull,
    0x800000000000ull,     // the first non-canonical address
    0xffff800000000000ull, // kernel half
    0xffff888000000000ull, // the direct map
    0xffffffffff600000ull, // [vsyscall]
    0xffffffffff600fffull,
    0xfffffffffffff000ull,
    ~0ull,
    0x555555554000ull,
};

constexpr std::array<uint32_t, 14> k_limits = {0,
                                               1,
                                               2,
                                               3,
                                               7,
                                               8,
                                               63,
                                               64,
                                               65,
                                               1000,
                                               BOUNDS_MAX_VMAS - 1,
                                               BOUNDS_MAX_VMAS,
                                               BOUNDS_MAX_VMAS + 1,
                                               0xffffffffu};

constexpr std::array<uint32_t, 7> k_prots = {PROT_NONE,
                                             PROT_READ,
                                             PROT_READ | PROT_WRITE,
                                             PROT_READ | PROT_EXEC,
                                             PROT_READ | PROT_WRITE | PROT_EXEC,
                                             PROT_WRITE,
                                             PROT_EXEC};

// madvise() advice values that change vm_flags (and so split VMAs) or not.
constexpr std::array<uint32_t, 18> k_advice = {
    0 /*NORMAL*/,    1 /*RANDOM*/,          2 /*SEQUENTIAL*/,
    3 /*WILLNEED*/,  4 /*DONTNEED*/,        8 /*FREE*/,
    10 /*DONTFORK*/, 11 /*DOFORK*/,         12 /*MERGEABLE*/,
    14 /*HUGEPAGE*/, 15 /*NOHUGEPAGE*/,     16 /*DONTDUMP*/,
    17 /*DODUMP*/,   18 /*WIPEONFORK*/,     19 /*KEEPONFORK*/,
    21 /*PAGEOUT*/,  102 /*GUARD_INSTALL*/, 103 /*GUARD_REMOVE*/};

const char* op_name(uint32_t op) {
    switch (op) {
    case LAYOUT_RESET:
        return "reset";
    case LAYOUT_MMAP:
        return "mmap";
    case LAYOUT_MUNMAP:
        return "munmap";
    case LAYOUT_MPROTECT:
        return "mprotect";
    case LAYOUT_MREMAP:
        return "mremap";
    case LAYOUT_MADVISE:
        return "madvise";
    case LAYOUT_MANY:
        return "many";
    case LAYOUT_TOUCH:
        return "touch";
    case LAYOUT_GROW_STACK:
        return "grow_stack";
    case LAYOUT_HAMMER:
        return "hammer";
    case LAYOUT_SYNC:
        return "sync";
    }
    return "?";
}

uint64_t pick_off(InputReader& p) {
    return p.flag() ? p.range(0, LAYOUT_ARENA_PAGES - 1) : p.range(0, 255);
}

uint64_t pick_len(InputReader& p) {
    return p.flag() ? p.range(1, 512) : p.range(1, 16);
}

} // namespace

Input decode(const uint8_t* data, size_t size) {
    InputReader p(data, size);
    Input in;
    // The special scenarios each take 1 in 64 values (not 0x00 or 0xff,
    // which mutations produce most): they cost more than a layout.
    uint8_t sc = static_cast<uint8_t>(p.range(0, 0xff));
    in.scenario = sc % 64 == 17   ? Scenario::zombie
                  : sc % 64 == 33 ? Scenario::kthread
                  : sc % 64 == 49 ? Scenario::contended
                                  : Scenario::layout;
    uint32_t nops = static_cast<uint32_t>(p.range(0, k_max_ops));
    for (uint32_t i = 0; i < nops && p.remaining() > 0; i++) {
        layout_cmd c{};
        switch (p.range(0, 10)) {
        case 0:
        case 1:
            c.op = LAYOUT_MMAP;
            c.off = pick_off(p);
            c.len = pick_len(p);
            c.prot = p.pick(k_prots);
            c.flags = p.range(0, 7) == 0 ? LAYOUT_F_SHARED : 0;
            break;
        case 2:
            c.op = LAYOUT_MMAP;
            c.off = pick_off(p);
            c.len = pick_len(p);
            c.prot = p.pick(k_prots);
            // Two statements: the operands of | are not sequenced.
            c.flags = p.flag() ? LAYOUT_F_FILE : LAYOUT_F_MEMFD;
            c.flags |= p.flag() ? LAYOUT_F_SHARED : 0;
            c.off2 = p.range(0, LAYOUT_FILE_PAGES + 4);
            break;
        case 3:
            c.op = LAYOUT_MUNMAP;
            c.off = pick_off(p);
            c.len = pick_len(p);
            break;
        case 4:
            c.op = LAYOUT_MPROTECT;
            c.off = pick_off(p);
            c.len = pick_len(p);
            c.prot = p.pick(k_prots);
            break;
        case 5:
            c.op = LAYOUT_MREMAP;
            c.off = pick_off(p);
            c.len = pick_len(p);
            c.len2 = pick_len(p);
            if (p.flag()) {
                c.flags = LAYOUT_F_MOVE;
                c.off2 = pick_off(p);
            }
            break;
        case 6:
            c.op = LAYOUT_MADVISE;
            c.off = pick_off(p);
            c.len = pick_len(p);
            c.arg = p.pick(k_advice);
            break;
        case 7:
            c.op = LAYOUT_MANY;
            c.off = pick_off(p);
            // Thousands of VMAs cost milliseconds per walk: now and then.
            c.arg = p.range(0, 127) == 0 ? static_cast<uint32_t>(p.range(1, 4000))
                                         : static_cast<uint32_t>(p.range(1, 64));
            break;
        case 8:
            c.op = LAYOUT_TOUCH;
            c.off = pick_off(p);
            c.len = pick_len(p);
            break;
        case 9:
            c.op = LAYOUT_GROW_STACK;
            c.arg = static_cast<uint32_t>(p.range(4, 2048));
            break;
        default:
            // An unmap of a whole stretch: guard gaps between what stays.
            c.op = LAYOUT_MUNMAP;
            c.off = pick_off(p);
            c.len = p.range(1, 2);
            break;
        }
        in.ops.push_back(c);
    }
    uint32_t nq = static_cast<uint32_t>(p.range(1, k_max_queries));
    for (uint32_t i = 0; i < nq; i++) {
        QuerySpec q;
        q.addr.kind = static_cast<uint8_t>(p.range(0, 9));
        q.addr.index = static_cast<uint16_t>(p.range(0, 0xffff));
        q.addr.delta = p.range(0, 4095);
        if (q.addr.kind == 7)
            q.addr.raw = p.range(0, ~0ull);
        switch (p.range(0, 3)) {
        case 0:
            q.limit = p.pick(k_limits);
            break;
        case 1:
            q.limit = static_cast<uint32_t>(p.range(0, 16));
            break;
        case 2:
            q.limit = static_cast<uint32_t>(p.range(0, BOUNDS_MAX_VMAS + 8));
            break;
        default:
            q.limit = 0xffffffffu;
            break;
        }
        in.queries.push_back(q);
    }
    return in;
}

uint64_t resolve(const AddrSel& s, const std::vector<MapsEntry>& maps, uint64_t arena) {
    if (s.kind == 0)
        return s.index % k_addrs.size() == k_addrs.size() - 1 ? arena
                                                              : k_addrs[s.index % k_addrs.size()];
    if (s.kind == 6)
        return arena + (s.index % LAYOUT_ARENA_PAGES) * 4096ull + (s.delta & 0xfff);
    if (s.kind == 7)
        return s.raw;
    if (maps.empty())
        return 0;
    const MapsEntry& e = maps[s.index % maps.size()];
    switch (s.kind) {
    case 1:
        return e.start;
    case 2:
        return e.start + s.delta;
    case 3:
        return e.end;
    case 4:
        return e.end - 1;
    case 5: {
        size_t i = s.index % maps.size();
        uint64_t next = i + 1 < maps.size() ? maps[i + 1].start : e.end + 2 * 4096;
        return e.end + (next - e.end) / 2;
    }
    case 8:
        return maps.back().end + s.delta * 4096;
    default:
        return e.start - 1;
    }
}

std::string describe(const Input& in) {
    std::ostringstream o;
    const char* sc[] = {"layout", "zombie", "kthread", "contended"};
    o << "scenario " << sc[static_cast<int>(in.scenario)] << "\n";
    o << "ops (offsets and lengths in pages of the arena):\n";
    for (const auto& c : in.ops) {
        o << "  " << op_name(c.op) << " off=" << c.off << " len=" << c.len << " prot=" << c.prot
          << " flags=" << c.flags << " arg=" << c.arg << " off2=" << c.off2 << " len2=" << c.len2
          << "\n";
    }
    o << "queries:\n";
    for (const auto& q : in.queries)
        o << "  addr kind=" << int(q.addr.kind) << " index=" << q.addr.index
          << " delta=" << q.addr.delta << " raw=0x" << std::hex << q.addr.raw << std::dec
          << " limit=" << q.limit << "\n";
    return o.str();
}

} // namespace iterconf::oracle
