// fuzz_iter_bounds' input format and the check of one input, shared by the
// fuzz target (host) and the guest agent's corpus replay.
//
// An input (decoded with FuzzedDataProvider, so any bytes are an input):
//   scenario   layout (61 of 64 values), or the special ones: an exited task
//              (zombie), a kernel thread, a contended mmap lock (hammer)
//   ops        up to 48 layout commands in the target's arena: mmap (anon,
//              file, memfd; private or shared), munmap, mprotect, mremap,
//              madvise, many one-page VMAs (up to 4000), populate, stack growth
//   queries    1..8 of (start address, limit); addresses are chosen relative
//              to the layout (a VMA's start/end, +-1, a gap, after the last
//              VMA, the arena) or from edge values (0, last user page,
//              kernel half, [vsyscall], ~0) or raw
#pragma once

#include "iter_bounds/oracle.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace iterconf::bounds {

enum class Scenario { layout, zombie, kthread, contended };

struct AddrSel {
    uint8_t kind = 0;
    uint32_t index = 0;
    uint64_t delta = 0;
    uint64_t raw = 0;
};

struct QuerySpec {
    AddrSel addr;
    uint32_t limit = 0;
};

struct Input {
    Scenario scenario = Scenario::layout;
    std::vector<bt_cmd> ops;
    std::vector<QuerySpec> queries;
};

Input decode(const uint8_t* data, size_t size);

// The input as readable text (for reproducers).
std::string describe(const Input& in);

// The address a selector names in this layout (`maps` without [vsyscall]).
uint64_t resolve(const AddrSel& sel, const std::vector<MapsEntry>& maps, uint64_t arena);

struct Stats {
    uint64_t inputs = 0, queries = 0, walks = 0;
    uint64_t vmas_yielded = 0;
    uint64_t min_maps = ~0ull, max_maps = 0; // maps lines per layout
    uint64_t max_yielded = 0;                // VMAs one walk yielded
    uint64_t ebusy_layout = 0;               // -EBUSY without contention (retried)
    uint64_t contended_walks = 0, ebusy_contended = 0;
    uint64_t zombie_checks = 0, kthread_checks = 0;
    uint64_t target_respawns = 0, unstable = 0;
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
    Result<bt_reply> apply(const std::vector<bt_cmd>& cmds);
    Result<std::string> run_layout(const Input& in, bool hammer);

    std::unique_ptr<Walker> m_walker;
    std::unique_ptr<Target> m_target;
    Stats m_stats;
};

} // namespace iterconf::bounds
