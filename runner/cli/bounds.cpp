#include "cli/bounds.hpp"

#include "agent/bounds.hpp"
#include "cli/common.hpp"
#include "cli/guests.hpp"
#include "cli/kernels.hpp"
#include "qemu/console.hpp"
#include "qemu/guest.hpp"
#include "record/record.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <optional>
#include <sys/utsname.h>
#include <thread>

namespace fs = std::filesystem;

namespace iterconf::cli {

namespace {

std::atomic<bool> g_stop{false};
void on_signal(int) {
    g_stop = true;
}

struct BoundsRun {
    Kernel t;
    std::string release;
    size_t total = 0, matched = 0, unsupported = 0;
    std::vector<std::string> mismatches; // "<input>: <reason>"
    std::optional<Error> error;
    int error_exit = 0;
    double secs = 0;
};

struct Sink {
    std::mutex mu;
    record::JsonlWriter writer;
    std::optional<Error> write_error;
    void add(record::Record r, BoundsRun& k) {
        std::lock_guard<std::mutex> lock(mu);
        r.kernel_source = k.t.source;
        if (auto w = writer.write(r); !w && !write_error)
            write_error = w.error();
        k.total++;
        k.unsupported += r.verdict == record::Verdict::unsupported;
        if (r.match)
            k.matched++;
        else
            k.mismatches.push_back(r.case_id + ": " + r.reason);
    }
};

class Listener : public qemu::GuestListener {
  public:
    Listener(const std::vector<std::string>& inputs, BoundsRun& run, Sink& sink)
        : m_inputs(inputs), m_run(run), m_sink(sink) {}
    void hello(const std::string& release, double, double) override { m_run.release = release; }
    void record(size_t index, const std::string& json, const std::string&) override {
        auto r = record::from_json(json);
        if (!r || index >= m_inputs.size()) {
            if (!garbled)
                garbled = make_error(ErrorKind::infra, "kernel '" + m_run.t.label + "'",
                                     "garbled record from the guest agent");
            return;
        }
        m_sink.add(*r, m_run);
    }
    void lost(size_t index, qemu::Loss loss, const std::string& message,
              const std::string&) override {
        if (index >= m_inputs.size())
            return;
        record::Record r;
        r.case_id = "bounds/" + fs::path(m_inputs[index]).filename().string();
        r.program = "fuzz_iter_bounds";
        r.file = m_inputs[index];
        r.kernel = m_run.release;
        r.verdict = loss == qemu::Loss::crash ? record::Verdict::crash : record::Verdict::timeout;
        r.reason = message;
        m_sink.add(r, m_run);
    }
    std::optional<Error> garbled;

  private:
    const std::vector<std::string>& m_inputs;
    BoundsRun& m_run;
    Sink& m_sink;
};

constexpr const char* k_usage =
    R"(usage: iterconf run --bounds-corpus DIR [--bounds-corpus DIR...] [options]

Replays fuzz_iter_bounds inputs (e.g. fuzz/corpus/fuzz_iter_bounds; the
option is repeatable, the directories' files are checked in turn) on each
kernel: the task_vma walk of each input's layout must match /proc/PID/maps.
On the host the fixed walk program runs in-process; under QEMU the guest
agent replays the same files through the same oracle.

options:
  --kernel K             host, a manifest name, all, or a bzImage (repeatable)
  --out DIR              results.jsonl and consoles (default out)
  -j, --jobs N           guests at a time
  --accel tcg|kvm|auto   --timeout S (per input)   --boot-timeout S
  --guest-append TEXT    more guest kernel command line (fault injection)
  -v                     more output
)";

} // namespace

int run_bounds(int argc, char** argv) {
    std::string out_dir = "out", v, accel = "auto", guest_append;
    std::vector<std::string> corpora;
    std::vector<std::string> kernels;
    int verbose = 0;
    unsigned jobs = std::max(1u, std::thread::hardware_concurrency());
    double boot_timeout = 180, prog_timeout = 120;
    Args args(argc, argv);
    while (!args.done()) {
        if (args.option("--bounds-corpus", v)) {
            corpora.push_back(v);
        } else if (args.option("--out", v)) {
            out_dir = v;
        } else if (args.option("--kernel", v)) {
            kernels.push_back(v);
        } else if (args.option("--jobs", "-j", v)) {
            jobs = std::max(1u, static_cast<unsigned>(std::strtoul(v.c_str(), nullptr, 10)));
        } else if (args.option("--accel", v)) {
            accel = v;
        } else if (args.option("--timeout", v)) {
            prog_timeout = std::strtod(v.c_str(), nullptr);
        } else if (args.option("--boot-timeout", v)) {
            boot_timeout = std::strtod(v.c_str(), nullptr);
        } else if (args.option("--guest-append", v)) {
            guest_append += (guest_append.empty() ? "" : " ") + v;
        } else if (args.flag("-v")) {
            verbose = 1;
        } else if (args.flag("--help", "-h")) {
            std::fputs(k_usage, stdout);
            return 0;
        } else {
            return report_error(
                make_error(ErrorKind::usage, "run",
                           "with --bounds-corpus: unknown argument '" + args.peek() + "'",
                           "see iterconf run --bounds-corpus X --help"),
                false);
        }
    }
    auto no_inputs = [](const std::string& where) {
        return report_error(make_error(ErrorKind::usage, where, "no input files",
                                       "give a directory of fuzz_iter_bounds inputs, e.g. "
                                       "fuzz/corpus/fuzz_iter_bounds"),
                            false);
    };
    if (corpora.empty())
        return no_inputs("--bounds-corpus");
    std::vector<std::string> inputs;
    for (const auto& dir : corpora) {
        auto files = agent::bounds_inputs(dir);
        if (files.empty())
            return no_inputs(dir);
        inputs.insert(inputs.end(), files.begin(), files.end());
    }
    std::string corpus;
    for (const auto& dir : corpora)
        corpus += (corpus.empty() ? "" : ", ") + dir;
    if (kernels.empty())
        kernels.push_back("host");
    auto resolved = resolve_kernels(kernels, verbose > 0);
    if (!resolved)
        return report_error(resolved.error(), false);
    std::vector<BoundsRun> runs;
    for (auto& t : *resolved) {
        BoundsRun k;
        k.t = t;
        k.error = t.error;
        k.error_exit = t.error_exit;
        if (k.error)
            report_error(*k.error, false);
        runs.push_back(std::move(k));
    }
    auto t_start = std::chrono::steady_clock::now();
    auto since = [](std::chrono::steady_clock::time_point t) {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
    };
    std::error_code ec;
    fs::create_directories(out_dir, ec);
    Sink sink;
    if (auto r = sink.writer.open(out_dir + "/results.jsonl"); !r)
        return report_error(r.error(), false);
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);

