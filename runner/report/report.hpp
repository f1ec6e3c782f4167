// iterconf report: one self-contained HTML page from an out dir.
//
// The out dir of `iterconf run` (results.jsonl, logs/, console/, and
// kernels/<label>.meta, the cached kernel's meta record a run copies) or of
// `iterconf mutate` (mutants.jsonl, summary.json); the kind is found from
// the files. The page carries everything inline: the data as one JSON
// document in a <script type="application/json"> element, a stylesheet and a
// small script that renders the programs x kernels matrix (rows that are not
// ok first, paginated, filtered by kernel, id text or glob and status, the
// filter kept in the URL fragment: report.html#status=mismatch&kernel=host),
// the per-kernel summary, the known bugs, the diff to a base run and the
// mutant table. No network, no external script, stylesheet or font.
// Standard library, common/ and record/, diff/ only.
#pragma once

#include "common/result.hpp"
#include "diff/diff.hpp"
#include "mutate/mutate.hpp"

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace iterconf::report {

enum class Kind { run, mutate };

// A kernel of a run as kernels/<label>.meta describes it (key=value lines:
// source, release, package, version, bzimage_sha256, ...).
struct KernelMeta {
    std::string label;
    std::map<std::string, std::string> meta;
};

// One line of a mutation campaign's mutants.jsonl.
struct Mutant {
    std::string id, file, function, area, status, equivalence, note, what;
    std::string killer_stage, killer_program, killer_how, killer_detail;
    std::string equivalent_argument, survives_argument;
    double build_s = 0, suite_s = 0;
};

struct Input {
    Kind kind = Kind::run;
    std::string dir;
    diff::Run run;                               // Kind::run
    std::vector<KernelMeta> kernels;             // Kind::run: from kernels/*.meta, when present
    std::vector<Mutant> mutants;                 // Kind::mutate
    std::map<std::string, std::string> campaign; // Kind::mutate: summary.json (source, wall_s, ...)
};

// Reads an out dir. An error (kind input) names the dir when it holds
// neither results.jsonl nor mutants.jsonl, and the file and line of a line
// that is not a record or a mutant.
Result<Input> load(const std::string& dir);

// One [[bug]] of images/known-bugs.toml as the page shows it (the caller
// reads the list with judge::KnownBugs, the reader `run` uses).
struct KnownBug {
    std::string program, kernels, reason, link, reproduces;
};

// The mutation score as `iterconf mutate` counts it: killed / (all -
// equivalent - build failures - not applicable - harness errors).
using Score = mutate::Score;
Score score_of(const std::vector<Mutant>& mutants);

struct Options {
    std::string title = "iterconf report";
    const diff::Diff* diff = nullptr; // --diff BASE: compare(BASE, this run)
    std::vector<KnownBug> known_bugs; // the list the page shows with links
    // Log tails of programs that are ok go in only while all of them fit in
    // this many bytes (a generated corpus has 300,000 of them); the others'
    // always do.
    size_t ok_tail_budget = 8u << 20;
    // The full log file of a mismatch (logs/...) goes in up to this size
    // each, and up to the total for the page.
    size_t full_log_max = 256u << 10, full_log_budget = 8u << 20;
};

struct Stats {
    size_t programs = 0, kernels = 0, cells = 0, details = 0, full_logs = 0;
    bool ok_tails = true; // the ok programs' log tails are in the page
};

// The page.
std::string render(const Input& in, const Options& opts, Stats* stats = nullptr);

// Text as HTML (& < > " ').
std::string html_escape(std::string_view s);
// A JSON string literal safe inside <script>: besides JSON's own escapes,
// < > & and U+2028/U+2029 are written as \u escapes, so no "</script>" or
// "<!--" can appear.
std::string script_json_string(std::string_view s);

} // namespace iterconf::report
