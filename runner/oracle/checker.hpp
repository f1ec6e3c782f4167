// The check of one input: lay out the layout process's address space, walk
// it from each query's address, and compare with /proc/PID/maps; plus the
// exited-task, kernel-thread and contended-lock scenarios. Used by the fuzz
// target, the CLI's host replay and the guest agent alike.
#pragma once

#include "common/result.hpp"
#include "oracle/input.hpp"
#include "oracle/layout.hpp"
#include "oracle/walker.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace iterconf::oracle {

struct Stats {
    uint64_t inputs = 0, queries = 0, walks = 0;
    uint64_t vmas_yielded = 0;
    uint64_t min_maps = ~0ull, max_maps = 0; // maps lines per layout
    uint64_t max_yielded = 0;                // VMAs one walk yielded
    uint64_t ebusy_layout = 0;               // -EBUSY without contention (retried)
    uint64_t contended_walks = 0, ebusy_contended = 0;
    uint64_t zombie_checks = 0, kthread_checks = 0;
    uint64_t layout_respawns = 0, unstable = 0;
    std::string implementation;
    std::string summary() const;
};

class Checker {
  public:
    // `support` as Walker::open(): why the check cannot run, by type.
    static Result<std::unique_ptr<Checker>> open(Support& support);

    // Checks one input. The result is empty when the kernel agrees, else a
    // report (what was run, expected vs got); an Error is a harness problem.
    Result<std::string> run(const Input& in);

    // The special scenarios, also run once at start-up.
    Result<std::string> check_zombie(uint64_t addr);
    Result<std::string> check_kthread(uint64_t addr);

    const Stats& stats() const { return m_stats; }

  private:
    Result<layout_reply> apply(const std::vector<layout_cmd>& cmds);
    Result<std::string> run_layout(const Input& in, bool hammer);

    std::unique_ptr<Walker> m_walker;
    std::unique_ptr<LayoutProcess> m_layout;
    Stats m_stats;
};

} // namespace iterconf::oracle
