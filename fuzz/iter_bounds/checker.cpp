#include "iter_bounds/checker.hpp"

#include <array>
#include <cerrno>
#include <cstdio>
#include <fstream>
#include <fuzzer/FuzzedDataProvider.h>
#include <sstream>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

namespace iterconf::bounds {

namespace {

constexpr uint32_t k_max_ops = 48;
constexpr uint32_t k_max_queries = 8;
constexpr uint32_t k_ebusy_retries = 20;
constexpr uint32_t k_contended_runs = 2;    // walks per query under the hammer
constexpr uint32_t k_contended_queries = 2; // queries of an input checked under it
constexpr uint32_t k_pf_kthread = 0x00200000;

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
    case BT_RESET:
        return "reset";
    case BT_MMAP:
        return "mmap";
    case BT_MUNMAP:
        return "munmap";
    case BT_MPROTECT:
        return "mprotect";
    case BT_MREMAP:
        return "mremap";
    case BT_MADVISE:
        return "madvise";
    case BT_MANY:
        return "many";
    case BT_TOUCH:
        return "touch";
    case BT_GROW_STACK:
        return "grow_stack";
    case BT_HAMMER:
        return "hammer";
    case BT_SYNC:
        return "sync";
    }
    return "?";
}

uint64_t pick_off(FuzzedDataProvider& p) {
    return p.ConsumeBool() ? p.ConsumeIntegralInRange<uint64_t>(0, BT_ARENA_PAGES - 1)
                           : p.ConsumeIntegralInRange<uint64_t>(0, 255);
}

uint64_t pick_len(FuzzedDataProvider& p) {
    return p.ConsumeBool() ? p.ConsumeIntegralInRange<uint64_t>(1, 512)
                           : p.ConsumeIntegralInRange<uint64_t>(1, 16);
}

} // namespace

