// The workloads of `iterconf run` (cli/session.hpp), one per mode.
#pragma once

#include "cli/common.hpp"
#include "cli/session.hpp"
#include "gen/enumerate.hpp"

#include <memory>
#include <string>
#include <vector>

namespace iterconf::cli {

// The selected programs of the case files (compiled when sources), judged
// against their annotations; `known_bugs` is a file, "" for the default
// list or "none". Bad files are reported and left out (not_judged()).
Result<std::unique_ptr<Workload>>
cases_workload(const CaseSelection& sel, const std::string& known_bugs, const RunOptions& opts);

// The programs the generator enumerates up to `bound`, judged against the reference model; the host
// judges only the first `host_limit` (0: all). `known_bugs` as for cases; a generated program's
// entry names it "generated/<program text>".
Result<std::unique_ptr<Workload>> generated_workload(const gen::Bound& bound, size_t host_limit,
                                                     const std::string& known_bugs,
                                                     const RunOptions& opts);

// The programs the fuzz inputs in `dir` decode to (gen/corpus.hpp), judged
// like generated ones; each record names its input file.
Result<std::unique_ptr<Workload>>
inputs_workload(const std::string& dir, const std::string& known_bugs, const RunOptions& opts);

// fuzz_iter_bounds inputs (the files under each of `dirs`, in turn): the
// task_vma walk of each input's layout must match /proc/PID/maps.
Result<std::unique_ptr<Workload>> bounds_workload(const std::vector<std::string>& dirs,
                                                  const RunOptions& opts);

} // namespace iterconf::cli
