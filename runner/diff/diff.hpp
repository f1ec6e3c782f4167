// iterconf diff: what changed between two runs, program by program.
//
// A run is the results.jsonl of `iterconf run` (contract 2) and the out dir
// its log_file paths are relative to. Two runs are compared kernel by
// kernel: each run's only kernel with the other's, or kernels of the same
// name (kernel_source, else uname -r), or the two named by --kernels. Within
// a pair of kernels a program is keyed by its id (case/program). This part
// uses only the standard library and reads nothing but the runs' files.
#pragma once

#include "common/result.hpp"
#include "record/record.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace iterconf::diff {

struct Run {
    std::string path; // its results.jsonl
    std::string dir;  // the out dir its records' log_file paths are relative to
    std::vector<record::Record> records;
};

// A run out dir (holding results.jsonl) or a results.jsonl file. Errors
// (kind input or io) name the file, and the line for a bad record or a
// program that appears twice on one kernel.
Result<Run> load_run(const std::string& path);
// The same for JSONL text; `path` and `dir` are what the Run says.
Result<Run> parse_run(const std::string& text, const std::string& path, const std::string& dir);

// The name of a record's kernel in a run: its kernel_source (host, a manifest
// name, a bzImage path), or uname -r when the record has none.
std::string kernel_name(const record::Record& r);
// The kernels of a run, in order of first appearance.
std::vector<std::string> kernel_names(const Run& run);

// The first error line, comparable across runs: the console's timestamp and
// the CPU and PID of a splat line are dropped ("[ 2.6] WARNING: CPU: 0 PID:
// 136 at ..." -> "WARNING: CPU: N PID: N at ...").
std::string normalize_message(const std::string& message);

enum class Change {
    only_base, // the program is in BASE only (on that kernel pair)
    only_new,  // in NEW only
    crash,     // the verdict changed and one side is crash or timeout
    verdict,   // any other verdict change
    result,    // the record's status: ok, mismatch, known, fixed
    message,   // the first error line (same verdict)
    insns,     // instructions processed, beyond the threshold (accept or reject on both sides)
};
const char* to_string(Change c);

struct Options {
    // An insns_processed change is listed when it is more than this many
    // percent of BASE's count.
    double insns_threshold = 10.0;
    // --kernels K1,K2: compare kernel K1 of BASE with K2 of NEW (a kernel
    // name or uname -r); empty: pair the kernels as above.
    std::string base_kernel, new_kernel;
};

struct Entry {
    std::string id;                         // case/program
    std::string base_kernel, new_kernel;    // kernel names of the pair
    std::optional<record::Record> base, nu; // absent on one side for only_*
    std::vector<Change> changes;            // in enum order; never empty
    // The program did not fail in BASE (status ok, known or fixed) and in
    // NEW it is missing, an unexplained mismatch, or a new crash or timeout.
    bool regression = false;
};

struct KernelPair {
    std::string base, nu;                  // names; one is empty for a kernel of one side only
    std::string base_release, new_release; // uname -r
    size_t base_programs = 0, new_programs = 0;
};

struct Diff {
    std::string base_path, new_path, base_dir, new_dir;
    double insns_threshold = 10.0;
    std::vector<KernelPair> pairs;
    std::vector<Entry> entries; // changed programs, by kernel pair then id
    size_t base_programs = 0, new_programs = 0, compared = 0; // compared: in both
    size_t regressions = 0;
    size_t by_change[7] = {}; // programs with each change
};

// Compares two runs (the same Run twice for two kernels of one run). An
// error (kind usage) when --kernels names a kernel a run does not have.
Result<Diff> compare(const Run& base, const Run& nu, const Options& opts);

// 1 when some program regressed, else 0.
inline int exit_code(const Diff& d) {
    return d.regressions ? 1 : 0;
}

// The lines of a verifier (or console) log around the first error line.
struct Excerpt {
    std::string source; // the log file shown, relative to the run's dir; or "log_tail"
    std::vector<std::string> lines;
    int error_line = -1; // index in `lines` of the first error line, or -1
    std::string note;    // why the file was not used, when it was not
};
// `context` lines before the first line that carries the record's message,
// that line and the one after (the "processed N insns" line, usually); with
// no message (accepted), the last context + 1 lines. From the log file when
// it can be read, else from the record's log_tail.
Excerpt excerpt(const record::Record& r, const std::string& dir, size_t context);

struct Format {
    size_t context = 3; // log lines before the error line; 0: no excerpts
};
// For the terminal: a header, one row per changed program, the details of
// each (messages and both log excerpts), and a summary line.
std::string to_table(const Diff& d, const Format& f);
// JSONL: one object per change ("type":"change"), then one summary object.
std::string to_jsonl(const Diff& d, const Format& f);
// For a pull-request comment: a summary line, a table, and the log excerpts
// in a <details> block; regressions first, and at most about 60000
// characters (GitHub's limit is 65536), saying how much was left out.
std::string to_markdown(const Diff& d, const Format& f);
// "36 of 107 programs changed (debian-6.12 -> debian-7.2): ...; no regressions"
std::string summary_line(const Diff& d);

} // namespace iterconf::diff
