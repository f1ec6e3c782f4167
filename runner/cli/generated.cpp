#include "cli/generated.hpp"

#include "cli/common.hpp"
#include "cli/guests.hpp"
#include "cli/inputs.hpp"
#include "cli/kernels.hpp"
#include "common/splat.hpp"
#include "expect/kver.hpp"
#include "expect/spec.hpp"
#include "gen/emit_bpf.hpp"
#include "gen/emit_c.hpp"
#include "gen/enumerate.hpp"
#include "judge/generated.hpp"
#include "judge/judge.hpp"
#include "load/kmsg.hpp"
#include "load/raw_load.hpp"
#include "model/model.hpp"
#include "qemu/console.hpp"
#include "qemu/guest.hpp"
#include "record/record.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <sys/utsname.h>
#include <thread>

namespace fs = std::filesystem;

namespace iterconf::cli {

namespace {

constexpr const char* k_gen_usage = R"(usage: iterconf gen --out DIR [options]

Writes every program of the model up to the bound, each with the reference
model's prediction, deterministically (the same bound gives the same files).

options:
  --out DIR              output directory (required)
  --bound B              ops=N,depth=N,slots=1|2,tasks=0|1,wheres=0|1,calls=0|1
                         (default ops=3,depth=2,slots=1,tasks=1,wheres=1,calls=1)
  --emit c|bytecode      c: DIR/generated/gen-NNNN.bpf.c case files (contract 1,
                         250 programs each); bytecode: DIR/programs.jsonl, one
                         program per line with its instructions and relocations
                         (default c)
  --kernel-version X.Y[.Z]   predict for this kernel (default: the running one)
  -h, --help             this text
)";

std::atomic<bool> g_stop{false};
void on_signal(int) {
    g_stop = true;
}

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
}

model::KernelFeatures features_for(const std::string& version) {
    model::KernelFeatures k;
    std::string v = version;
    if (v.empty()) {
        struct utsname u {};
        uname(&u);
        v = u.release;
    }
    if (!model::KernelFeatures::from_release(v, k))
        throw UsageError{"--kernel-version takes X.Y[.Z], not '" + v + "'"};
    return k;
}

std::string hex(const std::vector<gen::Insn>& insns) {
    static const char* d = "0123456789abcdef";
    std::string out;
    const auto* b = reinterpret_cast<const unsigned char*>(insns.data());
    for (size_t i = 0; i < insns.size() * sizeof(gen::Insn); i++) {
        out += d[b[i] >> 4];
        out += d[b[i] & 15];
    }
    return out;
}

std::string program_json(const gen::Program& p, const gen::BpfProgram& bp,
                         const model::Expectation& e) {
    std::string j = "{\"name\":" + record::json_quote(p.name()) +
                    ",\"text\":" + record::json_quote(p.text()) +
                    ",\"expected\":" + (e.accept ? "\"accept\"" : "\"reject\"") +
                    ",\"reason\":" + record::json_quote(model::to_string(e.reason)) + ",\"msgs\":[";
    for (size_t i = 0; i < e.msgs.size(); i++)
        j += (i ? "," : "") + record::json_quote(e.msgs[i]);
    j += "],\"insns\":\"" + hex(bp.insns) + "\",\"kfuncs\":[";
    for (size_t i = 0; i < bp.kfuncs.size(); i++)
        j += (i ? ",[" : "[") + std::to_string(bp.kfuncs[i].insn) + "," +
             record::json_quote(bp.kfuncs[i].name) + "]";
    j += "],\"maps\":[";
    for (size_t i = 0; i < bp.maps.size(); i++)
        j += (i ? ",[" : "[") + std::to_string(bp.maps[i].insn) + "," +
             (bp.maps[i].map == gen::MapKind::global ? "\"global\"" : "\"array\"") + "]";
    j += "],\"fields\":[";
    for (size_t i = 0; i < bp.fields.size(); i++)
        j += (i ? ",[" : "[") + std::to_string(bp.fields[i].insn) + "," +
             record::json_quote(bp.fields[i].field) + "]";
    return j + "]}";
}

