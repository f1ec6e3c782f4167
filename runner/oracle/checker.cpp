#include "oracle/checker.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

namespace iterconf::oracle {

namespace {

constexpr uint32_t k_ebusy_retries = 20;
constexpr uint32_t k_contended_runs = 2;    // walks per query under the hammer
constexpr uint32_t k_contended_queries = 2; // queries of an input checked under it
constexpr uint32_t k_pf_kthread = 0x00200000;

} // namespace

std::string Stats::summary() const {
    std::ostringstream o;
    o << "task_vma implementation: " << implementation << "; " << inputs << " inputs, " << queries
      << " queries, " << walks << " walks, " << vmas_yielded << " VMAs yielded (max " << max_yielded
      << " in one walk); maps lines per layout " << (min_maps == ~0ull ? 0 : min_maps) << ".."
      << max_maps << "; -EBUSY: " << ebusy_contended << " of " << contended_walks
      << " contended walks, " << ebusy_layout << " uncontended (retried); " << zombie_checks
      << " exited-task and " << kthread_checks << " kthread checks; " << layout_respawns
      << " layout respawns, " << unstable << " unstable layouts";
    return o.str();
}

Result<std::unique_ptr<Checker>> Checker::open(Support& support) {
    std::unique_ptr<Checker> c(new Checker);
    ITERCONF_TRY_ASSIGN(c->m_walker, Walker::open(support));
    c->m_stats.implementation = c->m_walker->implementation();
    ITERCONF_TRY_ASSIGN(c->m_layout, LayoutProcess::spawn());
    return c;
}

Result<layout_reply> Checker::apply(const std::vector<layout_cmd>& cmds) {
    for (int attempt = 0;; attempt++) {
        if (!m_layout || m_layout->pid() < 0) {
            m_stats.layout_respawns++;
            ITERCONF_TRY_ASSIGN(m_layout, LayoutProcess::spawn());
        }
        auto r = m_layout->apply(cmds);
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
    std::vector<layout_cmd> cmds;
    layout_cmd reset{};
    reset.op = LAYOUT_RESET;
    cmds.push_back(reset);
    cmds.insert(cmds.end(), in.ops.begin(), in.ops.end());
    auto reply = apply(cmds);
    if (!reply) {
        // The ops killed the layout process (e.g. the stack ran into a mapping): not
        // the iterator's business. It is respawned for the next input.
        m_layout.reset();
        return std::string();
    }
    pid_t pid = m_layout->pid();
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
        layout_cmd h{};
        h.op = LAYOUT_HAMMER;
        h.arg = 1;
        if (!apply({h})) {
            m_layout.reset();
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
        layout_cmd h{};
        h.op = LAYOUT_HAMMER;
        auto r = apply({h});
        if (!r)
            m_layout.reset();
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

} // namespace iterconf::oracle
