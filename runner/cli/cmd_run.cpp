// iterconf run: judge every selected program on a kernel, write
// results.jsonl, junit.xml and the verifier logs, print a report.
#include "cli/common.hpp"
#include "expect/spec.hpp"
#include "load/loader.hpp"
#include "record/record.hpp"

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace fs = std::filesystem;

namespace iterconf::cli {

namespace {

constexpr const char* k_usage = R"(usage: iterconf run [options]

Loads (verifies, never attaches or runs) each selected program alone on the
kernel and checks the verdict and messages against its annotations.

options:
  --kernel NAME          kernel to judge on; this build supports 'host' (default)
  --cases PATH           .bpf.c / .bpf.o file or directory (repeatable);
                         default: the corpus this binary was built with
  -I, --include DIR      extra include directory for compiling .bpf.c cases,
                         searched before cases/include (repeatable)
  -a, --allow, --filter GLOB   select programs whose id (case/program) matches
  -d, --deny GLOB        skip programs whose id matches
  --out DIR              output directory (default: out)
  --format FMT           stdout format: table (default), json (JSONL), junit
  --json                 same as --format json
  -v                     print each verdict as it arrives and logs of mismatches
  -vv                    also libbpf's debug output and every verifier log
  -h, --help             this text

exit: 0 every program matched, 1 a mismatch, 2 usage or harness error.
)";

std::atomic<bool> g_interrupted{false};

void on_sigint(int) {
    g_interrupted = true;
}

void print_failure(FILE* out, const record::Record& r, const std::string& out_dir,
                   const std::string& log, size_t tail) {
    std::fprintf(out, "FAIL %s  [kernel %s: %s]\n", r.id().c_str(), r.kernel_source.c_str(),
                 r.kernel.c_str());
    std::fprintf(out, "  verdict: expected %s, got %s\n", record::to_string(r.expected),
                 record::to_string(r.verdict));
    std::fprintf(out, "  reason: %s\n", r.reason.c_str());
    for (const auto& m : r.expected_msgs)
        std::fprintf(out, "  EXPECTED   MSG  '%s'\n", m.c_str());
    if (!r.message.empty())
        std::fprintf(out, "  message: %s\n", r.message.c_str());
    auto lines = load::tail_lines(log, tail);
    if (!lines.empty()) {
        std::fprintf(out, "  verifier log (last %zu lines; full: %s/%s)\n", lines.size(),
                     out_dir.c_str(), r.log_file.c_str());
        std::fprintf(out, "  =============\n");
        for (const auto& l : lines)
            std::fprintf(out, "  %s\n", l.c_str());
        std::fprintf(out, "  =============\n");
    }
    std::fprintf(out, "  reproduce: iterconf run --kernel %s --cases %s -a '%s' -v\n",
                 r.kernel_source.c_str(), r.file.c_str(), r.id().c_str());
}

} // namespace