// Counts ops, bodies included: the size used to pick the minimal program.
size_t size_of(const std::vector<gen::Op>& ops) {
    size_t n = 0;
    for (const auto& o : ops)
        n += 1 + size_of(o.body) + size_of(o.orelse);
    return n;
}

// A message with its numbers blanked, so that disagreements group by kind.
std::string shape(const std::string& msg) {
    std::string out;
    for (size_t i = 0; i < msg.size(); i++) {
        if (std::isdigit(static_cast<unsigned char>(msg[i]))) {
            out += 'N';
            while (i + 1 < msg.size() && std::isdigit(static_cast<unsigned char>(msg[i + 1])))
                i++;
        } else {
            out += msg[i];
        }
    }
    return out;
}

} // namespace

int cmd_gen(int argc, char** argv) {
    std::string out_dir, emit = "c", kver, v;
    gen::Bound bound;
    Args args(argc, argv);
    while (!args.done()) {
        if (args.flag("-h", "--help")) {
            std::fputs(k_gen_usage, stdout);
            return 0;
        } else if (args.option("--out", v)) {
            out_dir = v;
        } else if (args.option("--bound", v)) {
            if (auto e = gen::parse_bound(v, bound); !e.empty())
                throw UsageError{"--bound: " + e};
        } else if (args.option("--emit", v)) {
            if (v != "c" && v != "bytecode")
                throw UsageError{"--emit takes c or bytecode, not '" + v + "'"};
            emit = v;
        } else if (args.option("--kernel-version", v)) {
            kver = v;
        } else {
            throw UsageError{"unknown argument '" + args.peek() + "'"};
        }
    }
    if (out_dir.empty())
        throw UsageError{"--out DIR is required"};
    auto kf = features_for(kver);
    std::error_code ec;
    fs::create_directories(out_dir + (emit == "c" ? "/generated" : ""), ec);
    if (ec)
        return report_error(
            make_error(ErrorKind::io, out_dir, "cannot create output directory: " + ec.message()),
            false);
    std::string header = "Code generated by iterconf gen --bound=" + bound.text() +
                         " --kernel-version=" + kf.text() + " (gen v1). DO NOT EDIT.";
    auto t0 = Clock::now();
    size_t n = 0, files = 0;
    std::vector<gen::CProgram> batch;
    std::ofstream jsonl;
    if (emit == "bytecode")
        jsonl.open(out_dir + "/programs.jsonl", std::ios::trunc);
    auto flush = [&] {
        if (batch.empty())
            return;
        char name[64];
        std::snprintf(name, sizeof(name), "/generated/gen-%04zu.bpf.c", files++);
        std::ofstream(out_dir + name) << gen::emit_c(batch, header);
        batch.clear();
    };
    gen::enumerate(bound, [&](const gen::Program& p) {
        auto e = model::expect(p, kf);
        if (emit == "c") {
            batch.push_back({p, {e.accept, e.msgs}});
            if (batch.size() == 250)
                flush();
        } else {
            jsonl << program_json(p, gen::emit_bpf(p), e) << "\n";
        }
        n++;
        return true;
    });
    flush();
    double secs = since(t0);
    std::printf("%zu programs (%s, predicted for %s) in %.2f s, %.0f programs/s: %s%s\n", n,
                bound.text().c_str(), kf.text().c_str(), secs, secs > 0 ? n / secs : 0.0,
                out_dir.c_str(), emit == "c" ? "/generated/*.bpf.c" : "/programs.jsonl");
    return 0;
}

namespace {

// One disagreement class on one kernel: how many, and the shortest program.
struct Class {
    size_t count = 0;
    gen::Program minimal;
    size_t minimal_size = SIZE_MAX;
    std::string detail;
};

struct KernelRun {
    Kernel t;
    std::string release;
    size_t total = 0, matched = 0, by_verdict[6] = {};
    std::map<std::string, Class> classes;
    std::optional<Error> error;
    int error_exit = 0;
    double secs = 0, load_secs = 0;
};

// Where records go, from whichever thread judged them.
struct GenSink {
    std::mutex mu;
    record::JsonlWriter writer;
    std::optional<Error> write_error;
    std::map<std::string, std::map<std::string, record::Verdict>> verdicts; // program -> kernel
    int verbose = 0;

