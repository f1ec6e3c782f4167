#include "cli/session.hpp"

#include "cli/guests.hpp"
#include "cli/kinds.hpp"
#include "common/progress.hpp"
#include "common/splat.hpp"
#include "qemu/console.hpp"
#include "qemu/guest.hpp"
#include "qemu/qemu.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <sys/utsname.h>
#include <thread>
#include <unistd.h>

namespace fs = std::filesystem;

namespace iterconf::cli {

namespace {

std::atomic<bool> g_interrupted{false};
// Stops the workers and guests: Ctrl-C, or --fail-fast's first failure.
std::atomic<bool> g_stop{false};
std::atomic<bool> g_failed_fast{false};

void on_signal(int) {
    g_interrupted = true;
    g_stop = true;
}

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
}

// Where every record goes, from whichever thread judged it.
class Sink {
  public:
    Sink(const RunOptions& opts, const Workload& w, RunResult& result, Progress& progress)
        : m_opts(opts), m_keep_logs(w.keeps_logs()), m_result(result), m_progress(progress) {
        // Fault injection for the harness's own tests: Ctrl-C after N records.
        if (const char* n = std::getenv("ITERCONF_INTERRUPT_AFTER"); n && *n)
            m_interrupt_after = std::strtol(n, nullptr, 10);
    }
    Result<void> open() { return m_writer.open(m_opts.out_dir + "/results.jsonl"); }
    void close() { m_writer.close(); }
    const std::optional<Error>& write_error() const { return m_write_error; }

    void add(KernelResult& k, size_t item, Judged j, const char* log_suffix = ".log") {
        std::lock_guard<std::mutex> lock(m_mu);
        record::Record& r = j.record;
        r.kernel_source = k.kernel.source;
        if (m_keep_logs && !j.log.empty()) {
            r.log_file = "logs/" + k.kernel.label + "/" + r.case_id + "/" + r.program + log_suffix;
            fs::path lp = fs::path(m_opts.out_dir) / r.log_file;
            std::error_code ec;
            fs::create_directories(lp.parent_path(), ec);
            // A new file, not the last run's truncated: ext4 writes a file
            // that was truncated and rewritten back at close (auto_da_alloc),
            // a few ms a log when --out is reused.
            fs::remove(lp, ec);
            std::ofstream(lp) << j.log;
        }
        if (auto w = m_writer.write(r); !w && !m_write_error)
            m_write_error = w.error();
        if (m_opts.json() || m_opts.verbose)
            m_progress.around([&] {
                if (m_opts.json()) {
                    std::fputs((record::to_json(r) + "\n").c_str(), stdout);
                    std::fflush(stdout);
                }
                if (m_opts.verbose)
                    std::fprintf(stderr, "iterconf: %s: %-60s %-11s %s\n", k.kernel.label.c_str(),
                                 r.id().c_str(), record::to_string(r.verdict), r.status());
                if (m_opts.verbose >= 2 && !j.log.empty())
                    std::fprintf(stderr, "---- log: %s on %s ----\n%s---- end ----\n",
                                 r.id().c_str(), k.kernel.label.c_str(), j.log.c_str());
            });
        if (!r.failed()) {
            j.log.clear();
        } else if (m_opts.fail_fast) {
            g_failed_fast = true;
            g_stop = true;
        }
        k.entries.push_back(m_result.entries.size());
        m_result.entries.push_back(Entry{item, std::move(r), std::move(j.log)});
        if (m_interrupt_after >= 0 && ++m_added == m_interrupt_after)
            std::raise(SIGINT);
    }

  private:
    std::mutex m_mu;
    const RunOptions& m_opts;
    bool m_keep_logs;
    RunResult& m_result;
    Progress& m_progress;
    record::JsonlWriter m_writer;
    std::optional<Error> m_write_error;
    long m_interrupt_after = -1, m_added = 0;
};

// A guest's events, turned into records by the workload.
class Listener : public qemu::GuestListener {
  public:
    Listener(Workload& w, KernelResult& k, Sink& sink, Progress& progress)
        : m_w(w), m_k(k), m_sink(sink), m_progress(progress) {}

