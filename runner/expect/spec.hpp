// Expectations of one program, read from its annotations (contract 1).
//
// The annotations reach us as BTF decl-tag strings on the program's FUNC:
// "comment:<n>:<key>[=<value>]" (iterconf and newer upstream bpf_misc.h) or
// "comment:<key>[=<value>]" (older upstream). parse_program_tags() turns
// them into a ProgramSpec; resolve() applies it to one kernel version.
#pragma once

#include "common/result.hpp"
#include "expect/kver.hpp"

#include <cstdint>
#include <optional>
#include <regex>
#include <string>
#include <vector>

namespace iterconf::expect {

// A __msg / __not_msg / __kver_msg pattern: literal text with {{ERE}} parts.
struct MsgPattern {
    std::string text;               // as written in the annotation
    std::string regex;              // the ERE it compiles to
    std::optional<KverRange> range; // __kver_msg only
    bool negative = false;          // __not_msg
    std::regex re;
    // The longest run of literal text (outside {{ }}): every match contains
    // it, so a line without it is skipped before the regex runs.
    std::string needle;
};

// Compiles "literal{{ERE}}literal" (test_loader's rule: outside {{ }} every
// character is literal). The error's `what` names the problem.
Result<MsgPattern> compile_pattern(const std::string& text);

struct KverVerdict {
    KverRange range;
    bool success = true;
};

struct ProgramSpec {
    std::string name; // the program's function name
    std::string description;
    std::optional<bool> success; // __success / __failure; unset: upstream default (success)
    std::vector<KverVerdict> kver_verdicts;
    std::vector<MsgPattern> msgs; // __msg, __not_msg, __kver_msg in written order
    std::optional<std::string> retval;
    std::optional<int> log_level;
    uint32_t prog_flags_set = 0;
    uint32_t prog_flags_clear = 0;
    bool auxiliary = false;
    // Upstream annotations iterconf knows but does not check (unpriv runs,
    // xlated/jited listings, ...): listed, never silently dropped.
    std::vector<std::string> unchecked;
};

// Parses the decl tags of one program. Tags that do not start with
// "comment:" are not annotations and are ignored. An unknown key or a
// malformed value is an error whose `where` is `where`.
Result<ProgramSpec> parse_program_tags(const std::string& name, std::vector<std::string> tags,
                                       const std::string& where);

// What the program must do on a kernel of version k.
struct Expectation {
    bool success = true;
    std::vector<const MsgPattern*> msgs; // the patterns that apply on k, in order
};
Expectation resolve(const ProgramSpec& spec, const KernelVersion& k);

// Result of matching patterns against a verifier log.
struct MatchOutcome {
    bool ok = true;
    // index into the Expectation's msgs of the first pattern that failed
    // (a positive one not found in order, or a negative one that was found)
    std::optional<size_t> failed;
};

// Positive patterns must match lines of the log in order (each search starts
// where the previous match ended; a match never spans lines). A negative
// pattern must not match between the previous and the next positive match.
MatchOutcome match_log(const std::vector<const MsgPattern*>& msgs, const std::string& log);

// BPF_F_* flag name -> value, as used by __flag(); nullopt when unknown.
std::optional<uint32_t> prog_flag_value(const std::string& name);

} // namespace iterconf::expect