Input decode(const uint8_t* data, size_t size) {
    FuzzedDataProvider p(data, size);
    Input in;
    // The special scenarios each take 1 in 64 values (not 0x00 or 0xff,
    // which mutations produce most): they cost more than a layout.
    uint8_t sc = p.ConsumeIntegral<uint8_t>();
    in.scenario = sc % 64 == 17   ? Scenario::zombie
                  : sc % 64 == 33 ? Scenario::kthread
                  : sc % 64 == 49 ? Scenario::contended
                                  : Scenario::layout;
    uint32_t nops = p.ConsumeIntegralInRange<uint32_t>(0, k_max_ops);
    for (uint32_t i = 0; i < nops && p.remaining_bytes() > 0; i++) {
        bt_cmd c{};
        switch (p.ConsumeIntegralInRange<int>(0, 10)) {
        case 0:
        case 1:
            c.op = BT_MMAP;
            c.off = pick_off(p);
            c.len = pick_len(p);
            c.prot = p.PickValueInArray(k_prots);
            c.flags = p.ConsumeIntegralInRange<int>(0, 7) == 0 ? BT_F_SHARED : 0;
            break;
        case 2:
            c.op = BT_MMAP;
            c.off = pick_off(p);
            c.len = pick_len(p);
            c.prot = p.PickValueInArray(k_prots);
            c.flags =
                (p.ConsumeBool() ? BT_F_FILE : BT_F_MEMFD) | (p.ConsumeBool() ? BT_F_SHARED : 0);
            c.off2 = p.ConsumeIntegralInRange<uint64_t>(0, BT_FILE_PAGES + 4);
            break;
        case 3:
            c.op = BT_MUNMAP;
            c.off = pick_off(p);
            c.len = pick_len(p);
            break;
        case 4:
            c.op = BT_MPROTECT;
            c.off = pick_off(p);
            c.len = pick_len(p);
            c.prot = p.PickValueInArray(k_prots);
            break;
        case 5:
            c.op = BT_MREMAP;
            c.off = pick_off(p);
            c.len = pick_len(p);
            c.len2 = pick_len(p);
            if (p.ConsumeBool()) {
                c.flags = BT_F_MOVE;
                c.off2 = pick_off(p);
            }
            break;
        case 6:
            c.op = BT_MADVISE;
            c.off = pick_off(p);
            c.len = pick_len(p);
            c.arg = p.PickValueInArray(k_advice);
            break;
        case 7:
            c.op = BT_MANY;
            c.off = pick_off(p);
            // Thousands of VMAs cost milliseconds per walk: now and then.
            c.arg = p.ConsumeIntegralInRange<int>(0, 127) == 0
                        ? p.ConsumeIntegralInRange<uint32_t>(1, 4000)
                        : p.ConsumeIntegralInRange<uint32_t>(1, 64);
            break;
        case 8:
            c.op = BT_TOUCH;
            c.off = pick_off(p);
            c.len = pick_len(p);
            break;
        case 9:
            c.op = BT_GROW_STACK;
            c.arg = p.ConsumeIntegralInRange<uint32_t>(4, 2048);
            break;
        default:
            // An unmap of a whole stretch: guard gaps between what stays.
            c.op = BT_MUNMAP;
            c.off = pick_off(p);
            c.len = p.ConsumeIntegralInRange<uint64_t>(1, 2);
            break;
        }
        in.ops.push_back(c);
    }
    uint32_t nq = p.ConsumeIntegralInRange<uint32_t>(1, k_max_queries);
    for (uint32_t i = 0; i < nq; i++) {
        QuerySpec q;
        q.addr.kind = p.ConsumeIntegralInRange<uint8_t>(0, 9);
        q.addr.index = p.ConsumeIntegral<uint16_t>();
        q.addr.delta = p.ConsumeIntegralInRange<uint64_t>(0, 4095);
        if (q.addr.kind == 7)
            q.addr.raw = p.ConsumeIntegral<uint64_t>();
        switch (p.ConsumeIntegralInRange<int>(0, 3)) {
        case 0:
            q.limit = p.PickValueInArray(k_limits);
            break;
        case 1:
            q.limit = p.ConsumeIntegralInRange<uint32_t>(0, 16);
            break;
        case 2:
            q.limit = p.ConsumeIntegralInRange<uint32_t>(0, BOUNDS_MAX_VMAS + 8);
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
        return arena + (s.index % BT_ARENA_PAGES) * 4096ull + (s.delta & 0xfff);
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

std::string Stats::summary() const {
    std::ostringstream o;
    o << "task_vma implementation: " << implementation << "; " << inputs << " inputs, " << queries
      << " queries, " << walks << " walks, " << vmas_yielded << " VMAs yielded (max " << max_yielded
      << " in one walk); maps lines per layout " << (min_maps == ~0ull ? 0 : min_maps) << ".."
      << max_maps << "; -EBUSY: " << ebusy_contended << " of " << contended_walks
      << " contended walks, " << ebusy_layout << " uncontended (retried); " << zombie_checks
      << " exited-task and " << kthread_checks << " kthread checks; " << target_respawns
      << " target respawns, " << unstable << " unstable layouts";
    return o.str();
}

Result<std::unique_ptr<Checker>> Checker::open(Support& support) {
    std::unique_ptr<Checker> c(new Checker);
    ITERCONF_TRY_ASSIGN(c->m_walker, Walker::open(support));
    c->m_stats.implementation = c->m_walker->implementation();
    ITERCONF_TRY_ASSIGN(c->m_target, Target::spawn());
    return c;
}

Result<bt_reply> Checker::apply(const std::vector<bt_cmd>& cmds) {
    for (int attempt = 0;; attempt++) {
        if (!m_target || m_target->pid() < 0) {
            m_stats.target_respawns++;
            ITERCONF_TRY_ASSIGN(m_target, Target::spawn());
        }
        auto r = m_target->apply(cmds);
        if (r || attempt == 1)
            return r;
    }
}

Result<std::string> Checker::run(const Input& in) {
    m_stats.inputs++;
    uint64_t addr0 = in.queries.empty() ? 0 : in.queries[0].addr.raw;
    switch (in.scenario) {
    case Scenario::zombie:
        return check_zombie(addr0);
    case Scenario::kthread:
        return check_kthread(addr0);
    case Scenario::contended:
        return run_layout(in, true);
    case Scenario::layout:
        break;
    }
    return run_layout(in, false);
}

Result<std::string> Checker::run_layout(const Input& in, bool hammer) {
    std::vector<bt_cmd> cmds;
    bt_cmd reset{};
    reset.op = BT_RESET;
    cmds.push_back(reset);
    cmds.insert(cmds.end(), in.ops.begin(), in.ops.end());
    auto reply = apply(cmds);
    if (!reply) {
        // The ops killed the target (e.g. the stack ran into a mapping): not
        // the iterator's business. It is respawned for the next input.
        m_target.reset();
        return std::string();
    }
    pid_t pid = m_target->pid();
    ITERCONF_TRY_ASSIGN(auto maps, read_maps(pid));
    std::vector<MapsEntry> user;
    for (const auto& e : maps)
        if (e.name != "[vsyscall]")
            user.push_back(e);
    m_stats.min_maps = std::min<uint64_t>(m_stats.min_maps, maps.size());
    m_stats.max_maps = std::max<uint64_t>(m_stats.max_maps, maps.size());
    if (hammer) {
        // Maps is read first, on the still layout; the hammer runs only
        // while the walks do (it changes nothing but its own pages).
        bt_cmd h{};
        h.op = BT_HAMMER;
        h.arg = 1;
        if (!apply({h})) {
            m_target.reset();
            return std::string();
        }
    }
    uint64_t skip_start = hammer ? reply->hammer_start : 0;
    uint64_t skip_end = hammer ? reply->hammer_start + reply->hammer_len : 0;

    std::string report;
    size_t nq = 0;
    for (const auto& q : in.queries) {
        if (hammer && nq++ == k_contended_queries)
            break;
        m_stats.queries++;
        uint64_t addr = resolve(q.addr, user, reply->arena);
        uint32_t runs = hammer ? k_contended_runs : 1;
        for (uint32_t run = 0; run < runs && report.empty(); run++) {
            ITERCONF_TRY_ASSIGN(Walk w, m_walker->run(pid, addr, q.limit));
            m_stats.walks++;
            if (hammer) {
                m_stats.contended_walks++;
                if (w.err == -EBUSY) {
                    // The documented answer to a contended lock: no VMAs.
                    m_stats.ebusy_contended++;
                    if (!w.vmas.empty() || w.more)
                        report = "-EBUSY from new() but next() yielded VMAs\n";
                    continue;
                }
            } else {
                for (uint32_t i = 0; w.err == -EBUSY && i < k_ebusy_retries; i++) {
                    m_stats.ebusy_layout++;
                    ITERCONF_TRY_ASSIGN(w, m_walker->run(pid, addr, q.limit));
                }
            }
            m_stats.vmas_yielded += w.vmas.size();
            m_stats.max_yielded = std::max<uint64_t>(m_stats.max_yielded, w.vmas.size());
            std::string diff = compare(maps, addr, q.limit, w, skip_start, skip_end);
            if (diff.empty() || hammer) {
                report = diff;
                continue;
            }
            // Confirm before calling it a finding: the same maps again, and
            // the same answer from a second walk.
            ITERCONF_TRY_ASSIGN(auto again, read_maps(pid));
            bool stable = again.size() == maps.size();
            for (size_t i = 0; stable && i < maps.size(); i++)
                stable = format_entry(again[i]) == format_entry(maps[i]);
            if (!stable) {
                m_stats.unstable++;
                continue;
            }
            ITERCONF_TRY_ASSIGN(Walk w2, m_walker->run(pid, addr, q.limit));
            report = compare(maps, addr, q.limit, w2, 0, 0);
        }
        if (!report.empty())
            break;
    }
    if (hammer) {
        bt_cmd h{};
        h.op = BT_HAMMER;
        auto r = apply({h});
        if (!r)
            m_target.reset();
    }
    if (report.empty())
        return report;
    std::ostringstream o;
    o << "fuzz_iter_bounds: the walk disagrees with /proc/" << pid << "/maps\n"
      << report << "\n"
      << describe(in) << "arena at 0x" << std::hex << reply->arena << std::dec << "\n"
      << "/proc/PID/maps:\n";
    for (const auto& e : maps)
        o << "  " << format_entry(e) << " " << e.name << "\n";
    return o.str();
}

Result<std::string> Checker::check_zombie(uint64_t addr) {
    m_stats.zombie_checks++;
    // vfork: the child only exits, and copying the fuzzer's page tables
    // (ASan's shadow) on every check would dominate the run time.
    pid_t c = ::vfork();
    if (c < 0)
        return make_error(ErrorKind::infra, "zombie check",
                          std::string("vfork: ") + strerror(errno));
    if (c == 0)
        ::_exit(0);
    // Wait until it has exited, but keep it unreaped: its pid stays taken.
    siginfo_t si{};
    while (::waitid(P_PID, static_cast<id_t>(c), &si, WEXITED | WNOWAIT) < 0 && errno == EINTR) {
    }
    auto w = m_walker->run(c, addr, 16);
    ::waitpid(c, nullptr, 0);
    if (!w)
        return w.take_error();
    if (w->err == -ENOENT && w->vmas.empty() && !w->more)
        return std::string();
    return "exited task (zombie pid " + std::to_string(c) + ", addr " + std::to_string(addr) +
           "): expected -ENOENT and no VMAs, got " + std::to_string(w->err) + " and " +
           std::to_string(w->vmas.size()) + " VMAs\n";
}

Result<std::string> Checker::check_kthread(uint64_t addr) {
    // kthreadd is pid 2 when we see the init pid namespace; make sure.
    std::ifstream in("/proc/2/stat");
    std::string stat;
    std::getline(in, stat);
    size_t rp = stat.rfind(')');
    unsigned long flags = 0;
    if (rp != std::string::npos) {
        std::istringstream f(stat.substr(rp + 2));
        std::string state;
        long ppid, pgrp, session, tty, tpgid;
        f >> state >> ppid >> pgrp >> session >> tty >> tpgid >> flags;
    }
    if (!(flags & k_pf_kthread))
        return std::string(); // no kernel thread in sight: nothing to check
    m_stats.kthread_checks++;
    ITERCONF_TRY_ASSIGN(Walk w, m_walker->run(2, addr, 16));
    if (w.err == -ENOENT && w.vmas.empty() && !w.more)
        return std::string();
    return "kernel thread (pid 2): expected -ENOENT and no VMAs, got " + std::to_string(w.err) +
           " and " + std::to_string(w.vmas.size()) + " VMAs\n";
}

} // namespace iterconf::bounds