    void hello(const std::string& release, double, double) override {
        m_k.release = release;
        auto kv = expect::parse_release(release);
        m_kv = kv ? *kv : expect::KernelVersion{};
        m_progress.judging(m_k.kernel.label, m_judged, m_w.size());
    }
    void record(size_t index, const std::string& json, const std::string& log) override {
        auto r = record::from_json(json);
        if (!r || index >= m_w.size()) {
            if (!garbled)
                garbled = make_error(ErrorKind::infra, "kernel '" + m_k.kernel.label + "'",
                                     "garbled record from the guest agent: " +
                                         (r ? "index out of range" : r.error().what));
            return;
        }
        m_w.from_guest(index, *r, m_kv);
        m_sink.add(m_k, index, Judged{std::move(*r), log});
        m_progress.judging(m_k.kernel.label, ++m_judged, m_w.size());
    }
    void lost(size_t index, qemu::Loss loss, const std::string& message,
              const std::string& excerpt) override {
        if (index >= m_w.size()) {
            if (!garbled)
                garbled = make_error(ErrorKind::internal, "kernel '" + m_k.kernel.label + "'",
                                     "lost item index out of range");
            return;
        }
        auto v = loss == qemu::Loss::crash ? record::Verdict::crash : record::Verdict::timeout;
        m_sink.add(m_k, index,
                   Judged{m_w.lost(index, v, message, excerpt, m_k.release, m_kv), excerpt},
                   ".console.log");
        m_judged++;
        // run_guest boots again from the next item, if there is one.
        if (m_judged < m_w.size())
            m_progress.phase(m_k.kernel.label, loss == qemu::Loss::crash ? "reboot after crash"
                                                                         : "reboot after timeout");
    }

    std::optional<Error> garbled; // a protocol error: the kernel's run is not trusted

