// Kernel mutants: the catalogue (images/mutants.toml), the matcher that
// finds a mutant's line in a kernel source tree, and applying and reverting
// it. Standard library and common/ only; `iterconf mutate` (cli/cmd_mutate)
// builds, boots and judges.
//
// The catalogue, one table per mutant (common/toml's subset):
//   [vma-new-drop-rcu]                  id: [a-z0-9-]+, unique
//   file = "kernel/bpf/verifier.c"      path in the kernel tree
//   function = "process_iter_arg"       whose body holds the line; "-" = the file
//   original = "if (!is_iter_kfunc(meta))"   the line, trimmed
//   mutated = "if (is_iter_kfunc(meta))"     its replacement (indentation kept)
//   area = "iter-arg"                   which part of the iterator code
//   what = "..."                        the behaviour this breaks, one line
//   equivalent = "..."                  optional: why no BPF program can see it
//   survives = "..."                    optional: why the suite does not kill it although
//                                       a program could see it (a race it cannot force, a
//                                       task it cannot create); it stays in the score
// Every other key, a missing key, an empty value, a bad or repeated id and a
// `mutated` equal to `original` are errors naming "<file>:<line>".
//
// The matcher. A function's definition starts on a line that begins in
// column 0 and contains `NAME(` (NAME not preceded by an identifier
// character), whose parameter list closes before any `;` and is followed,
// before any other column-0 line, by a line that is exactly `{`; its body
// runs from there to the next line that is exactly `}`. A declaration, a
// macro call and a prototype fail those rules. "-" is the whole file. The
// trimmed `original` must equal exactly one trimmed line of that scope, and
// the function must be defined exactly once (an #ifdef'd second definition
// counts): otherwise "the kernel moved" error names mutant, file, function
// and the count.
#pragma once

#include "common/result.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace iterconf::mutate {

struct Mutant {
    std::string id, file, function, original, mutated, area, what;
    std::string equivalent; // empty: not argued
    std::string survives;   // empty: a survivor would be a gap in the suite
    std::string where;      // "<catalogue>:<line>" of its header
};

// Errors are kind `input`, where "<file>:<line>".
Result<std::vector<Mutant>> parse_catalogue(std::string_view text, const std::string& file);
Result<std::vector<Mutant>> read_catalogue(const std::string& path);

// `s` without leading and trailing blanks (space, tab, \r, \f, \v).
std::string_view trim(std::string_view s);

// Where a function's body is: lines [first, last) of the file (0-based).
struct Scope {
    size_t first = 0, last = 0;
};
// Every definition of `function` in `lines` (one Scope each); "-" gives the
// whole file.
std::vector<Scope> find_function(const std::vector<std::string_view>& lines,
                                 const std::string& function);

// The 0-based line of `m.original` in `source` (the text of m.file), or the
// "the kernel moved" error (kind input, where m.where).
Result<size_t> match(std::string_view source, const Mutant& m);

// Reads root/m.file and matches it.
Result<size_t> match_in(const std::string& root, const Mutant& m);

// The text of `source` with line `line` replaced by `m.mutated`, keeping
// that line's indentation and line ending.
std::string mutated_text(std::string_view source, size_t line, const Mutant& m);

// Writes `bytes` to `path` through a temporary file in the same directory
// and a rename, keeping the file's mode.
Result<void> replace_file(const std::string& path, std::string_view bytes);

// Applies `m` in the tree `root`. First the original bytes go to
// <state_dir>/original and <state_dir>/applied names the mutant and file,
// so that revert_applied() can undo it after a crash or Ctrl-C.
Result<void> apply(const std::string& root, const Mutant& m, const std::string& state_dir);

// Restores the file a recorded mutant changed (its exact original bytes)
// and removes the record. Returns the mutant's id, or nullopt when none
// was applied.
Result<std::optional<std::string>> revert_applied(const std::string& root,
                                                  const std::string& state_dir);

// The mutation score: killed / (all - equivalent - build failures - not
// applicable - harness errors), counted from each mutant's status
// (`iterconf mutate` and `iterconf report` count it with this one).
struct Score {
    size_t all = 0, killed = 0, survived = 0, equivalent = 0, build_failures = 0,
           not_applicable = 0, errors = 0;
    // One mutant of status killed, survived, equivalent, build-failure,
    // error; anything else is not applicable.
    void add(std::string_view status);
    size_t denominator() const {
        return all - equivalent - build_failures - not_applicable - errors;
    }
    double pct() const { return denominator() ? 100.0 * killed / denominator() : 100.0; }
};
// "mutation score: K/D = P% (killed / (all ...)); survived S[; E not judged ...]"
std::string score_line(const Score& s);

} // namespace iterconf::mutate
