// The agent's "@bounds\t<dir>" plan: fuzz_iter_bounds' corpus replayed on
// the guest kernel (see bounds.cpp).
#pragma once

#include "common/result.hpp"
#include "record/record.hpp"

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace iterconf::bounds {
enum class Support; // iter_bounds/oracle.hpp
class Checker;      // iter_bounds/checker.hpp
} // namespace iterconf::bounds

namespace iterconf::agent {

// The input files under `dir`, sorted: plan index i is the i-th.
std::vector<std::string> bounds_inputs(const std::string& dir);

// Checks inputs [start, n) in order; calls begin(i, id) before and done(i,
// record) after each. Returns the oracle's counters as one line.
std::string run_bounds(const std::string& dir, size_t start, const std::string& release,
                       const std::function<void(size_t, const std::string&)>& begin,
                       const std::function<void(size_t, const record::Record&)>& done);
// The same over a list of input files (the host side of run --bounds-corpus).
std::string run_bounds(const std::vector<std::string>& files, size_t start,
                       const std::string& release,
                       const std::function<void(size_t, const std::string&)>& begin,
                       const std::function<void(size_t, const record::Record&)>& done);

// The record of one input file, checked by `checker` (opened once for many
// inputs with bounds::Checker::open(support); its error makes the record
// unsupported or load_error, see judge_unavailable()).
record::Record judge_input(const Result<std::unique_ptr<bounds::Checker>>& checker,
                           bounds::Support support, const std::string& file,
                           const std::string& release);

// Fills the record of an input when the oracle could not open: `unsupported`
// (expected, so a match) only when the kernel has no task_vma iterator
// (Support::no_iterator, a type, not the error's text); any other failure,
// such as unreadable kernel BTF, is a load_error that says why.
void judge_unavailable(record::Record& r, const Error& e, bounds::Support support);

} // namespace iterconf::agent