  private:
    Workload& m_w;
    KernelResult& m_k;
    Sink& m_sink;
    Progress& m_progress;
    expect::KernelVersion m_kv;
    size_t m_judged = 0;
};

// The host pass: every item loaded on the running kernel, the kernel log
// watched around each load (a WARN/BUG/oops makes it `crash`).
// <out>/kernels/<label>.meta: what each kernel was (iterconf report shows
// it): "source=" (host, a manifest name or a path), then the cached meta
// record of a manifest kernel (package, version, bzimage_sha256, ...), the
// release of the host, or the image and its sha256 of a path.
void write_kernel_meta(const std::string& out_dir, const std::vector<KernelResult>& kernels) {
    std::error_code ec;
    fs::create_directories(out_dir + "/kernels", ec);
    for (const auto& k : kernels) {
        std::ofstream f(out_dir + "/kernels/" + k.kernel.label + ".meta", std::ios::trunc);
        f << "source=" << k.kernel.source << "\n";
        if (k.kernel.host) {
            struct utsname u {};
            if (uname(&u) == 0)
                f << "release=" << u.release << "\n";
        } else if (!k.kernel.meta_text.empty()) {
            f << k.kernel.meta_text << (k.kernel.meta_text.back() == '\n' ? "" : "\n");
        } else if (!k.kernel.image.empty()) {
            f << "image=" << k.kernel.image << "\n"
              << "bzimage_sha256=" << config::sha256_file(k.kernel.image) << "\n";
        }
    }
}

void run_host(Workload& w, KernelResult& k, Sink& sink, Progress& progress) {
    auto t0 = Clock::now();
    struct utsname u {};
    uname(&u);
    k.release = u.release;
    auto kv = expect::parse_release(k.release);
    auto kmsg = load::KmsgWatcher::open(SplatPatterns::builtin());
    if (!kmsg.available()) {
        if (load::kmsg_required()) {
            k.error = load::kmsg_unavailable_error(kmsg);
            k.error_exit = 2;
            progress.drop(k.kernel.label);
            progress.around([&] { report_error(*k.error, false); });
            return;
        }
        progress.around([&] { warn(load::kmsg_unavailable_warning(kmsg)); });
    }
    HostContext host{k.release, kv ? *kv : expect::KernelVersion{}, kmsg, k.phases};
    size_t n = w.host_size();
    progress.judging(k.kernel.label, 0, n);
    for (size_t i = 0; i < n && !g_stop; i++) {
        Judged j = w.judge_on_host(i, host);
        k.phases.time("write record", [&] { sink.add(k, i, std::move(j)); });
        k.phase_items++;
        progress.judging(k.kernel.label, i + 1, n);
    }
    if (g_interrupted)
        progress.phase(k.kernel.label, "interrupted");
    else
        progress.done(k.kernel.label, k.entries.size(), n);
    k.wall = k.judge_seconds = since(t0);
}

// Where each kernel's judging time goes, in ms per item. Rows: the
// workload's phases on the host; in a guest, the agent's own (measured inside
// it, over the boot that reached DONE), and the host's work beside it (which
// overlaps the agent's, so it is not subtracted); then what JUDGE CORPUS has
// beyond the phases (for a guest: the channel's latency and the host's
// polling of it). Boots are in the table above.
void print_phases(FILE* out, const std::vector<const KernelResult*>& ks) {
    enum class Source { host, agent, beside };
    static constexpr const char* k_prefix[] = {"", "agent: ", "host, beside the guest: "};
    std::vector<std::pair<Source, std::string>> rows;
    auto note = [&](Source src, const Phases& p) {
        for (const auto& [name, secs] : p.list())
            if (std::find(rows.begin(), rows.end(), std::pair{src, name}) == rows.end())
                rows.emplace_back(src, name);
    };
    for (const auto* k : ks) {
        note(k->kernel.host ? Source::host : Source::agent, k->phases);
        note(Source::beside, k->host_phases);
    }
    if (rows.empty())
        return;
    const double none = std::nan("");
    auto per_item = [&](std::optional<double> secs, size_t items) {
        return !secs || items == 0 ? none : *secs * 1e3 / static_cast<double>(items);
    };
    auto secs_of = [](const Phases& p, const std::string& name) -> std::optional<double> {
        for (const auto& [n, s] : p.list())
            if (n == name)
                return s;
        return std::nullopt;
    };
    auto row = [&](const std::string& label, auto value) {
        std::fprintf(out, "%-44s", label.c_str());
        for (const auto* k : ks) {
            double ms = value(*k);
            if (std::isnan(ms))
                std::fprintf(out, " %12s", "-");
            else
                std::fprintf(out, " %12.3f", ms);
        }
        std::fprintf(out, "\n");
    };
    std::fprintf(out, "\nwhere the time goes, ms per item:\n%-44s", "PHASE");
    for (const auto* k : ks)
        std::fprintf(out, " %12.12s", k->kernel.label.c_str());
    std::fprintf(out, "\n");
    for (const auto& phase_row : rows) {
        // Named copies: clang 14 (the libFuzzer build) cannot capture
        // structured bindings in a lambda.
        const auto src = phase_row.first;
        const auto& name = phase_row.second;
        row(k_prefix[static_cast<int>(src)] + name, [&](const KernelResult& k) {
            switch (src) {
            case Source::host:
            case Source::agent:
                if ((src == Source::host) != k.kernel.host)
                    return none;
                return per_item(secs_of(k.phases, name), k.phase_items);
            case Source::beside:
                return per_item(secs_of(k.host_phases, name), k.entries.size());
            }
            return none;
        });
    }
    row("not in a phase", [&](const KernelResult& k) {
        size_t n = k.entries.size();
        if (n == 0 || k.phase_items == 0)
            return none;
        return (k.judge_seconds / static_cast<double>(n) -
                k.phases.total() / static_cast<double>(k.phase_items)) *
               1e3;
    });
    row("JUDGE CORPUS",
        [&](const KernelResult& k) { return per_item(k.judge_seconds, k.entries.size()); });
}

void print_bench(FILE* out, const RunResult& res, size_t n, const std::string& accel) {
    const KernelResult* h = nullptr;
    for (const auto& k : res.kernels)
        if (k.kernel.host && !k.error)
            h = &k;
    double host_vps = h && h->judge_seconds > 0 ? h->entries.size() / h->judge_seconds : 0;
    std::fprintf(out, "\nbench (%zu items, accel %s, all measured in this run):\n", n,
                 accel.c_str());
    std::fprintf(out, "%-16s %-34s %10s %10s %12s %11s %9s\n", "KERNEL", "RELEASE", "BOOT FLOOR",
                 "TO AGENT", "JUDGE CORPUS", "VERDICTS/S", "VS HOST");
    std::vector<const KernelResult*> shown;
    for (const auto& k : res.kernels) {
        if (k.error && k.entries.empty())
            continue;
        shown.push_back(&k);
        double vps = k.judge_seconds > 0 ? k.entries.size() / k.judge_seconds : 0;
        char floor[32] = "-", agent[32] = "-", ratio[32] = "-", corpus[32];
        if (k.floor >= 0)
            std::snprintf(floor, sizeof(floor), "%.2f s", k.floor);
        if (!k.kernel.host)
            std::snprintf(agent, sizeof(agent), "%.2f s", k.boot_wall);
        if (host_vps > 0)
            std::snprintf(ratio, sizeof(ratio), "%.2fx", vps / host_vps);
        std::snprintf(corpus, sizeof(corpus), "%.2f s", k.judge_seconds);
        std::fprintf(out, "%-16s %-34s %10s %10s %12s %11.1f %9s\n", k.kernel.label.c_str(),
                     k.release.c_str(), floor, agent, corpus, vps, ratio);
    }
    print_phases(out, shown);
}

} // namespace

