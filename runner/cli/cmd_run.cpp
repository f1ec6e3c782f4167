// iterconf run: judge every selected program on one or more kernels (the
// running one, and any booted under QEMU), write results.jsonl, junit.xml,
// verifier logs and guest consoles, print a report or a matrix.
#include "cli/bounds.hpp"
#include "cli/common.hpp"
#include "cli/generated.hpp"
#include "cli/guests.hpp"
#include "cli/kernels.hpp"
#include "common/splat.hpp"
#include "expect/spec.hpp"
#include "judge/judge.hpp"
#include "load/kmsg.hpp"
#include "load/loader.hpp"
#include "qemu/console.hpp"
#include "qemu/guest.hpp"
#include "qemu/initramfs.hpp"
#include "record/record.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <thread>
#include <unistd.h>

namespace fs = std::filesystem;

namespace iterconf::cli {

namespace {

constexpr const char* k_usage = R"(usage: iterconf run [options]

Loads (verifies) each selected program alone on each kernel and checks the
verdict and messages against its annotations. On the running kernel
programs are only loaded, never attached or run; other kernels are booted
under QEMU, one guest per kernel, with the results on a serial port of
their own and the console scanned for panics, oopses and warnings.

kernels:
  --kernel K             host (default), a manifest name (see 'iterconf
                         kernels list'), 'all' (host + every manifest
                         kernel), or a path to a bzImage; repeatable and
                         comma-separated: --kernel host,debian-6.12
  --jobs N               guests booted at once (default: number of cores)
  --accel auto|tcg|kvm   QEMU accelerator; auto tries KVM by booting with it
                         and falls back to TCG (default: auto)
  --boot-timeout S       seconds for a guest to reach the agent (default 180)
  --timeout S            seconds a program may take in a guest before it is
                         judged 'timeout' and the guest rebooted (default 120)
  --guest-append TEXT    more guest kernel command line (fault injection:
                         iterconf.crash_at=N, iterconf.hang_at=N)
  --known-bugs FILE      known kernel bugs (default images/known-bugs.toml;
                         'none' for no list)
  --bench                also time each guest's boot floor and print guest
                         and host verdicts/s side by side (adds host)
  --generated            judge the generated corpus instead of cases (the
                         bytecode path, on host; with --bound B, --limit N)
  --bounds-corpus DIR    replay fuzz_iter_bounds inputs (the task_vma walk vs
                         /proc/PID/maps) on each kernel instead of cases
  --generated --inputs DIR   judge the programs the fuzz inputs in DIR decode
                         to (e.g. a fuzz_protocol campaign's accepted/)

cases:
  --cases PATH           .bpf.c / .bpf.o file or directory (repeatable);
                         default: the corpus this binary was built with
  -I, --include DIR      extra include directory for compiling C cases,
                         searched before ours (vmlinux.h, bpf_misc.h, ...)
  -D, --define NAME[=V]  a macro for compiling C cases, e.g.
                         -D BPF_NO_KFUNC_PROTOTYPES for headers that declare
                         kfuncs themselves (selftests before bpftool 7.4)
  -a, --allow, --filter GLOB   select programs whose id (case/program) matches
  -d, --deny GLOB        skip programs whose id matches

output:
  --out DIR              output directory (default: out)
  --format FMT           stdout format: table (default), json (JSONL), junit
  --json                 same as --format json
  -v                     print each verdict as it arrives and logs of mismatches
  -vv                    also libbpf's debug output and every verifier log
  -h, --help             this text

exit: 0 every program matched (or is a known bug), 1 a mismatch, a known
bug that no longer reproduces, or a kernel that could not be fetched,
2 usage or harness error (a kernel that cannot boot, an interrupted run).
)";

std::atomic<bool> g_interrupted{false};

void on_sigint(int) {
    g_interrupted = true;
}

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
}

struct Item {
    const load::CaseObject* obj;
    const load::CaseProgram* prog;
    std::string id() const { return obj->id + "/" + prog->name; }
};

// The command that reruns one program verbosely, as this run was invoked
// (the same binary path, include dirs and output directory).
struct Reproduce {
    std::string self;
    std::vector<std::string> includes, defines;
    std::string out_dir;
};

void print_failure(FILE* out, const record::Record& r, const std::string& out_dir,
                   const std::string& log, size_t tail, const Reproduce& again) {
    std::fprintf(out, "%s %s  [kernel %s: %s]\n", r.match ? "FIXED" : "FAIL", r.id().c_str(),
                 r.kernel_source.c_str(), r.kernel.c_str());
    if (r.match) {
        std::fprintf(out, "  known bug no longer reproduces: %s\n", r.known_bug.c_str());
        std::fprintf(out, "  narrow or remove its entry in images/known-bugs.toml\n");
        return;
    }
    std::fprintf(out, "  verdict: expected %s, got %s\n", record::to_string(r.expected),
                 record::to_string(r.verdict));
    std::fprintf(out, "  reason: %s\n", r.reason.c_str());
    for (const auto& m : r.expected_msgs)
        std::fprintf(out, "  EXPECTED   MSG  '%s'\n", m.c_str());
    if (!r.message.empty())
        std::fprintf(out, "  message: %s\n", r.message.c_str());
    auto lines = load::tail_lines(log, tail);
    if (!lines.empty()) {
        bool console = r.verdict == record::Verdict::crash || r.verdict == record::Verdict::timeout;
        std::fprintf(out, "  %s (last %zu lines; full: %s/%s)\n",
                     !console                    ? "verifier log"
                     : r.kernel_source == "host" ? "kernel log"
                                                 : "guest console",
                     lines.size(), out_dir.c_str(), r.log_file.c_str());
        std::fprintf(out, "  =============\n");
        for (const auto& l : lines)
            std::fprintf(out, "  %s\n", l.c_str());
        std::fprintf(out, "  =============\n");
    }
    std::string cmd = shell_quote(again.self) + " run --kernel " + shell_quote(r.kernel_source) +
                      " --cases " + shell_quote(r.file);
    for (const auto& d : again.includes)
        cmd += " -I " + shell_quote(d);
    for (const auto& d : again.defines)
        cmd += " -D " + shell_quote(d);
    cmd += " -a " + shell_quote(r.id()) + " --out " + shell_quote(again.out_dir + "/reproduce") +
           " -v";
    std::fprintf(out, "  reproduce: %s\n", cmd.c_str());
}

// Where every record goes, from whichever thread judged it.
struct Sink {
    std::mutex mu;
    record::JsonlWriter writer;
    std::vector<record::Record> records;
    std::vector<std::string> logs; // kept for failures only
    std::string out_dir;
    bool json = false;
    int verbose = 0;
    std::optional<Error> write_error;

