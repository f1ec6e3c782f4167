// The record of one generated program: loaded through the
// bytecode path, expected to do what the reference model predicts for the
// kernel that judged it. Shared by `iterconf run --generated` on the host
// and by the guest agent.
#pragma once

#include "expect/kver.hpp"
#include "gen/beliefs.hpp"
#include "gen/program.hpp"
#include "load/raw_load.hpp"
#include "record/record.hpp"

#include <string>

namespace iterconf::judge {

// The record's `file` for the corpus of a bound: "iterconf gen --bound=B".
std::string generated_file(const std::string& bound_text);

record::Record generated_record(const gen::Program& p, const load::RawOutcome& o,
                                const std::string& release, const expect::KernelVersion& k,
                                const std::string& bound_text);

// The state-embedding oracle's verdict on a run (gen/beliefs.hpp): `ran` is
// the outcome of loading and running the program emitted with `embedded`
// (its runs and violation counts). Sets r.executed; every violated belief
// is a divergence, which makes the record a mismatch. A program with
// embedded checks that the kernel refused, or one that was attached but
// never ran, is said so (a divergence / an unchecked expectation).
void judge_beliefs(record::Record& r, const gen::Program& p, const gen::Beliefs& embedded,
                   const load::RawOutcome& ran);

// The record of a generated program that took the guest down (crash) or
// made no progress (timeout): judged against the model like any other.
record::Record generated_loss(const gen::Program& p, record::Verdict v, const std::string& message,
                              const std::string& release, const expect::KernelVersion& k,
                              const std::string& bound_text);

} // namespace iterconf::judge
