// The comparison: /proc/PID/maps parsed, and a walk's VMAs checked against
// the entries maps had at the same moment. Pure data, no kernel.
#pragma once

#include "common/result.hpp"
#include "oracle/walk_abi.h"

#include <cstdint>
#include <string>
#include <sys/types.h>
#include <vector>

namespace iterconf::oracle {

// One line of /proc/PID/maps.
struct MapsEntry {
    uint64_t start = 0, end = 0;
    std::string perms; // "rwxp"
    uint64_t offset = 0;
    uint32_t major = 0, minor = 0;
    uint64_t ino = 0;
    std::string name;
};

// Parses the text of /proc/PID/maps; an error names the bad line.
Result<std::vector<MapsEntry>> parse_maps(const std::string& text);
Result<std::vector<MapsEntry>> read_maps(pid_t pid);

// What one run of the walk saw.
struct Walk {
    int err = 0;       // bpf_iter_task_vma_new()'s return, or BOUNDS_NO_TASK
    bool more = false; // a VMA was left after the limit
    std::vector<bounds_vma> vmas;
};

// The VMAs the walk must yield from `addr` with `limit`, from maps:
// every entry but [vsyscall] whose end is above addr, in order.
std::vector<MapsEntry> expected_from(const std::vector<MapsEntry>& maps, uint64_t addr,
                                     uint32_t limit, bool* more);

// Empty when the walk matches maps for (addr, limit), else a readable
// account of the difference. Entries overlapping [skip_start, skip_end)
// are left out on both sides (the hammer's pages, which change meanwhile).
std::string compare(const std::vector<MapsEntry>& maps, uint64_t addr, uint32_t limit,
                    const Walk& walk, uint64_t skip_start = 0, uint64_t skip_end = 0);

// "start-end perms offset maj:min ino" like a maps line, for a walk record.
std::string format_vma(const bounds_vma& v);
std::string format_entry(const MapsEntry& e);

} // namespace iterconf::oracle