    void add(record::Record r, const std::string& log, const std::string& label,
             const char* log_suffix = ".log") {
        std::lock_guard<std::mutex> lock(mu);
        if (!log.empty()) {
            r.log_file = "logs/" + label + "/" + r.case_id + "/" + r.program + log_suffix;
            fs::path lp = fs::path(out_dir) / r.log_file;
            std::error_code ec;
            fs::create_directories(lp.parent_path(), ec);
            std::ofstream(lp) << log;
        }
        if (auto w = writer.write(r); !w && !write_error)
            write_error = w.error();
        if (json) {
            std::fputs((record::to_json(r) + "\n").c_str(), stdout);
            std::fflush(stdout);
        }
        if (verbose)
            std::fprintf(stderr, "iterconf: %s: %-60s %-11s %s\n", label.c_str(), r.id().c_str(),
                         record::to_string(r.verdict), r.status());
        if (verbose >= 2 && !log.empty())
            std::fprintf(stderr, "---- log: %s on %s ----\n%s---- end ----\n", r.id().c_str(),
                         label.c_str(), log.c_str());
        logs.push_back(r.failed() ? log : std::string());
        records.push_back(std::move(r));
    }
};

// What happened on one kernel.
struct KernelRun {
    Kernel t;
    std::string release;
    std::optional<Error> error;
    int error_exit = 0;
    double wall = 0, judge_seconds = 0, floor = -1, boot_wall = 0;
    size_t judged = 0;
    int boots = 0;
};

class Listener : public qemu::GuestListener {
  public:
    Listener(const std::vector<Item>& plan, KernelRun& run, Sink& sink,
             const judge::KnownBugs& known)
        : m_plan(plan), m_run(run), m_sink(sink), m_known(known) {}