RunOptions::RunOptions() : jobs(std::max(1u, std::thread::hardware_concurrency())) {}

double parse_number(const std::string& opt, const std::string& val, double min) {
    char* end = nullptr;
    double d = std::strtod(val.c_str(), &end);
    if (val.empty() || *end || !(d >= min))
        throw UsageError{opt + " takes a number >= " + std::to_string(static_cast<int>(min)) +
                         ", not '" + val + "'"};
    return d;
}

bool RunOptions::parse(Args& args) {
    std::string v;
    if (args.option("--kernel", v)) {
        kernels.push_back(v);
    } else if (args.option("--jobs", "-j", v)) {
        jobs = static_cast<unsigned>(parse_number("--jobs", v, 1));
    } else if (args.option("--accel", v)) {
        if (v != "auto" && v != "tcg" && v != "kvm")
            throw UsageError{"--accel takes auto, tcg or kvm, not '" + v + "'"};
        accel = v;
    } else if (args.option("--boot-timeout", v)) {
        boot_timeout = parse_number("--boot-timeout", v, 1);
    } else if (args.option("--timeout", v)) {
        timeout = parse_number("--timeout", v, 1);
    } else if (args.option("--guest-append", v)) {
        guest_append += (guest_append.empty() ? "" : " ") + v;
    } else if (args.option("--out", v)) {
        out_dir = v;
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
    } else if (args.flag("--bench")) {
        bench = true;
    } else if (args.flag("--fail-fast")) {
        fail_fast = true;
    } else if (args.option("--shard", v)) {
        if (auto e = parse_shard(v, shard); !e.empty())
            throw UsageError{"--shard " + e};
    } else {
        return false;
    }
    return true;
}

std::vector<record::Record> RunResult::records_of(const KernelResult& k) const {
    std::vector<record::Record> out;
    for (size_t e : k.entries)
        out.push_back(entries[e].record);
    return out;
}

