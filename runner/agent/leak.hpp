// The guest side of __leak_check (expect::LeakCheck): runs a loaded
// syscall program N times, each against a fresh child, and samples the
// kernel's memory counters around it; judge::judge_leak() says whether they
// grew. Guests only: the host never runs a program.
#pragma once

#include "expect/spec.hpp"
#include "judge/judge.hpp"

#include <cstdint>
#include <functional>
#include <optional>

namespace iterconf::agent {

// The context every run gets (the program's SEC("syscall") ctx): the
// child's pid, whether it has exited (a zombie, not yet reaped), and where
// its memfd is mapped ([file_start, file_end), 0 when memfd_create failed).
struct LeakCtx {
    int32_t pid;
    int32_t zombie;
    uint64_t file_start;
    uint64_t file_end;
};

// Runs program `fd` (of BPF program type `type`) as `check` says. `run`
// receives the run that __retval is judged on: the first whose return value
// differs from `want`, else the first. `alive` is called every second or so
// while the runs go on, so that the host's no-progress timeout measures a
// stuck run, not a long check on a slow (emulated, loaded) machine.
judge::LeakRun leak_run(int fd, int type, const expect::LeakCheck& check,
                        const std::optional<expect::Retval>& want, judge::TestRun& run,
                        const std::function<void()>& alive);

} // namespace iterconf::agent
