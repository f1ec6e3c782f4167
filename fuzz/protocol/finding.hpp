// What fuzz_protocol writes for a finding: the disagreement class that the
// minimizer preserves, and the minimized program as a case file (contract 1)
// whose annotations are what the kernel did.
#pragma once

#include "gen/program.hpp"
#include "model/model.hpp"
#include "record/record.hpp"

#include <cstddef>
#include <string>

namespace iterconf::protocol {

// One program judged on the running kernel.
struct Judged {
    model::Expectation e;  // the model's prediction for this kernel
    record::Record r;      // judge::generated_record: the kernel's verdict, match
    std::string log_bug;   // a "verifier bug" / "REG INVARIANTS" line of the log
    bool disagree = false; // pinned and not matching
    std::string cls;       // class_of()
};

// "model <accept|reject:reason> -> kernel <verdict>": what minimization keeps.
std::string class_of(const Judged& j);

struct Finding {
    gen::Program original, minimal;
    Judged judged; // of `minimal`
    std::string kmsg_line;
    std::string release;
    std::string input; // where the original input was saved
    size_t tries = 0;  // loads the minimizer made
};

// One line: the class and why it is interesting.
std::string summary(const Finding& f);
// The case file's program name: model_<reason|accept>_kernel_<verdict>_<name>.
std::string case_name(const Finding& f);
// A contract-1 case file of f.minimal: SPDX line, a header comment with the
// model's prediction and the kernel's behaviour, the kernel's behaviour as
// __success / __failure + __msg (numbers as {{[0-9]+}}).
std::string case_text(const Finding& f);
// The kernel's error line as a __msg pattern: digit runs become {{[0-9]+}}.
std::string msg_pattern(const std::string& message);

} // namespace iterconf::protocol