int run_session(const RunOptions& opts_in, Workload& w) {
    RunOptions opts = opts_in;
    bool json = opts.json();
    if (opts.bench)
        opts.kernels.push_back("host");
    auto t_start = Clock::now();

    // Where each kernel is, on stderr (common/progress.hpp); gone before
    // the report.
    Progress progress(Progress::Options{.mode = Progress::mode_for(stderr, opts.quiet)});

    // Everything that can be wrong is found before the output directory is
    // touched, so a bad kernel or input loses no earlier results.
    auto resolved = resolve_kernels(
        opts.kernels,
        ResolveOptions{
            .verbose = opts.verbose > 0,
            .pin = opts.pin,
            .on_fetch = [&](const std::string& label) { progress.phase(label, "fetch"); },
            .say = [&](const std::function<void()>& f) { progress.around(f); }});
    // An error before the run: the line goes first.
    auto fail = [&](const Error& e) {
        progress.finish();
        return report_error(e, json);
    };
    if (!resolved)
        return fail(resolved.error());
    RunResult res;
    for (auto& kernel : *resolved) {
        KernelResult k;
        k.kernel = kernel;
        k.error = kernel.error;
        k.error_exit = kernel.error_exit;
        res.kernels.push_back(std::move(k));
    }
    bool any_guest = false;
    for (auto& k : res.kernels) {
        if (k.error)
            continue;
        // Kinds this kernel has and the kind table does not know: one
        // stderr line each (records and stdout unchanged).
        warn_kinds(k.kernel);
        if (!k.kernel.host) {
            any_guest = true;
        } else if (auto h = w.open_host(); !h) {
            if (res.kernels.size() == 1)
                return fail(h.error());
            k.error = h.error();
            k.error_exit = 2;
        }
    }
    qemu::ConsoleScanner scanner;
    if (any_guest) {
        auto s = load_console_scanner();
        if (!s)
            return fail(s.error());
        scanner = std::move(*s);
        if (!qemu::have_qemu("qemu-system-x86_64"))
            return fail(make_error(ErrorKind::infra, "qemu-system-x86_64", "not found on PATH",
                                   "install qemu-system-x86 (ci/install-deps.sh)"));
    }
    // Kernels that cannot be judged at all are reported now, by name.
    bool any_runnable = false;
    std::vector<std::string> runnable;
    for (const auto& k : res.kernels) {
        if (k.error) {
            progress.around([&] { report_error(*k.error, false); });
        } else {
            any_runnable = true;
            runnable.push_back(k.kernel.label);
        }
    }
    progress.keep(runnable);
    if (!any_runnable) {
        progress.finish();
        int rc = 0;
        for (const auto& k : res.kernels)
            rc = std::max(rc, k.error_exit);
        return rc ? rc : 2;
    }

    const std::string& out_dir = opts.out_dir;
    std::error_code ec;
    fs::create_directories(out_dir, ec);
    if (ec)
        return fail(
            make_error(ErrorKind::io, out_dir, "cannot create output directory: " + ec.message()));
    Sink sink(opts, w, res, progress);
    if (auto r = sink.open(); !r)
        return fail(r.error());
    write_kernel_meta(out_dir, res.kernels);
    for (auto& k : res.kernels)
        k.planned = k.kernel.host ? w.host_size() : w.size();
    // What is being run, before anything is judged (an interrupted run
    // still says what it was); rewritten at the end with the outcome.
    if (auto r = write_run_json(out_dir, w, res, opts.kernels, -1); !r)
        return fail(r.error());
    g_interrupted = false;
    g_stop = false;
    g_failed_fast = false;
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);

    qemu::GuestOptions gopts{.accel = opts.accel == "auto" ? "tcg" : opts.accel,
                             .boot_timeout = opts.boot_timeout,
                             .program_timeout = opts.timeout,
                             .extra_append = opts.guest_append};
    std::vector<KernelResult*> guests, hosts; // chosen before the workers write to them
    for (auto& k : res.kernels)
        if (!k.error)
            (k.kernel.host ? hosts : guests).push_back(&k);
    std::string initrd;
    if (!guests.empty()) {
        std::vector<std::string> images;
        for (const auto* k : guests)
            images.push_back(k->kernel.image);
        GuestPlan plan = w.plan();
        auto p = prepare_guests(out_dir, plan.plan, plan.files, images, gopts, opts.accel == "auto",
                                opts.verbose, g_stop);
        if (!p)
            return fail(p.error());
        initrd = *p;
    }

    // Guests on worker threads, the host in this one.
    auto worker = [&](size_t i) {
        KernelResult& k = *guests[i];
        qemu::GuestKernel gk = guest_kernel(out_dir, k.kernel.label, k.kernel.image);
        if (opts.bench) {
            progress.phase(k.kernel.label, "boot floor");
            auto f = qemu::boot_floor(gk, initrd, gopts, g_stop);
            k.floor = f ? *f : -1;
        }
        Listener listener(w, k, sink, progress);
        auto t0 = Clock::now();
        progress.phase(k.kernel.label, "boot");
        if (opts.verbose)
            progress.around([&] {
                std::fprintf(stderr, "iterconf: qemu: kernel '%s': booting %s (%s)\n",
                             k.kernel.label.c_str(), k.kernel.image.c_str(), gopts.accel.c_str());
            });
        auto g = qemu::run_guest(gk, initrd, w.size(), gopts, scanner, listener, g_stop);
        k.wall = since(t0);
        k.judge_seconds = g.judge_seconds;
        k.boot_wall = g.first_boot_wall;
        k.reboot_wall = g.reboot_wall;
        k.phases = g.agent_phases;
        k.phase_items = g.agent_items;
        k.host_phases = g.host_phases;
        k.boots = g.boots;
        if (!g.release.empty())
            k.release = g.release;
        if (!g.error && listener.garbled)
            g.error = listener.garbled;
        if (g.error) {
            k.error = g.error;
            k.error_exit = 2;
            progress.drop(k.kernel.label);
            progress.around([&] { report_error(*g.error, false); });
        } else if (g.interrupted || g_interrupted) {
            progress.phase(k.kernel.label, "interrupted");
        } else {
            progress.done(k.kernel.label, k.entries.size(), w.size());
            if (opts.verbose)
                progress.around([&] {
                    std::fprintf(stderr,
                                 "iterconf: qemu: kernel '%s': %s, %zu %s in %.1f s, %d boot%s\n",
                                 k.kernel.label.c_str(), k.release.c_str(), g.judged, w.noun(),
                                 k.wall, k.boots, k.boots == 1 ? "" : "s");
                });
        }
    };
    // With --bench the host goes first, alone, so that the guests and the
    // host do not share the cores while either is timed; otherwise all at
    // once.
    if (opts.bench)
        for (auto* k : hosts)
            run_host(w, *k, sink, progress);
    auto threads = start_workers(guests.size(), opts.jobs, g_stop, worker);
    if (!opts.bench)
        for (auto* k : hosts)
            run_host(w, *k, sink, progress);
    for (auto& th : threads)
        th.join();
    progress.finish(); // the report below is unchanged
    res.interrupted = g_interrupted;
    res.failed_fast = g_failed_fast;
    res.total = since(t_start);
    sink.close();
    if (sink.write_error())
        return report_error(*sink.write_error(), json);
    res.accel = gopts.accel;
    int rc = finish_run(opts, w, res, std::to_string(opts.jobs) + " jobs");
    if (auto r = write_run_json(out_dir, w, res, opts.kernels, rc); !r)
        return report_error(r.error(), json);
    return rc;
}

