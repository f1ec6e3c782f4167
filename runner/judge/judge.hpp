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
    std::string where; // "images/known-bugs.toml:12"
};

class KnownBugs {
  public:
    // Reads the list. A missing file is an empty list only when `optional`.
    static Result<KnownBugs> load(const std::string& path, bool optional = false);
    // Parses text; `file` names it in errors.
    static Result<KnownBugs> parse(const std::string& text, const std::string& file);

    const KnownBug* find(const std::string& id, const expect::KernelVersion& k) const;
    // Sets r.known_bug when an entry covers r on kernel k.
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