    void hello(const std::string& release, double, double) override {
        m_run.release = release;
        auto kv = expect::parse_release(release);
        m_kv = kv ? *kv : expect::KernelVersion{};
    }
    void record(size_t index, const std::string& json, const std::string& log) override {
        auto r = record::from_json(json);
        if (!r || index >= m_plan.size()) {
            std::lock_guard<std::mutex> lock(m_sink.mu);
            if (!m_sink.write_error)
                m_sink.write_error = make_error(ErrorKind::infra, "kernel '" + m_run.t.label + "'",
                                                "garbled record from the guest agent: " +
                                                    (r ? "index out of range" : r.error().what));
            return;
        }
        r->file = m_plan[index].obj->display;
        r->kernel_source = m_run.t.source;
        m_known.apply(*r, m_kv);
        m_sink.add(std::move(*r), log, m_run.t.label);
    }
    void lost(size_t index, qemu::Loss loss, const std::string& message,
              const std::string& excerpt) override {
        if (index >= m_plan.size()) {
            if (!garbled)
                garbled = make_error(ErrorKind::internal, "kernel '" + m_run.t.label + "'",
                                     "lost program index out of range");
            return;
        }
        const Item& it = m_plan[index];
        record::Record r;
        r.case_id = it.obj->id;
        r.program = it.prog->name;
        r.file = it.obj->display;
        r.description = it.prog->spec.description;
        r.kernel = m_run.release;
        r.kernel_source = m_run.t.source;
        r.verdict = loss == qemu::Loss::crash ? record::Verdict::crash : record::Verdict::timeout;
        r.message = message;
        r.log_tail = load::tail_lines(excerpt, 40);
        judge::judge(r, it.prog->spec, m_kv, "");
        m_known.apply(r, m_kv);
        m_sink.add(std::move(r), excerpt, m_run.t.label, ".console.log");
    }

    std::optional<Error> garbled; // a protocol error: the kernel's run is not trusted