int cmd_run(int argc, char** argv) {
    std::string kernel = "host", format = "table", v;
    CaseSelection sel;
    int verbose = 0;
    Args args(argc, argv);
    while (!args.done()) {
        if (args.flag("-h", "--help")) {
            std::fputs(k_usage, stdout);
            return 0;
        } else if (sel.parse(args)) {
        } else if (args.option("--kernel", v)) {
            kernel = v;
        } else if (args.option("--format", v)) {
            if (v != "table" && v != "json" && v != "junit")
                throw UsageError{"--format takes table, json or junit, not '" + v + "'"};
            format = v;
        } else if (args.flag("--json")) {
            format = "json";
        } else if (args.flag("-v")) {
            verbose = std::max(verbose, 1);
        } else if (args.flag("-vv")) {
            verbose = 2;
        } else {
            throw UsageError{"unknown argument '" + args.peek() + "'"};
        }
    }
    bool json = format == "json";
    if (kernel != "host")
        return report_error(make_error(ErrorKind::usage, "kernel '" + kernel + "'",
                                       "not available in this build, which judges only the "
                                       "running kernel",
                                       "use --kernel host"),
                            json);

    // Everything that can be wrong with the inputs is found before the
    // output directory is touched, so a bad case loses no earlier results.
    const std::string& out_dir = sel.out_dir;
    CompileOptions copts{.include_dirs = sel.includes, .out_dir = out_dir, .verbose = verbose > 0};
    auto loaded = load_cases(sel.cases, copts);
    if (!loaded)
        return report_error(loaded.error(), json);
    struct Item {
        const load::CaseObject* obj;
        const load::CaseProgram* prog;
    };
    std::vector<Item> items;
    for (const auto& o : *loaded)
        for (const auto& p : o.programs)
            if (!p.spec.auxiliary && selected(o.id, p.name, sel.allow, sel.deny))
                items.push_back({&o, &p});
    if (items.empty())
        return report_error(make_error(ErrorKind::usage, "--allow/--deny",
                                       "no program matches the selection",
                                       "run 'iterconf list' to see the program ids"),
                            json);

    auto host = load::HostKernel::open();
    if (!host)
        return report_error(host.error(), json);
    if (auto probe = host->probe_bpf(); !probe)
        return report_error(probe.error(), json);

    std::error_code ec;
    fs::create_directories(out_dir, ec);
    if (ec)
        return report_error(
            make_error(ErrorKind::io, out_dir, "cannot create output directory: " + ec.message()),
            json);
    record::JsonlWriter writer;
    if (auto r = writer.open(out_dir + "/results.jsonl"); !r)
        return report_error(r.error(), json);

    std::signal(SIGINT, on_sigint);
    std::signal(SIGTERM, on_sigint);
    load::Options lopts{.echo_libbpf = verbose >= 2};
    const std::string kernel_dir = "logs/host";
    std::vector<record::Record> records;
    std::vector<std::string> failure_logs;
    auto t0 = std::chrono::steady_clock::now();
    for (const auto& it : items) {
        if (g_interrupted)
            break;
        const auto& spec = it.prog->spec;
        auto outcome = load::load_on_host(*it.obj, *it.prog, *host, lopts);

        record::Record r;
        r.case_id = it.obj->id;
        r.program = it.prog->name;
        r.file = it.obj->display;
        r.description = spec.description;
        r.kernel = host->release();
        r.kernel_source = "host";
        r.verdict = outcome.result.verdict;
        r.message = outcome.result.message;
        r.missing_kfuncs = outcome.missing_kfuncs;
        r.insns_processed = outcome.insns_processed;
        r.load_us = outcome.load_us;
        r.log_tail = load::tail_lines(outcome.log, 20);

        auto exp = expect::resolve(spec, host->version());
        for (const auto* m : exp.msgs)
            r.expected_msgs.push_back((m->negative ? "!" : "") + m->text);
        if (r.verdict == record::Verdict::unsupported) {
            r.expected = record::Verdict::unsupported;
            r.expected_msgs.clear();
        } else {
            r.expected = exp.success ? record::Verdict::accept : record::Verdict::reject;
        }
        if (r.verdict != r.expected) {
            r.reason = std::string("expected ") + record::to_string(r.expected) + ", got " +
                       record::to_string(r.verdict);
            if (r.verdict == record::Verdict::load_error)
                r.reason += ": " + r.message;
        } else if (r.verdict == record::Verdict::accept || r.verdict == record::Verdict::reject) {
            auto m = expect::match_log(exp.msgs, outcome.log);
            if (!m.ok) {
                const auto* p = exp.msgs[*m.failed];
                r.reason = p->negative ? "message '" + p->text + "' must not appear in the log"
                                       : "message '" + p->text +
                                             "' not found in the verifier log (in order)";
            }
        }
        r.match = r.reason.empty();

        if (!outcome.log.empty()) {
            r.log_file = kernel_dir + "/" + r.case_id + "/" + r.program + ".log";
            fs::path lp = fs::path(out_dir) / r.log_file;
            fs::create_directories(lp.parent_path(), ec);
            std::ofstream(lp) << outcome.log;
        }
        if (auto w = writer.write(r); !w)
            return report_error(w.error(), json);
        if (json) {
            std::fputs((record::to_json(r) + "\n").c_str(), stdout);
            std::fflush(stdout);
        }
        if (verbose)
            std::fprintf(stderr, "iterconf: host: %-60s %-11s %s\n", r.id().c_str(),
                         record::to_string(r.verdict), r.match ? "ok" : "FAIL");
        if (verbose >= 2 && !outcome.log.empty())
            std::fprintf(stderr, "---- verifier log: %s ----\n%s---- end ----\n", r.id().c_str(),
                         outcome.log.c_str());
        failure_logs.push_back(r.match ? std::string() : outcome.log);
        records.push_back(std::move(r));
    }
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    writer.close();
    {
        std::ofstream junit(out_dir + "/junit.xml");
        junit << record::to_junit(records, secs);
    }

    auto summary = record::summarize(records);
    if (format == "table") {
        std::fputs(record::to_table(records, isatty(1)).c_str(), stdout);
        std::fputs("\n", stdout);
        for (size_t i = 0; i < records.size(); i++)
            if (!records[i].match)
                print_failure(stdout, records[i], out_dir, failure_logs[i], verbose ? 40 : 20);
        std::printf("%s: %s\n", "host", record::summary_line(summary, secs).c_str());
        std::printf("results: %s/results.jsonl, %s/junit.xml\n", out_dir.c_str(), out_dir.c_str());
    } else if (format == "junit") {
        std::fputs(record::to_junit(records, secs).c_str(), stdout);
    }
    if (format != "table")
        std::fprintf(stderr, "iterconf: host: %s\n", record::summary_line(summary, secs).c_str());
    if (g_interrupted)
        return report_error(
            make_error(ErrorKind::infra, "run", "interrupted",
                       "the records judged so far are in " + out_dir + "/results.jsonl"),
            false);
    return summary.mismatched ? 1 : 0;
}

} // namespace iterconf::cli
