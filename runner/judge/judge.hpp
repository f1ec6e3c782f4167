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
    const std::vector<KnownBug>& entries() const { return m_entries; }

  private:
    std::vector<KnownBug> m_entries;
};

} // namespace iterconf::judge
