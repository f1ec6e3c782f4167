// iterconf diff: what changed between two runs (or two kernels of one run),
// program by program; the comparison rules are in runner/diff.
#include "cli/common.hpp"
#include "diff/diff.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace iterconf::cli {

namespace {

constexpr const char* k_usage = R"(usage: iterconf diff [options] BASE NEW
       iterconf diff [options] RUN --kernels K1,K2

Compares two runs program by program and lists every program that changed:
its verdict (accept, reject, unsupported, load_error), crash or timeout
(a panic, oops or WARN while loading counts as crash), result (ok,
mismatch, known, fixed), first error line of the verifier log, presence
(only in BASE or only in NEW), or instructions processed beyond a
threshold; each with both log excerpts. BASE, NEW and RUN are out dirs of
'iterconf run' or results.jsonl files.

Kernels are paired: each run's only kernel with the other's, else kernels
of the same name (kernel_source: host, a manifest name or a bzImage path);
a kernel of one run only makes its programs 'only in BASE/NEW'.

options:
  --kernels K1,K2        compare kernel K1 (of BASE) with K2 (of NEW, or of
                         RUN when one run is given); a name or uname -r
  --insns-threshold PCT  list an instruction-count change above PCT percent
                         of BASE's count (default 10: counts are exact for a
                         build, but verifier releases move them by a few
                         percent through pruning alone)
  --context N            log lines before the error line in the excerpts
                         (default 3; 0: no excerpts)
  --format FMT           table (default), json (JSONL: one object per change,
                         then a summary object), markdown (for a pull-request
                         comment)
  --json                 same as --format json
  -h, --help             this text

exit: 0 no regression (changes that are not one, like a reworded error
line, are listed); 1 a program that did not fail in BASE (result ok, known
or fixed) is missing, an unexplained mismatch, or a new crash or timeout in
NEW; 2 usage or bad input (an unreadable file, a line that is not a record,
a program twice on one kernel of a run).
)";

} // namespace

int cmd_diff(int argc, char** argv) {
    std::vector<std::string> paths;
    std::string v, format = "table";
    diff::Options opts;
    diff::Format fmt;
    bool kernels = false;
    Args args(argc, argv);
    while (!args.done()) {
        if (args.flag("-h", "--help")) {
            std::fputs(k_usage, stdout);
            return 0;
        } else if (args.option("--kernels", v)) {
            auto comma = v.find(',');
            if (comma == std::string::npos || comma == 0 || comma + 1 == v.size() ||
                v.find(',', comma + 1) != std::string::npos)
                throw UsageError{"--kernels takes two kernels, K1,K2, not '" + v + "'"};
            opts.base_kernel = v.substr(0, comma);
            opts.new_kernel = v.substr(comma + 1);
            kernels = true;
        } else if (args.option("--insns-threshold", v)) {
            char* end = nullptr;
            errno = 0;
            double d = std::strtod(v.c_str(), &end);
            if (v.empty() || *end || errno || !(d >= 0 && d < 1e9))
                throw UsageError{"--insns-threshold takes a percentage (0 or more), not '" + v +
                                 "'"};
            opts.insns_threshold = d;
        } else if (args.option("--context", v)) {
            char* end = nullptr;
            unsigned long n = std::strtoul(v.c_str(), &end, 10);
            if (v.empty() || *end || v[0] == '-' || n > 1000)
                throw UsageError{"--context takes a number of lines (0 to 1000), not '" + v + "'"};
            fmt.context = n;
        } else if (args.option("--format", v)) {
            if (v != "table" && v != "json" && v != "markdown")
                throw UsageError{"--format takes table, json or markdown, not '" + v + "'"};
            format = v;
        } else if (args.flag("--json")) {
            format = "json";
        } else if (args.peek().size() > 1 && args.peek()[0] == '-') {
            throw UsageError{"unknown option '" + args.peek() + "'"};
        } else {
            paths.push_back(args.next());
        }
    }
    bool json = format == "json";
    if (paths.empty() || paths.size() > 2)
        throw UsageError{"give two runs, BASE NEW, or one run and --kernels K1,K2"};
    if (paths.size() == 1 && !kernels)
        throw UsageError{
            "one run given: add NEW, or --kernels K1,K2 to compare two of its kernels"};

    auto base = diff::load_run(paths[0]);
    if (!base)
        return report_error(base.error(), json);
    Result<diff::Run> nu = *base;
    if (paths.size() == 2) {
        nu = diff::load_run(paths[1]);
        if (!nu)
            return report_error(nu.error(), json);
    }
    auto d = diff::compare(*base, *nu, opts);
    if (!d)
        return report_error(d.error(), json);
    std::string out = format == "json"       ? diff::to_jsonl(*d, fmt)
                      : format == "markdown" ? diff::to_markdown(*d, fmt)
                                             : diff::to_table(*d, fmt);
    std::fputs(out.c_str(), stdout);
    std::fflush(stdout);
    return diff::exit_code(*d);
}

} // namespace iterconf::cli
