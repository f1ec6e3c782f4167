// Judging: what a program's annotations expect on one kernel, set against
// what that kernel did; and the known-bugs list that explains a mismatch.
//
// The host runner and the guest agent judge with this same code: a guest
// record arrives already judged, and the host applies only the known bugs.
#pragma once

#include "common/result.hpp"
#include "expect/kver.hpp"
#include "expect/spec.hpp"
#include "load/loader.hpp"
#include "record/record.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace iterconf::judge {

// Fills r.expected, r.expected_msgs, r.match and r.reason from `spec` on a
// kernel of version `k`. r.verdict must be set; `log` is the whole verifier
// log. An `unsupported` verdict is expected by definition (contract 1).
void judge(record::Record& r, const expect::ProgramSpec& spec, const expect::KernelVersion& k,
           const std::string& log);

// The judged record of one load: identity, outcome and judgement.
// `kernel_source` is "host", a manifest name or a path.
record::Record make_record(const load::CaseObject& obj, const load::CaseProgram& prog,
                           const load::LoadOutcome& outcome, const std::string& release,
                           const expect::KernelVersion& k, const std::string& kernel_source);

// Where a program is judged. On the host programs are only loaded, as root;
// in a guest the agent may also run them (__retval) and load them again
// unprivileged (__*_unpriv).
enum class Place { host, guest };

// The record's `unchecked` entries for `spec` at `place`, before anything
// runs: the upstream keys iterconf never checks and, on the host, __retval
// and the unprivileged pass. `expect_success` false leaves __retval out
// (upstream runs only programs expected to load).
std::vector<std::string> unchecked_entries(const expect::ProgramSpec& spec, Place place,
                                           bool expect_success = true);

// One BPF_PROG_TEST_RUN of an accepted program (guests only).
struct TestRun {
    bool ran = false;    // the program was run
    int err = 0;         // errno of BPF_PROG_TEST_RUN, 0 when it succeeded
    uint32_t retval = 0; // what the program returned
    std::string not_run; // why it was not run, when !ran
};

// Checks `want` (__retval, or __retval_unpriv as `label`) against `run` on
// a record already judged by judge(): a different value or a failed run is
// a mismatch; a program that could not run is listed in r.unchecked. Does
// nothing unless the program was expected to load and did.
void judge_retval(record::Record& r, const expect::Retval& want, const TestRun& run,
                  const std::string& label = "__retval");

// The kernel's memory counters around a leak check (guests only): from
// /proc/meminfo in KiB, and the exact task_struct object count when the
// kernel has /sys/kernel/slab (SLUB_DEBUG). -1: the kernel does not say.
struct MemSample {
    int64_t anon_kib = -1;       // AnonPages
    int64_t shmem_kib = -1;      // Shmem
    int64_t sunreclaim_kib = -1; // SUnreclaim
    int64_t task_objects = -1;   // /sys/kernel/slab/task_struct/objects
};

// What __leak_check did: `runs` runs, each against a fresh child that had
// mapped and touched child_anon_kib of anonymous memory and child_file_kib
// of a memfd, walked alive or (zombie) after its exit; the counters after
// a warm-up round (before) and once the runs' children were reaped (after).
struct LeakRun {
    bool ran = false;
    std::string not_run; // why it did not run, when !ran
    std::string error;   // a run that failed (fork, BPF_PROG_TEST_RUN, ...)
    unsigned runs = 0;
    bool zombie = false;
    int64_t child_anon_kib = 0;
    int64_t child_file_kib = 0;
    MemSample before, after;
};

// A counter that grew beyond its limit.
struct LeakExcess {
    std::string counter; // "AnonPages", "Shmem", "SUnreclaim", "task_struct objects"
    int64_t delta = 0;   // KiB, or objects
    int64_t limit = 0;
    bool objects = false;
};

// The threshold rule. A leaked mm keeps the child's anonymous memory and
// its memfd mapping, a leaked file its memfd pages, a leaked task_struct at
// least 2 KiB of unreclaimable slab and one object: each limit is a quarter
// (half for the slab bytes) of what `runs` leaks would keep, and never below
// the noise floor measured on unmutated kernels (8 MiB, 8 MiB, 2 MiB, 16).
std::vector<LeakExcess> leak_excess(const LeakRun& run);

// Fails r (reason "leak: <counter> +<delta> after N walks of ... (limit
// L)") when leak_excess() finds anything, or when a run failed; lists the
// check as unchecked when it could not run. Only for accepted programs
// expected to load.
void judge_leak(record::Record& r, const LeakRun& run);

// Folds the judged record of the unprivileged pass into the privileged
// one: its mismatch makes r a mismatch (reason prefixed "unpriv: "), its
// unchecked entries join r's.
void merge_unpriv(record::Record& r, const record::Record& unpriv);

// One entry of images/known-bugs.toml: a kernel that gets a program wrong.
struct KnownBug {
    std::string program; // glob over "<case>/<program>"
    expect::KverRange kernels;
    std::string reason;
    std::string link;
    // reproduces = "sometimes": the bug shows on some runs only (it depends
    // on what the kernel's memory holds), so the entry explains a mismatch
    // but a match is plain `ok`, not `fixed`.
    bool sometimes = false;
    // divergence = "<glob>": the entry covers only records whose verdict
    // matched and one of whose divergences (the state-embedding oracle's
    // violated beliefs, record::Record::divergences) matches the glob, e.g.
    // "* next0: believed NULL, *": a kernel behaviour seen at run time in
    // generated programs. A record without such a divergence is not covered
    // (so never `fixed`: which programs reach the point varies).
    std::string divergence;
    std::string where; // "images/known-bugs.toml:12"
};

class KnownBugs {
  public:
    // Reads the list. A missing file is an empty list only when `optional`.
    static Result<KnownBugs> load(const std::string& path, bool optional = false);
    // Parses text; `file` names it in errors.
    static Result<KnownBugs> parse(const std::string& text, const std::string& file);

    const KnownBug* find(const std::string& id, const expect::KernelVersion& k) const;
    // Sets r.known_bug when an entry covers r on kernel k (for a "sometimes"
    // entry, only when r does not match). r.match must be set already.
    void apply(record::Record& r, const expect::KernelVersion& k) const;
    // The same, matching the globs against `id` instead of r.id(): a
    // generated program's id is a hash, so it is matched as
    // "generated/<program text>" (gen::Program::text()).
    void apply(record::Record& r, const expect::KernelVersion& k, const std::string& id) const;
    const std::vector<KnownBug>& entries() const { return m_entries; }

  private:
    std::vector<KnownBug> m_entries;
};

} // namespace iterconf::judge
