// Expectations of one program, read from its annotations (contract 1).
//
// The annotations reach us as BTF decl-tag strings on the program's FUNC, in
// any of the three formats upstream bpf_misc.h has shipped:
//   "comment:<key>[=<value>]"            before 6.12
//   "comment:<key>=<N>=<value>"          6.12 until 2026, for the keys that
//                                        may repeat (__msg, __xlated, ...)
//   "comment:<N>:<key>[=<value>]"        2026 upstream, and iterconf
// where <N> is __COUNTER__. parse_program_tags() turns them into one
// ProgramSpec (ordered by <N> where there is one); resolve() applies it to
// one kernel version.
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

// __retval(v): the value BPF_PROG_TEST_RUN must return. `text` as written
// (a number, 0x..., or a name upstream allows: INT_MIN, _INT_MIN,
// POINTER_VALUE, TEST_DATA_LEN, and the XDP_* / TC_ACT_* actions).
struct Retval {
    std::string text;
    uint32_t value = 0;
    bool operator==(const Retval&) const = default;
};
Result<Retval> parse_retval(const std::string& text);

// __leak_check(N) / __leak_check_zombie(N) (tag iterconf_leak_check=[zombie ]N):
// in guests only, the program (a syscall program) runs N times, each time
// against a fresh child the agent forks, while it is alive or, `zombie`,
// after it has exited and before it is reaped; the kernel's memory counters
// must not grow with N (judge::judge_leak). N is 1..100000.
struct LeakCheck {
    unsigned runs = 0;
    bool zombie = false;
    bool operator==(const LeakCheck&) const = default;
};
Result<LeakCheck> parse_leak_check(const std::string& text);

// The unprivileged pass upstream runs when any *_unpriv annotation is present:
// the program is loaded again without CAP_BPF/CAP_PERFMON/CAP_SYS_ADMIN/
// CAP_NET_ADMIN (plus the caps of __caps_unpriv). What it leaves unset
// defaults to the privileged expectation, as in test_loader.
struct UnprivSpec {
    bool wanted = false;
    std::optional<bool> success;  // __success_unpriv / __failure_unpriv
    std::vector<MsgPattern> msgs; // __msg_unpriv, __not_msg_unpriv
    std::optional<Retval> retval; // __retval_unpriv
    uint64_t caps = 0;            // __caps_unpriv: 1 << CAP_x
    bool auxiliary = false;       // __auxiliary_unpriv
};

struct ProgramSpec {
    std::string name; // the program's function name
    std::string description;
    std::optional<bool> success; // __success / __failure; unset: upstream default (success)
    std::vector<KverVerdict> kver_verdicts;
    std::vector<MsgPattern> msgs; // __msg, __not_msg, __kver_msg in written order
    std::optional<Retval> retval;
    std::optional<LeakCheck> leak_check;
    std::optional<int> log_level;
    uint32_t prog_flags_set = 0;
    uint32_t prog_flags_clear = 0;
    bool auxiliary = false;
    UnprivSpec unpriv;
    // Only *_unpriv annotations set the outcome: upstream then runs no
    // privileged pass, so the privileged verdict is not an expectation.
    bool unpriv_only = false;
    // __arch_*: the architectures (upstream names: X86_64, ARM64, ...) the
    // program is for; empty means every architecture.
    std::vector<std::string> archs;
    // Upstream annotations iterconf knows but never checks (xlated/jited
    // listings, stream output, custom BTF, ...): their keys, in written
    // order, without duplicates; never silently dropped.
    std::vector<std::string> unchecked;
};

// The upstream name of the architecture this binary runs on ("X86_64", ...).
const char* current_arch();
// True when the program's __arch_* annotations allow `arch` (or there are none).
bool runs_on_arch(const ProgramSpec& spec, const std::string& arch);

// A short line for one key of ProgramSpec::unchecked: the annotation and why
// it is not checked, e.g. "__xlated (the rewritten program is not compared)".
std::string unchecked_text(const std::string& key);

// Parses the decl tags of one program. Tags that do not start with
// "comment:" are not annotations and are ignored. An unknown key or a
// malformed value is an error whose `where` is `where`.
Result<ProgramSpec> parse_program_tags(const std::string& name, std::vector<std::string> tags,
                                       const std::string& where);

// The expectation of the unprivileged pass as a spec of its own: the
// *_unpriv annotations, and the privileged ones where those are absent
// (test_loader's defaults). No *_unpriv keys of its own.
ProgramSpec unpriv_spec(const ProgramSpec& spec);

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