    void add(const record::Record& r, const gen::Program& p, KernelRun& k) {
        std::lock_guard<std::mutex> lock(mu);
        if (auto w = writer.write(r); !w && !write_error)
            write_error = w.error();
        verdicts[r.program][k.t.label] = r.verdict;
        k.total++;
        k.by_verdict[static_cast<int>(r.verdict)]++;
        if (r.match) {
            k.matched++;
            return;
        }
        model::KernelFeatures kf;
        model::KernelFeatures::from_release(r.kernel, kf);
        auto e = model::expect(p, kf);
        std::string key = std::string(model::to_string(e.reason)) + " -> " +
                          record::to_string(r.verdict) +
                          (r.message.empty() ? "" : ": " + shape(r.message));
        auto& c = k.classes[key];
        c.count++;
        size_t sz = size_of(p.ops);
        if (sz < c.minimal_size ||
            (sz == c.minimal_size && p.text().size() < c.minimal.text().size())) {
            c.minimal = p;
            c.minimal_size = sz;
            c.detail = r.reason;
        }
        if (verbose)
            std::fprintf(stderr, "iterconf: %s: %s %s: %s\n", k.t.label.c_str(), p.name().c_str(),
                         p.text().c_str(), r.reason.c_str());
    }
};

class GenListener : public qemu::GuestListener {
  public:
    GenListener(const std::vector<gen::Program>& programs, KernelRun& run, GenSink& sink,
                const std::string& bound)
        : m_programs(programs), m_run(run), m_sink(sink), m_bound(bound) {}
    void hello(const std::string& release, double, double) override {
        m_run.release = release;
        auto kv = expect::parse_release(release);
        m_kv = kv ? *kv : expect::KernelVersion{};
    }
    void record(size_t index, const std::string& json, const std::string&) override {
        auto r = record::from_json(json);
        if (!r || index >= m_programs.size()) {
            if (!garbled)
                garbled = make_error(ErrorKind::infra, "kernel '" + m_run.t.label + "'",
                                     "garbled record from the guest agent");
            return;
        }
        r->kernel_source = m_run.t.source;
        m_sink.add(*r, m_programs[index], m_run);
    }
    void lost(size_t index, qemu::Loss loss, const std::string& message,
              const std::string&) override {
        if (index >= m_programs.size())
            return;
        auto r = judge::generated_loss(m_programs[index],
                                       loss == qemu::Loss::crash ? record::Verdict::crash
                                                                 : record::Verdict::timeout,
                                       message, m_run.release, m_kv, m_bound);
        r.kernel_source = m_run.t.source;
        m_sink.add(r, m_programs[index], m_run);
    }
    std::optional<Error> garbled;

  private:
    const std::vector<gen::Program>& m_programs;
    KernelRun& m_run;
    GenSink& m_sink;
    std::string m_bound;
    expect::KernelVersion m_kv;
};

} // namespace

