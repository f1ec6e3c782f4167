// Verdicts and records (contract 2 of DESIGN.md).
//
// One Record per (program, kernel). Records are written to results.jsonl one
// line at a time, flushed as they arrive, so an interrupted run keeps what it
// has. This library uses only the standard library (the static guest agent
// links it too).
#pragma once

#include "common/result.hpp"

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

namespace iterconf::record {

enum class Verdict { accept, reject, unsupported, load_error, crash, timeout };

const char* to_string(Verdict v);
std::optional<Verdict> verdict_from_string(const std::string& s);

struct Record {
    std::string case_id; // "task_vma/double_new"
    std::string program; // "new_twice_same_slot"
    std::string file;    // the object or source it came from
    std::string description;
    std::string kernel;        // uname -r of the kernel that judged it
    std::string kernel_source; // "host", a manifest name, or a path
    Verdict verdict = Verdict::load_error;
    Verdict expected = Verdict::accept;
    bool match = false;
    std::string reason;                      // why it does not match ("" when it matches)
    std::string message;                     // the verifier's error line ("" when accepted)
    std::vector<std::string> expected_msgs;  // the patterns that applied on this kernel
    std::vector<std::string> missing_kfuncs; // for unsupported
    std::vector<std::string> log_tail;
    std::string log_file; // full verifier log, relative to the output dir
    int64_t insns_processed = -1;
    int64_t load_us = 0;
    // Expectations the program carries that were not checked here, each
    // "<annotation> (<why>)", e.g. "__retval (host: programs are never run
    // on the host)". A match says nothing about these.
    std::vector<std::string> unchecked;
    // Set when an entry of the known-bugs list (images/known-bugs.toml)
    // covers this program on this kernel: "<reason> (<link>)".
    std::string known_bug;
    // Generated programs run in a guest with embedded beliefs (the
    // state-embedding oracle, gen/beliefs.hpp): how many times the program
    // ran (0: never run), and each belief of the verifier the run violated,
    // "<point>: believed <belief>, violated N times in M runs". A divergence
    // makes the record a mismatch (reason "divergence: ...").
    int64_t executed = 0;
    std::vector<std::string> divergences;

    std::string id() const { return case_id + "/" + program; }
    // ok, mismatch, known (a mismatch the known-bugs list explains) or
    // fixed (a listed known bug that no longer reproduces: lit's XPASS).
    const char* status() const;
    // A result that makes the run fail: a mismatch not explained by a known
    // bug, or a known bug that no longer reproduces.
    bool failed() const { return known_bug.empty() ? !match : match; }
};

// One JSON object, no trailing newline.
std::string to_json(const Record& r);
// The same without the fields that have their default value (empty
// strings and lists) and without `status`: what the guest agent sends, and
// from_json() reads back to the same record.
std::string to_wire_json(const Record& r);
// Parses one line of results.jsonl.
Result<Record> from_json(const std::string& line);

// JSON string literal with quotes.
std::string json_quote(const std::string& s);

// Appends records to a JSONL file, flushing each line.
class JsonlWriter {
  public:
    JsonlWriter() = default;
    JsonlWriter(const JsonlWriter&) = delete;
    JsonlWriter& operator=(const JsonlWriter&) = delete;
    ~JsonlWriter();
    Result<void> open(const std::string& path, bool append = false);
    Result<void> write(const Record& r);
    void close();

  private:
    std::FILE* m_f = nullptr;
    std::string m_path;
};

Result<std::vector<Record>> read_jsonl(const std::string& path);

// JUnit XML: one <testsuite> per kernel (in order of first appearance), one
// <testcase classname=case name=program> per record; a mismatch is a
// <failure>, an expected `unsupported` is <skipped>; unchecked expectations
// are <property name="unchecked"> entries and a <system-out> note.
std::string to_junit(const std::vector<Record>& records, double seconds);

// A fixed-width table for the terminal, one row per record (a '*' after the
// result marks unchecked expectations, counted per kind in a footer), and a
// summary.
struct Summary {
    // matched + mismatched + known + fixed == total; `known` mismatches and
    // `fixed` matches are the programs on the known-bugs list.
    size_t total = 0, matched = 0, mismatched = 0, known = 0, fixed = 0;
    size_t by_verdict[6] = {};
};
Summary summarize(const std::vector<Record>& records);
std::string to_table(const std::vector<Record>& records, bool color);
std::string summary_line(const Summary& s, double seconds);

} // namespace iterconf::record