  private:
    const std::vector<Item>& m_plan;
    KernelRun& m_run;
    Sink& m_sink;
    const judge::KnownBugs& m_known;
    expect::KernelVersion m_kv;
};

// The guest plan: case objects under /cases, one plan line per program.
std::pair<qemu::Plan, std::vector<std::pair<std::string, std::string>>>
guest_plan(const std::vector<Item>& plan) {
    std::map<std::string, std::string> objects; // case id -> path in the guest
    std::vector<std::pair<std::string, std::string>> files;
    qemu::Plan guest = qemu::Plan::for_cases({});
    for (const auto& it : plan) {
        auto [pos, added] = objects.emplace(it.obj->id, "cases/" + it.obj->id + ".bpf.o");
        if (added)
            files.push_back({pos->second, it.obj->object});
        guest.items.push_back({"/" + pos->second, it.obj->id, it.prog->name});
    }
    return {guest, files};
}

void run_host(const std::vector<Item>& plan, KernelRun& run, Sink& sink,
              const judge::KnownBugs& known, const load::HostKernel& host, int verbose) {
    load::Options lopts{.echo_libbpf = verbose >= 2};
    auto t0 = Clock::now();
    run.release = host.release();
    // The kernel log during each load: a WARN/BUG/oops makes it `crash`.
    auto kmsg = load::KmsgWatcher::open(SplatPatterns::builtin());
    if (!kmsg.available()) {
        if (load::kmsg_required()) {
            run.error = load::kmsg_unavailable_error(kmsg);
            run.error_exit = 2;
            report_error(*run.error, false);
            return;
        }
        warn(load::kmsg_unavailable_warning(kmsg));
    }
    for (const auto& it : plan) {
        if (g_interrupted)
            break;
        kmsg.begin();
        auto outcome = load::load_on_host(*it.obj, *it.prog, host, lopts);
        auto check = kmsg.end();
        load::apply_kmsg(check, outcome.result, outcome.log);
        auto r =
            judge::make_record(*it.obj, *it.prog, outcome, host.release(), host.version(), "host");
        load::apply_kmsg(check, r);
        if (auto u = check.unchecked(); !u.empty())
            r.unchecked.push_back(u);
        known.apply(r, host.version());
        sink.add(std::move(r), outcome.log, "host");
        run.judged++;
    }
    run.wall = run.judge_seconds = since(t0);
}

const char* short_verdict(record::Verdict v) {
    switch (v) {
    case record::Verdict::accept:
        return "accept";
    case record::Verdict::reject:
        return "reject";
    case record::Verdict::unsupported:
        return "unsupp";
    case record::Verdict::load_error:
        return "lderr";
    case record::Verdict::crash:
        return "CRASH";
    case record::Verdict::timeout:
        return "TIMEOUT";
    }
    return "?";
}

// Programs x kernels; a mark after the verdict where it differs from the
// expectation: '!' mismatch, '?' known bug, '+' known bug fixed.
std::string matrix(const std::vector<Item>& plan, const std::vector<KernelRun>& runs,
                   const std::vector<record::Record>& records, bool color) {
    std::vector<const KernelRun*> cols;
    for (const auto& r : runs)
        if (!r.error || r.judged)
            cols.push_back(&r);
    std::map<std::pair<std::string, std::string>, const record::Record*> by;
    for (const auto& r : records)
        by[{r.kernel_source, r.id()}] = &r;
    size_t w_id = 7;
    for (const auto& it : plan)
        w_id = std::max(w_id, it.id().size());
    w_id = std::min<size_t>(w_id, 70);
    auto pad = [](std::string s, size_t w) {
        if (s.size() > w)
            s = s.substr(0, w - 1) + "~";
        s.resize(w, ' ');
        return s;
    };
    std::vector<size_t> w;
    std::string out = pad("PROGRAM", w_id);
    for (const auto* c : cols) {
        w.push_back(std::max<size_t>(9, c->t.label.size()));
        out += "  " + pad(c->t.label, w.back());
    }
    out += "\n";
    for (const auto& it : plan) {
        out += pad(it.id(), w_id);
        for (size_t i = 0; i < cols.size(); i++) {
            auto f = by.find({cols[i]->t.source, it.id()});
            std::string cell = "-", st = "ok";
            if (f != by.end()) {
                st = f->second->status();
                cell = short_verdict(f->second->verdict);
                cell += st == "mismatch" ? "!" : st == "known" ? "?" : st == "fixed" ? "+" : "";
            }
            std::string padded = pad(cell, w[i]);
            if (color && st != "ok")
                padded = (st == "known" ? "\033[33m" : "\033[1;31m") + padded + "\033[0m";
            out += "  " + padded;
        }
        out += "\n";
    }
    out += "marks: ! differs from the expectation, ? known kernel bug, + known bug fixed, "
           "- not judged\n";
    return out;
}

} // namespace