int run_generated(int argc, char** argv) {
    std::string out_dir = "out", v, accel = "auto", inputs_dir, guest_append;
    std::vector<std::string> kernels;
    gen::Bound bound;
    int verbose = 0;
    size_t limit = 0;
    unsigned jobs = std::max(1u, std::thread::hardware_concurrency());
    double boot_timeout = 180, prog_timeout = 120;
    Args args(argc, argv);
    while (!args.done()) {
        if (args.flag("--generated")) {
        } else if (args.option("--bound", v)) {
            if (auto e = gen::parse_bound(v, bound); !e.empty())
                throw UsageError{"--bound: " + e};
        } else if (args.option("--out", v)) {
            out_dir = v;
        } else if (args.option("--inputs", v)) {
            inputs_dir = v;
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
        } else if (args.option("--limit", v)) {
            limit = std::strtoul(v.c_str(), nullptr, 10);
        } else if (args.flag("-v")) {
            verbose = 1;
        } else {
            throw UsageError{"with --generated: unknown argument '" + args.peek() +
                             "' (options: --bound, --inputs, --kernel, --jobs, --accel, --timeout, "
                             "--boot-timeout, --guest-append, --out, --limit (host only), -v)"};
        }
    }
    auto resolved = resolve_kernels(kernels, verbose > 0);
    if (!resolved)
        return report_error(resolved.error(), false);
    std::vector<KernelRun> runs;
    for (auto& t : *resolved) {
        KernelRun k;
        k.t = t;
        k.error = t.error;
        k.error_exit = t.error_exit;
        if (k.error)
            report_error(*k.error, false);
        runs.push_back(std::move(k));
    }
    auto t_start = Clock::now();
    // --inputs DIR: the programs fuzz inputs decode to, instead of a bound.
    std::vector<gen::Program> programs;
    std::vector<std::pair<std::string, std::string>> input_files; // guest path, host path
    if (!inputs_dir.empty()) {
        auto in = read_inputs(inputs_dir);
        if (!in)
            return report_error(in.error(), false);
        for (const auto& i : *in) {
            programs.push_back(i.program);
            input_files.emplace_back("cases/inputs/" + i.name, inputs_dir + "/" + i.name);
        }
    } else {
        programs = gen::enumerate_all(bound);
    }
    double gen_secs = since(t_start);

    std::error_code ec;
    fs::create_directories(out_dir, ec);
    GenSink sink;
    sink.verbose = verbose;
    if (auto r = sink.writer.open(out_dir + "/results.jsonl"); !r)
        return report_error(r.error(), false);
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);

    // Guests: the agent enumerates the same bound itself.
    std::vector<KernelRun*> guests, hosts;
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
        std::vector<std::string> images;
        for (auto* g : guests)
            images.push_back(g->t.image);
        auto plan = inputs_dir.empty() ? qemu::Plan::for_generated(bound.text())
                                       : qemu::Plan::for_inputs("/cases/inputs", inputs_dir);
        auto p = prepare_guests(out_dir, plan, input_files, images, gopts, accel == "auto", verbose,
                                g_stop);
        if (!p)
            return report_error(p.error(), false);
        initrd = *p;
    }
    auto worker = [&](size_t i) {
        KernelRun& k = *guests[i];
        qemu::GuestKernel gk = guest_kernel(out_dir, k.t.label, k.t.image);
        GenListener listener(programs, k, sink, bound.text());
        auto g = qemu::run_guest(gk, initrd, programs.size(), gopts, scanner, listener, g_stop);
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
        KernelRun& k = *kp;
        auto raw = load::RawLoader::open();
        if (!raw) {
            k.error = raw.error();
            k.error_exit = 2;
            report_error(raw.error(), false);
            continue;
        }
        // The kernel log during each load (load/kmsg.hpp), as in `run`.
        auto kmsg = load::KmsgWatcher::open(SplatPatterns::builtin());
        if (!kmsg.available()) {
            if (load::kmsg_required()) {
                k.error = load::kmsg_unavailable_error(kmsg);
                k.error_exit = 2;
                report_error(*k.error, false);
                continue;
            }
            warn(load::kmsg_unavailable_warning(kmsg));
        }
        struct utsname u {};
        uname(&u);
        k.release = u.release;
        auto kv = expect::parse_release(k.release);
        auto t0 = Clock::now();
        for (size_t i = 0; i < programs.size(); i++) {
            const auto& p = programs[i];
            if (g_stop || (limit && k.total >= limit))
                break;
            kmsg.begin();
            auto t1 = Clock::now();
            auto o = raw->load(gen::emit_bpf(p));
            k.load_secs += since(t1);
            auto check = kmsg.end();
            load::apply_kmsg(check, o.result, o.log);
            auto r = judge::generated_record(p, o, k.release, kv ? *kv : expect::KernelVersion{},
                                             bound.text());
            load::apply_kmsg(check, r);
            if (auto u = check.unchecked(); !u.empty())
                r.unchecked.push_back(u);
            if (!inputs_dir.empty())
                r.file = input_files[i].second;
            r.kernel_source = "host";
            sink.add(r, p, k);
        }
        k.secs = since(t0);
    }
    for (auto& th : threads)
        th.join();
    sink.writer.close();
    if (sink.write_error)
        return report_error(*sink.write_error, false);

    int rc = 0;
    if (inputs_dir.empty())
        std::printf("generated corpus: %zu programs (%s), enumerated in %.2f s\n", programs.size(),
                    bound.text().c_str(), gen_secs);
    else
        std::printf("generated corpus: %zu programs (fuzz inputs in %s), decoded in %.2f s\n",
                    programs.size(), inputs_dir.c_str(), gen_secs);
    for (const auto& k : runs) {
        std::string head = k.t.label + (k.release.empty() ? "" : " (" + k.release + ")");
        if (k.error && !k.total) {
            std::printf("%s: not judged: %s\n", head.c_str(), k.error->message().c_str());
            rc = std::max(rc, k.error_exit);
            continue;
        }
        std::printf("%s: %zu programs: %zu matched the model, %zu disagreements (accept %zu, "
                    "reject %zu, unsupported %zu, load_error %zu, crash %zu, timeout %zu) in "
                    "%.2f s, %.0f verdicts/s",
                    head.c_str(), k.total, k.matched, k.total - k.matched, k.by_verdict[0],
                    k.by_verdict[1], k.by_verdict[2], k.by_verdict[3], k.by_verdict[4],
                    k.by_verdict[5], k.secs, k.secs > 0 ? k.total / k.secs : 0.0);
        if (k.load_secs > 0)
            std::printf(" (%.0f/s in bpf_prog_load alone)", k.total / k.load_secs);
        std::printf("\n");
        if (k.error) {
            std::printf("%s: stopped early: %s\n", head.c_str(), k.error->message().c_str());
            rc = std::max(rc, k.error_exit);
        }
        if (!k.classes.empty()) {
            rc = std::max(rc, 1);
            std::printf("  disagreements by class (model reason -> kernel verdict: message), "
                        "with the shortest program of each:\n");
            for (const auto& [key, c] : k.classes)
                std::printf("  %5zu  %s\n         e.g. %s  [%s]\n         %s\n", c.count,
                            key.c_str(), c.minimal.text().c_str(), c.minimal.name().c_str(),
                            c.detail.c_str());
        }
    }
    // Differential view: programs whose verdict differs between kernels.
    size_t judged_kernels = 0;
    for (const auto& k : runs)
        judged_kernels += k.total > 0;
    if (judged_kernels > 1) {
        std::map<std::string, std::pair<size_t, std::string>> diffs; // signature -> count, example
        size_t differing = 0;
        for (const auto& [prog, by_kernel] : sink.verdicts) {
            bool differ = false;
            for (const auto& [kname, vv] : by_kernel)
                differ |= vv != by_kernel.begin()->second;
            if (!differ)
                continue;
            differing++;
            std::string sig;
            for (const auto& [kname, vv] : by_kernel)
                sig += (sig.empty() ? "" : ", ") + kname + "=" + record::to_string(vv);
            auto& d = diffs[sig];
            if (d.first++ == 0)
                d.second = prog;
        }
        std::printf("programs whose verdict differs between kernels: %zu of %zu\n", differing,
                    sink.verdicts.size());
        for (const auto& [sig, d] : diffs)
            std::printf("  %6zu  %s  (e.g. %s)\n", d.first, sig.c_str(), d.second.c_str());
    }
    std::printf("total wall time: %.1f s; results: %s/results.jsonl\n", since(t_start),
                out_dir.c_str());
    if (g_stop)
        return report_error(
            make_error(ErrorKind::infra, "run", "interrupted",
                       "the records judged so far are in " + out_dir + "/results.jsonl"),
            false);
    return rc;
}

} // namespace iterconf::cli