    std::vector<BoundsRun*> guests, hosts;
    for (auto& k : runs)
        if (!k.error)
            (k.t.host ? hosts : guests).push_back(&k);
    qemu::GuestOptions gopts{.accel = accel == "auto" ? "tcg" : accel,
                             .boot_timeout = boot_timeout,
                             .program_timeout = prog_timeout,
                             .extra_append = guest_append};
    qemu::ConsoleScanner scanner;
    std::string initrd;
    if (!guests.empty()) {
        auto sc = load_console_scanner();
        if (!sc)
            return report_error(sc.error(), false);
        scanner = std::move(*sc);
        // The inputs go in as cases/bounds/<NNNNNN>-<name>, in the same
        // order (the index keeps names from two directories apart and the
        // guest's sorted listing in plan order).
        std::vector<std::pair<std::string, std::string>> files;
        for (size_t i = 0; i < inputs.size(); i++) {
            char idx[32];
            std::snprintf(idx, sizeof(idx), "%06zu-", i);
            files.emplace_back("cases/bounds/" + std::string(idx) +
                                   fs::path(inputs[i]).filename().string(),
                               inputs[i]);
        }
        std::vector<std::string> images;
        for (auto* g : guests)
            images.push_back(g->t.image);
        auto p = prepare_guests(out_dir, qemu::Plan::for_bounds("/cases/bounds"), files, images,
                                gopts, accel == "auto", verbose, g_stop);
        if (!p)
            return report_error(p.error(), false);
        initrd = *p;
    }
    auto worker = [&](size_t i) {
        BoundsRun& k = *guests[i];
        qemu::GuestKernel gk = guest_kernel(out_dir, k.t.label, k.t.image);
        Listener listener(inputs, k, sink);
        auto g = qemu::run_guest(gk, initrd, inputs.size(), gopts, scanner, listener, g_stop);
        k.secs = g.judge_seconds;
        if (!g.release.empty())
            k.release = g.release;
        if (!g.error && listener.garbled)
            g.error = listener.garbled;
        if (g.error) {
            k.error = g.error;
            k.error_exit = 2;
            report_error(*g.error, false);
        }
    };
    auto threads = start_workers(guests.size(), jobs, g_stop, worker);
    for (auto* kp : hosts) {
        BoundsRun& k = *kp;
        struct utsname u {};
        uname(&u);
        k.release = u.release;
        auto t0 = std::chrono::steady_clock::now();
        agent::run_bounds(
            inputs, 0, k.release, [](size_t, const std::string&) {},
            [&](size_t, const record::Record& r) { sink.add(r, k); });
        k.secs = since(t0);
    }
    for (auto& th : threads)
        th.join();
    sink.writer.close();
    if (sink.write_error)
        return report_error(*sink.write_error, false);

    int rc = 0;
    std::printf("bounds corpus: %zu inputs from %s\n", inputs.size(), corpus.c_str());
    for (const auto& k : runs) {
        std::string head = k.t.label + (k.release.empty() ? "" : " (" + k.release + ")");
        if (k.error && !k.total) {
            std::printf("%s: not checked: %s\n", head.c_str(), k.error->message().c_str());
            rc = std::max(rc, k.error_exit);
            continue;
        }
        std::printf("%s: %zu inputs: %zu matched (%zu unsupported), %zu mismatches in %.2f s\n",
                    head.c_str(), k.total, k.matched, k.unsupported, k.total - k.matched, k.secs);
        for (const auto& m : k.mismatches)
            std::printf("  ! %s\n", m.c_str());
        if (k.total != k.matched)
            rc = std::max(rc, 1);
        if (k.total < inputs.size() && !k.error) {
            std::printf("%s: only %zu of %zu inputs checked\n", head.c_str(), k.total,
                        inputs.size());
            rc = std::max(rc, 1);
        }
        if (k.error) {
            std::printf("%s: stopped early: %s\n", head.c_str(), k.error->message().c_str());
            rc = std::max(rc, k.error_exit);
        }
    }
    std::printf("total wall time: %.1f s; results: %s/results.jsonl\n", since(t_start),
                out_dir.c_str());
    if (g_stop)
        return report_error(make_error(ErrorKind::infra, "run", "interrupted",
                                       "the records so far are in " + out_dir + "/results.jsonl"),
                            false);
    return rc;
}

} // namespace iterconf::cli