int cmd_run(int argc, char** argv) {
    for (int i = 0; i < argc; i++)
        if (std::string(argv[i]) == "--generated")
            return run_generated(argc, argv);
        else if (std::string(argv[i]).starts_with("--bounds-corpus"))
            return run_bounds(argc, argv);
    std::string format = "table", v, known_path, accel = "auto", guest_append;
    std::vector<std::string> kernels;
    CaseSelection sel;
    int verbose = 0;
    unsigned jobs = std::max(1u, std::thread::hardware_concurrency());
    double boot_timeout = 180, prog_timeout = 120;
    bool bench = false;
    Args args(argc, argv);
    auto number = [](const std::string& opt, const std::string& val, double min) {
        char* end = nullptr;
        double d = std::strtod(val.c_str(), &end);
        if (val.empty() || *end || d < min)
            throw UsageError{opt + " takes a number >= " + std::to_string(static_cast<int>(min)) +
                             ", not '" + val + "'"};
        return d;
    };
    while (!args.done()) {
        if (args.flag("-h", "--help")) {
            std::fputs(k_usage, stdout);
            return 0;
        } else if (sel.parse(args)) {
        } else if (args.option("--kernel", v)) {
            kernels.push_back(v);
        } else if (args.option("--jobs", "-j", v)) {
            jobs = static_cast<unsigned>(number("--jobs", v, 1));
        } else if (args.option("--accel", v)) {
            if (v != "auto" && v != "tcg" && v != "kvm")
                throw UsageError{"--accel takes auto, tcg or kvm, not '" + v + "'"};
            accel = v;
        } else if (args.option("--boot-timeout", v)) {
            boot_timeout = number("--boot-timeout", v, 1);
        } else if (args.option("--timeout", v)) {
            prog_timeout = number("--timeout", v, 1);
        } else if (args.option("--guest-append", v)) {
            guest_append += (guest_append.empty() ? "" : " ") + v;
        } else if (args.option("--known-bugs", v)) {
            known_path = v;
        } else if (args.flag("--bench")) {
            bench = true;
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
    if (bench)
        kernels.push_back("host");
    auto t_start = Clock::now();

    // Everything that can be wrong with the inputs is found before the
    // output directory is touched, so a bad case loses no earlier results.
    const std::string& out_dir = sel.out_dir;
    CompileOptions copts{.include_dirs = sel.includes,
                         .defines = sel.defines,
                         .out_dir = out_dir,
                         .verbose = verbose > 0};
    // A file that does not compile (or whose annotations are bad) is one
    // error line; the others still run and the exit code is 2 at the end.
    std::vector<Error> file_errors;
    auto loaded = load_cases(sel.cases, copts, &file_errors);
    if (!loaded)
        return report_error(loaded.error(), json);
    for (const auto& e : file_errors)
        report_error(e, false);
    std::vector<Item> plan;
    for (const auto& o : *loaded)
        for (const auto& p : o.programs)
            if (!p.spec.auxiliary && selected(o.id, p.name, sel.allow, sel.deny))
                plan.push_back({&o, &p});
    if (plan.empty())
        return report_error(make_error(ErrorKind::usage, "--allow/--deny",
                                       "no program matches the selection",
                                       "run 'iterconf list' to see the program ids"),
                            json);

    judge::KnownBugs known;
    if (known_path != "none") {
        bool dflt = known_path.empty();
        auto kb = judge::KnownBugs::load(
            dflt ? source_dir() + "/images/known-bugs.toml" : known_path, dflt);
        if (!kb)
            return report_error(kb.error(), json);
        known = std::move(*kb);
    }

    auto resolved = resolve_kernels(kernels, verbose > 0);
    if (!resolved)
        return report_error(resolved.error(), json);
    std::vector<KernelRun> runs;
    for (auto& t : *resolved) {
        KernelRun r;
        r.t = t;
        r.error = t.error;
        r.error_exit = t.error_exit;
        runs.push_back(std::move(r));
    }

    std::optional<load::HostKernel> host;
    bool any_guest = false;
    for (auto& r : runs) {
        if (r.error)
            continue;
        if (r.t.host) {
            auto h = load::HostKernel::open();
            Result<void> probe = h ? h->probe_bpf() : Result<void>(h.error());
            if (!probe) {
                if (runs.size() == 1)
                    return report_error(probe.error(), json);
                r.error = probe.error();
                r.error_exit = 2;
            } else {
                host.emplace(std::move(*h));
            }
        } else {
            any_guest = true;
        }
    }
    qemu::ConsoleScanner scanner;
    if (any_guest) {
        auto s = load_console_scanner();
        if (!s)
            return report_error(s.error(), json);
        scanner = std::move(*s);
        if (!qemu::have_qemu("qemu-system-x86_64"))
            return report_error(make_error(ErrorKind::infra, "qemu-system-x86_64",
                                           "not found on PATH",
                                           "install qemu-system-x86 (ci/install-deps.sh)"),
                                json);
    }
    // Kernels that cannot be judged at all are reported now, by name.
    bool any_runnable = false;
    for (const auto& r : runs) {
        if (r.error)
            report_error(*r.error, false);
        else
            any_runnable = true;
    }
    if (!any_runnable) {
        int rc = 0;
        for (const auto& r : runs)
            rc = std::max(rc, r.error_exit);
        return rc ? rc : 2;
    }

    std::error_code ec;
    fs::create_directories(out_dir, ec);
    if (ec)
        return report_error(
            make_error(ErrorKind::io, out_dir, "cannot create output directory: " + ec.message()),
            json);
    Sink sink;
    sink.out_dir = out_dir;
    sink.json = json;
    sink.verbose = verbose;
    if (auto r = sink.writer.open(out_dir + "/results.jsonl"); !r)
        return report_error(r.error(), json);
    std::signal(SIGINT, on_sigint);
    std::signal(SIGTERM, on_sigint);

    qemu::GuestOptions gopts{.accel = accel == "auto" ? "tcg" : accel,
                             .boot_timeout = boot_timeout,
                             .program_timeout = prog_timeout,
                             .extra_append = guest_append};
    std::vector<KernelRun*> guests;
    for (auto& r : runs)
        if (!r.error && !r.t.host)
            guests.push_back(&r);
    std::string initrd;
    if (any_guest) {
        std::vector<std::string> images;
        for (const auto* r : guests)
            images.push_back(r->t.image);
        auto [planned, files] = guest_plan(plan);
        auto p = prepare_guests(out_dir, planned, files, images, gopts, accel == "auto", verbose,
                                g_interrupted);
        if (!p)
            return report_error(p.error(), json);
        initrd = *p;
    }

    // Guests on worker threads, the host in this one.
    auto worker = [&](size_t i) {
        KernelRun& run = *guests[i];
        qemu::GuestKernel gk = guest_kernel(out_dir, run.t.label, run.t.image);
        if (bench) {
            auto f = qemu::boot_floor(gk, initrd, gopts, g_interrupted);
            run.floor = f ? *f : -1;
        }
        Listener listener(plan, run, sink, known);
        auto t0 = Clock::now();
        if (verbose)
            std::fprintf(stderr, "iterconf: qemu: kernel '%s': booting %s (%s)\n",
                         run.t.label.c_str(), run.t.image.c_str(), gopts.accel.c_str());
        auto g = qemu::run_guest(gk, initrd, plan.size(), gopts, scanner, listener, g_interrupted);
        run.wall = since(t0);
        run.judge_seconds = g.judge_seconds;
        run.boot_wall = g.first_boot_wall;
        run.boots = g.boots;
        run.judged = g.judged;
        if (!g.release.empty())
            run.release = g.release;
        if (!g.error && listener.garbled)
            g.error = listener.garbled;
        if (g.error) {
            run.error = g.error;
            run.error_exit = 2;
            report_error(*g.error, false);
        } else if (verbose) {
            std::fprintf(stderr,
                         "iterconf: qemu: kernel '%s': %s, %zu programs in %.1f s, %d boot%s\n",
                         run.t.label.c_str(), run.release.c_str(), run.judged, run.wall, run.boots,
                         run.boots == 1 ? "" : "s");
        }
    };
    std::vector<KernelRun*> hosts; // chosen before the workers write to `runs`
    for (auto& r : runs)
        if (!r.error && r.t.host)
            hosts.push_back(&r);
    auto threads = start_workers(guests.size(), jobs, g_interrupted, worker);
    for (auto* r : hosts)
        run_host(plan, *r, sink, known, *host, verbose);
    for (auto& th : threads)
        th.join();
    double total = since(t_start);
    sink.writer.close();
    if (sink.write_error)
        return report_error(*sink.write_error, json);
    {
        std::ofstream junit(out_dir + "/junit.xml");
        junit << record::to_junit(sink.records, total);
    }

    const auto& records = sink.records;
    size_t shown_targets = 0;
    for (const auto& r : runs)
        shown_targets += !r.error || r.judged;
    if (format == "table") {
        if (shown_targets <= 1)
            std::fputs(record::to_table(records, isatty(1)).c_str(), stdout);
        else
            std::fputs(matrix(plan, runs, records, isatty(1)).c_str(), stdout);
        std::fputs("\n", stdout);
        for (size_t i = 0; i < records.size(); i++)
            if (records[i].failed())
                print_failure(stdout, records[i], out_dir, sink.logs[i], verbose ? 40 : 20,
                              Reproduce{self_path(), sel.includes, sel.defines, out_dir});
        for (const auto& r : records)
            if (r.status() == std::string("known"))
                std::printf("KNOWN %s  [kernel %s: %s]: %s; %s\n", r.id().c_str(),
                            r.kernel_source.c_str(), r.kernel.c_str(), r.reason.c_str(),
                            r.known_bug.c_str());
    } else if (format == "junit") {
        std::fputs(record::to_junit(records, total).c_str(), stdout);
    }
    FILE* sout = format == "table" ? stdout : stderr;
    int rc = 0;
    for (const auto& run : runs) {
        std::vector<record::Record> mine;
        for (const auto& r : records)
            if (r.kernel_source == run.t.source)
                mine.push_back(r);
        std::string head = run.t.label + (run.release.empty() ? "" : " (" + run.release + ")");
        if (run.error && mine.empty()) {
            std::fprintf(sout, "%s: not judged: %s\n", head.c_str(), run.error->message().c_str());
        } else {
            auto s = record::summarize(mine);
            std::fprintf(sout, "%s: %s\n", head.c_str(),
                         record::summary_line(s, run.judge_seconds).c_str());
            if (run.error)
                std::fprintf(sout, "%s: stopped early: %s\n", head.c_str(),
                             run.error->message().c_str());
            if (s.mismatched || s.fixed)
                rc = std::max(rc, 1);
        }
        rc = std::max(rc, run.error_exit);
        if (!run.error && mine.size() < plan.size() && !g_interrupted)
            rc = std::max(rc, 2);
    }
    if (bench) {
        const KernelRun* h = nullptr;
        for (const auto& r : runs)
            if (r.t.host && !r.error)
                h = &r;
        double host_vps = h && h->judge_seconds > 0 ? h->judged / h->judge_seconds : 0;
        std::fprintf(sout, "\nbench (%zu programs, accel %s, all measured in this run):\n",
                     plan.size(), gopts.accel.c_str());
        std::fprintf(sout, "%-16s %-34s %10s %10s %12s %11s %9s\n", "KERNEL", "RELEASE",
                     "BOOT FLOOR", "TO AGENT", "JUDGE CORPUS", "VERDICTS/S", "VS HOST");
        for (const auto& r : runs) {
            if (r.error && !r.judged)
                continue;
            double vps = r.judge_seconds > 0 ? r.judged / r.judge_seconds : 0;
            char floor[32] = "-", agent[32] = "-", ratio[32] = "-";
            if (r.floor >= 0)
                std::snprintf(floor, sizeof(floor), "%.2f s", r.floor);
            if (!r.t.host)
                std::snprintf(agent, sizeof(agent), "%.2f s", r.boot_wall);
            if (host_vps > 0)
                std::snprintf(ratio, sizeof(ratio), "%.2fx", vps / host_vps);
            char corpus[32];
            std::snprintf(corpus, sizeof(corpus), "%.2f s", r.judge_seconds);
            std::fprintf(sout, "%-16s %-34s %10s %10s %12s %11.1f %9s\n", r.t.label.c_str(),
                         r.release.c_str(), floor, agent, corpus, vps, ratio);
        }
    }
    std::fprintf(sout, "total wall time: %.1f s (%zu kernels, %zu programs, %u jobs)\n", total,
                 runs.size(), plan.size(), jobs);
    if (!file_errors.empty()) {
        std::fprintf(stderr,
                     "iterconf: error: %zu case file%s not judged (errors above); the other "
                     "files ran\n",
                     file_errors.size(), file_errors.size() == 1 ? "" : "s");
        rc = 2;
    }
    if (format == "table")
        std::printf("results: %s/results.jsonl, %s/junit.xml\n", out_dir.c_str(), out_dir.c_str());
    if (g_interrupted)
        return report_error(
            make_error(ErrorKind::infra, "run", "interrupted",
                       "the records judged so far are in " + out_dir + "/results.jsonl"),
            false);
    return rc;
}

} // namespace iterconf::cli
