// iterconf report: one self-contained HTML page from a run's or a mutation
// campaign's out dir (runner/report), with the diff to a base run.
#include "cli/common.hpp"
#include "config/assets.hpp"
#include "diff/diff.hpp"
#include "judge/judge.hpp"
#include "report/report.hpp"

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

namespace iterconf::cli {

namespace {

constexpr const char* k_usage = R"(usage: iterconf report [options] OUT

Writes one self-contained HTML page (no network: its data, stylesheet and
script are inline) from OUT, the out dir of 'iterconf run' (results.jsonl,
logs/, kernels/) or of 'iterconf mutate' (mutants.jsonl, summary.json); the
kind is found from the files.

For a run: the programs x kernels matrix (verdict colours; marks for a
mismatch, a known bug, a fixed known bug, unchecked expectations '*', a
crash or a timeout; rows that are not ok first, 100 to a page), filters by
kernel, program (text or glob) and status, kept in the URL fragment
(report.html#status=mismatch&kernel=host&q=task_vma/*), each result's
details on a click (verdict, expectation, messages, log tail, the full log
of a mismatch, the reproduce command), the per-kernel summary with package
version and image sha256, and the known bugs with their links. For a
mutation campaign: the mutant table and the mutation score.

options:
  -o, --output FILE   where the page goes (default OUT/report.html)
  --diff BASE         add the changes from BASE (an out dir of 'iterconf
                      run' or its results.jsonl) to this run, regressions
                      first, as 'iterconf diff BASE OUT' finds them
  -h, --help          this text

exit: 0 the page was written (whatever the run's results); 2 usage or bad
input (no results.jsonl or mutants.jsonl in OUT, an unreadable BASE, a line
that is not a record).
)";

} // namespace

int cmd_report(int argc, char** argv) {
    std::string v, out_file, base;
    std::vector<std::string> dirs;
    Args args(argc, argv);
    while (!args.done()) {
        if (args.flag("-h", "--help")) {
            std::fputs(k_usage, stdout);
            return 0;
        } else if (args.option("-o", "--output", v)) {
            out_file = v;
        } else if (args.option("--diff", v)) {
            base = v;
        } else if (args.peek().size() > 1 && args.peek()[0] == '-') {
            throw UsageError{"unknown option '" + args.peek() + "'"};
        } else {
            dirs.push_back(args.next());
        }
    }
    if (dirs.size() != 1)
        throw UsageError{"give one out dir, OUT (of 'iterconf run' or 'iterconf mutate')"};
    const std::string& dir = dirs[0];
    if (out_file.empty())
        out_file = dir + "/report.html";

    auto in = report::load(dir);
    if (!in)
        return report_error(in.error(), false);
    report::Options opts;
    std::optional<diff::Diff> d;
    if (!base.empty()) {
        if (in->kind != report::Kind::run)
            return report_error(make_error(ErrorKind::usage, dir,
                                           "is a mutation campaign; --diff compares runs",
                                           "give the out dir of 'iterconf run'"),
                                false);
        auto b = diff::load_run(base);
        if (!b)
            return report_error(b.error(), false);
        auto c = diff::compare(*b, in->run, diff::Options{});
        if (!c)
            return report_error(c.error(), false);
        d = std::move(*c);
        opts.diff = &*d;
    }
    // The list `run` judges with, read by the same reader.
    auto bugs =
        judge::KnownBugs::parse(std::string(config::asset_text(config::Asset::known_bugs_toml)),
                                config::asset_name(config::Asset::known_bugs_toml));
    if (!bugs)
        return report_error(bugs.error(), false);
    for (const auto& b : bugs->entries())
        opts.known_bugs.push_back(
            {b.program, b.kernels.text, b.reason, b.link, b.sometimes ? "sometimes" : "always"});

    report::Stats st;
    std::string page = report::render(*in, opts, &st);
    std::string tmp = out_file + ".tmp";
    {
        std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
        f << page;
        f.close();
        if (!f || std::rename(tmp.c_str(), out_file.c_str()) != 0) {
            std::remove(tmp.c_str());
            return report_error(make_error(ErrorKind::io, out_file, "cannot be written",
                                           "check the directory exists and is writable"),
                                false);
        }
    }
    if (in->kind == report::Kind::run)
        std::printf("report: %s (%zu KiB; %zu programs x %zu kernels%s)\n", out_file.c_str(),
                    page.size() >> 10, st.programs, st.kernels,
                    st.ok_tails ? "" : "; log tails of ok programs left out");
    else
        std::printf("report: %s (%zu KiB; %zu mutants)\n", out_file.c_str(), page.size() >> 10,
                    in->mutants.size());
    return 0;
}

} // namespace iterconf::cli
