// fuzz_iter_bounds' oracle: a layout target process, the BPF walk of its
// VMAs (bpf_iter_task_vma_*), and the comparison with /proc/PID/maps read
// at the same moment. A library apart from the libFuzzer entry point, so
// the guest agent replays the same inputs through the same code.
#pragma once

#include "common/result.hpp"
#include "target_abi.h"
#include "walk_abi.h"

#include <cstdint>
#include <memory>
#include <string>
#include <sys/types.h>
#include <vector>

struct bpf_object;

namespace iterconf::bounds {

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

// Whether the walk can run on this kernel, decided by type, never by an
// error's text: a kernel without the task_vma iterator is `unsupported` (a
// verdict), a process without bpf() rights a skip. Everything else that
// stops the walk (kernel BTF unreadable, the walk not loading) is a harness
// fault and leaves `available`.
enum class Support { available, no_iterator, not_permitted };
const char* to_string(Support s);

// The loaded walk program (walk.bpf.c), run with BPF_PROG_TEST_RUN.
class Walker {
  public:
    // On error, `support` says whether the kernel itself rules the walk out
    // (no_iterator, not_permitted) or the error is a harness fault
    // (available); the Error describes it either way.
    static Result<std::unique_ptr<Walker>> open(Support& support);
    ~Walker();
    Result<Walk> run(pid_t pid, uint64_t addr, uint32_t limit);
    // "mmap_lock" (6.7 on: the read lock held from new to destroy, -EBUSY
    // when contended) or "per-VMA lock" (the 2026 rework: a snapshot per
    // VMA, write-locked VMAs skipped), read from the kernel's BTF.
    const std::string& implementation() const { return m_impl; }

  private:
    Walker() = default;
    struct bpf_object* m_obj = nullptr;
    int m_prog_fd = -1;
    const bounds_out* m_out = nullptr;
    size_t m_out_len = 0;
    std::string m_impl;
};

// The layout target (target_main.c), fork+exec'd from the copy embedded in
// this binary; respawned when it dies.
class Target {
  public:
    static Result<std::unique_ptr<Target>> spawn();
    ~Target();
    pid_t pid() const { return m_pid; }
    // Sends `cmds` then BT_SYNC and waits for the reply: when it returns,
    // the target is blocked reading its next command.
    Result<bt_reply> apply(const std::vector<bt_cmd>& cmds);

  private:
    Target() = default;
    pid_t m_pid = -1;
    int m_in = -1, m_out = -1, m_file = -1;
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

} // namespace iterconf::bounds
