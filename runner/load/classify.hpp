// From what a load attempt left behind (return code, verifier log, libbpf's
// messages) to a verdict and the verifier's error line. Pure functions, unit
// tested on real logs.
#pragma once

#include "record/record.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace iterconf::load {

struct RawLoad {
    int err = 0;             // bpf_object__load() result (negative errno) or 0
    std::string log;         // verifier log
    std::string libbpf_text; // what libbpf printed during open/load
};

struct Classified {
    record::Verdict verdict = record::Verdict::load_error;
    std::string message; // the error line ("" when accepted)
};

Classified classify(const RawLoad& raw);

// The first error line after the verifier's instruction trace, or the last
// line that is neither trace nor statistics when there is no trace.
std::string error_line(const std::string& log);

// "processed N insns" from the log; -1 when absent.
int64_t insns_processed(const std::string& log);

// The last n non-empty lines.
std::vector<std::string> tail_lines(const std::string& text, size_t n);

} // namespace iterconf::load
