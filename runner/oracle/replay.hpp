// A corpus of oracle inputs replayed on the running kernel, one record per
// input: `iterconf run --bounds-corpus` on the host, and the guest agent's
// bounds plan inside each guest.
#pragma once

#include "common/result.hpp"
#include "oracle/walker.hpp"
#include "record/record.hpp"

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace iterconf::oracle {

class Checker; // oracle/checker.hpp

// The input files under `dir` (recursively), sorted: plan index i is the i-th.
std::vector<std::string> corpus_files(const std::string& dir);

// Checks inputs [start, n) in order; calls begin(i, id) before and done(i,
// record) after each. Returns the oracle's counters as one line.
std::string replay_corpus(const std::vector<std::string>& files, size_t start,
                          const std::string& release,
                          const std::function<void(size_t, const std::string&)>& begin,
                          const std::function<void(size_t, const record::Record&)>& done);
// The same over corpus_files(dir) (the guest side).
std::string replay_corpus(const std::string& dir, size_t start, const std::string& release,
                          const std::function<void(size_t, const std::string&)>& begin,
                          const std::function<void(size_t, const record::Record&)>& done);

// The record name of an input file (the guest's NNNNNN- prefix dropped).
std::string input_name(const std::string& file);

// The record of one input file, checked by `checker` (opened once for many
// inputs with Checker::open(support); its error makes the record
// unsupported or load_error, see judge_unavailable()).
record::Record judge_input(const Result<std::unique_ptr<Checker>>& checker, Support support,
                           const std::string& file, const std::string& release);

// Fills the record of an input when the oracle could not open: `unsupported`
// (expected, so a match) only for Support::no_kfunc, the kernel having no
// task_vma iterator; any other reason (unreadable kernel BTF, bpf() refused,
// the walk not loading) is a load_error that says why.
void judge_unavailable(record::Record& r, const Error& e, Support support);

} // namespace iterconf::oracle