int finish_run(const RunOptions& opts, Workload& w, RunResult& res, const std::string& what) {
    const std::string& out_dir = opts.out_dir;
    std::vector<record::Record> records;
    for (const auto& e : res.entries)
        records.push_back(e.record);
    std::ofstream(out_dir + "/junit.xml") << record::to_junit(records, res.total);

    // The report, and the one exit-code rule (session.hpp).
    if (opts.format == "junit")
        std::fputs(record::to_junit(records, res.total).c_str(), stdout);
    FILE* out = opts.format == "table" ? stdout : stderr;
    w.report_head(out, res);
    int rc = 0;
    for (const auto& k : res.kernels) {
        if (k.error && k.entries.empty()) {
            std::fprintf(out, "%s: not judged: %s\n", k.head().c_str(), k.error->message().c_str());
        } else {
            w.report_kernel(out, k, res);
            if (k.error)
                std::fprintf(out, "%s: stopped early: %s\n", k.head().c_str(),
                             k.error->message().c_str());
            for (size_t e : k.entries)
                if (res.entries[e].record.failed())
                    rc = std::max(rc, 1);
        }
        rc = std::max(rc, k.error_exit);
        if (!k.error && k.entries.size() < k.planned && !res.interrupted && !res.failed_fast) {
            std::fprintf(out, "%s: only %zu of %zu %s judged\n", k.head().c_str(), k.entries.size(),
                         k.planned, w.noun());
            rc = std::max(rc, 2);
        }
    }
    w.report_tail(out, res);
    if (opts.bench)
        print_bench(out, res, w.size(), res.accel);
    std::fprintf(out, "total wall time: %.1f s (%zu kernels, %zu %s, %s)\n", res.total,
                 res.kernels.size(), w.size(), w.noun(), what.c_str());
    if (auto nj = w.not_judged()) {
        std::fprintf(stderr, "iterconf: error: %s\n", nj->c_str());
        rc = 2;
    }
    if (res.failed_fast && !res.interrupted)
        std::fprintf(out, "stopped at the first failure (--fail-fast)\n");
    if (opts.format == "table")
        std::printf("results: %s/results.jsonl, %s/junit.xml\n", out_dir.c_str(), out_dir.c_str());
    if (res.interrupted) {
        report_error(make_error(ErrorKind::infra, "run", "interrupted",
                                "the records judged so far are in " + out_dir + "/results.jsonl"),
                     false);
        rc = 2;
    }
    return rc;
}

} // namespace iterconf::cli
