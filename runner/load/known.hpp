// What iterconf knows exists in some kernel: kfuncs (images/kfuncs.txt) and
// LSM hooks (images/lsm_hooks.txt), both compiled into every binary that
// loads cases, the static guest agent included. `unsupported` needs such a
// positive reason (contract 1): a kfunc its kernel's BTF lacks is
// unsupported only when known here, any other name is a harness error with
// the closest known name as the hint; an lsm program whose hook is absent
// from kernel BTF is unsupported only when the hook is known, so a
// misspelled name never counts as a match.
#pragma once

#include "common/result.hpp"

#include <string>
#include <string_view>
#include <vector>

struct btf;

namespace iterconf::load {

struct KnownKfunc { // also an LSM hook: name = hook ("file_open")
    std::string name;
    std::string first; // "6.7", "<=6.1", "6.2-6.12", "module:bpf_testmod"
    std::string last;  // the last surveyed kernel that has it; "" when the newest still does
};

// Parses the list's text (`name first [last]` a line, `#` comments); an error
// names `where` and the line.
Result<std::vector<KnownKfunc>> parse_kfunc_list(std::string_view text, const std::string& where);

// The lists compiled in (sorted by name). Never empty in a built binary.
const std::vector<KnownKfunc>& known_kfuncs();
const std::vector<KnownKfunc>& known_lsm_hooks();
const KnownKfunc* find_known_kfunc(std::string_view name,
                                   const std::vector<KnownKfunc>& list = known_kfuncs());

// Damerau-Levenshtein distance (optimal string alignment: a swap of two
// neighbouring characters counts 1).
size_t edit_distance(std::string_view a, std::string_view b);

// The known name closest to `name`, or "" when none is close enough to be a
// plausible misspelling (distance at most 3 and at most a sixth of the length).
std::string closest_kfunc(std::string_view name,
                          const std::vector<KnownKfunc>& list = known_kfuncs());

// Why a kfunc is known, for an `unsupported` message: "a known kfunc, added
// after 6.1 (present in 6.12)", "a known kfunc, in module bpf_testmod", ...
std::string known_kfunc_span(const KnownKfunc& k);

// Ok when `name` is in `list`, else the one-line error of contract 1:
// "<where>: kfunc 'x' is known to no kernel; did you mean 'y'?".
Result<void> check_kfunc_known(std::string_view name, const std::string& where,
                               const std::vector<KnownKfunc>& list = known_kfuncs());

// Whether a program's attach target is in a kernel's BTF.
enum class AttachTarget {
    none,          // the section names no BTF attach target (raw_tp, kprobe, ...)
    present,       // in kernel BTF
    absent_known,  // absent, but known to exist elsewhere: `unsupported`, reason says why
    absent_unknown // absent and known nowhere (a typo?): load it, let libbpf say so
};
// A program's section as libbpf reads it: the no-autoload prefix "?"
// dropped, the kind before the first '/', the attach target after it ("" if
// none): "?lsm.s/file_open" -> {"lsm.s", "file_open"}.
struct SectionName {
    std::string kind;
    std::string target;
};
SectionName split_section(const std::string& section);

struct AttachCheck {
    AttachTarget state = AttachTarget::none;
    std::string btf_name; // "bpf_lsm_file_open"
    std::string reason;   // for absent_known
};

// Only lsm hooks have a known list: fentry/fexit/tp_btf targets absent from
// BTF are absent_unknown (their names are any kernel function).
AttachCheck check_attach_target(const struct btf* kernel_btf, const std::string& section,
                                const std::vector<KnownKfunc>& lsm_hooks = known_lsm_hooks());

} // namespace iterconf::load
