#include "cli/generated.hpp"

#include "cli/common.hpp"
#include "expect/kver.hpp"
#include "expect/spec.hpp"
#include "gen/emit_bpf.hpp"
#include "gen/emit_c.hpp"
#include "gen/enumerate.hpp"
#include "judge/judge.hpp"
#include "load/raw_load.hpp"
#include "model/model.hpp"
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
#include <sys/utsname.h>

namespace fs = std::filesystem;

namespace iterconf::cli {

namespace {

constexpr const char* k_gen_usage = R"(usage: iterconf gen --out DIR [options]

Writes every program of the model up to the bound, each with the reference
model's prediction, deterministically (the same bound gives the same files).

options:
  --out DIR              output directory (required)
  --bound B              ops=N,depth=N,slots=1|2,tasks=0|1,wheres=0|1
                         (default ops=3,depth=2,slots=1,tasks=1,wheres=1)
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

int run_generated(int argc, char** argv) {
    std::string out_dir = "out", v;
    std::vector<std::string> kernels;
    gen::Bound bound;
    int verbose = 0;
    size_t limit = 0;
    Args args(argc, argv);
    while (!args.done()) {
        if (args.flag("--generated")) {
        } else if (args.option("--bound", v)) {
            if (auto e = gen::parse_bound(v, bound); !e.empty())
                throw UsageError{"--bound: " + e};
        } else if (args.option("--out", v)) {
            out_dir = v;
        } else if (args.option("--kernel", v)) {
            kernels.push_back(v);
        } else if (args.option("--limit", v)) {
            limit = std::strtoul(v.c_str(), nullptr, 10);
        } else if (args.flag("-v")) {
            verbose = 1;
        } else {
            throw UsageError{"with --generated: unknown argument '" + args.peek() +
                             "' (options: --bound, --kernel host, --out, --limit, -v)"};
        }
    }
    for (const auto& k : kernels)
        if (k != "host")
            return report_error(make_error(ErrorKind::usage, "kernel '" + k + "'",
                                           "--generated judges only on the running kernel in "
                                           "this version",
                                           "use --kernel host"),
                                false);
    auto raw = load::RawLoader::open();
    if (!raw)
        return report_error(raw.error(), false);
    struct utsname u {};
    uname(&u);
    std::string release = u.release;
    auto kv = expect::parse_release(release);
    if (!kv)
        return report_error(kv.error(), false);
    model::KernelFeatures kf;
    model::KernelFeatures::from_release(release, kf);

    std::error_code ec;
    fs::create_directories(out_dir, ec);
    record::JsonlWriter writer;
    if (auto r = writer.open(out_dir + "/results.jsonl"); !r)
        return report_error(r.error(), false);
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);

    struct Class {
        size_t count = 0;
        gen::Program minimal;
        size_t minimal_size = SIZE_MAX;
        std::string detail;
    };
    std::map<std::string, Class> classes;
    std::vector<record::Record> sample;
    size_t total = 0, matched = 0, by_verdict[6] = {};
    double load_secs = 0;
    auto t0 = Clock::now();
    gen::enumerate(bound, [&](const gen::Program& p) {
        if (g_stop || (limit && total >= limit))
            return false;
        auto bp = gen::emit_bpf(p);
        auto t1 = Clock::now();
        auto o = raw->load(bp);
        load_secs += since(t1);
        auto e = model::expect(p, kf);
        record::Record r;
        r.case_id = "generated";
        r.program = p.name();
        r.file = "iterconf gen --bound=" + bound.text();
        r.description = p.text();
        r.kernel = release;
        r.kernel_source = "host";
        r.verdict = o.result.verdict;
        r.message = o.result.message;
        r.missing_kfuncs = o.missing_kfuncs;
        r.insns_processed = o.insns_processed;
        r.load_us = o.load_us;
        r.log_tail = load::tail_lines(o.log, 20);
        expect::ProgramSpec spec;
        spec.name = p.name();
        spec.success = e.accept;
        for (const auto& m : e.msgs)
            if (auto c = expect::compile_pattern(m); c)
                spec.msgs.push_back(*c);
        judge::judge(r, spec, *kv, o.log);
        if (auto w = writer.write(r); !w) {
            g_stop = true;
            return false;
        }
        total++;
        by_verdict[static_cast<int>(r.verdict)]++;
        if (r.match) {
            matched++;
        } else {
            std::string key = std::string(model::to_string(e.reason)) + " -> " +
                              record::to_string(r.verdict) +
                              (r.message.empty() ? "" : ": " + shape(r.message));
            auto& c = classes[key];
            c.count++;
            size_t sz = size_of(p.ops);
            if (sz < c.minimal_size ||
                (sz == c.minimal_size && p.text().size() < c.minimal.text().size())) {
                c.minimal = p;
                c.minimal_size = sz;
                c.detail = r.reason;
            }
            if (verbose)
                std::fprintf(stderr, "iterconf: host: %s %s: %s\n", p.name().c_str(),
                             p.text().c_str(), r.reason.c_str());
        }
        return true;
    });
    double secs = since(t0);
    writer.close();
    std::printf("generated (%s) on host (%s): %zu programs: %zu matched the model, %zu "
                "disagreements (accept %zu, reject %zu, unsupported %zu, load_error %zu) in "
                "%.2f s, %.0f verdicts/s (%.0f/s in bpf_prog_load alone)\n",
                bound.text().c_str(), release.c_str(), total, matched, total - matched,
                by_verdict[0], by_verdict[1], by_verdict[2], by_verdict[3], secs,
                secs > 0 ? total / secs : 0.0, load_secs > 0 ? total / load_secs : 0.0);
    if (!classes.empty()) {
        std::printf("\ndisagreements by class (model reason -> kernel verdict: message), with "
                    "the shortest program of each:\n");
        for (const auto& [key, c] : classes)
            std::printf("  %5zu  %s\n         e.g. %s  [%s]\n         %s\n", c.count, key.c_str(),
                        c.minimal.text().c_str(), c.minimal.name().c_str(), c.detail.c_str());
    }
    std::printf("results: %s/results.jsonl\n", out_dir.c_str());
    if (g_stop)
        return report_error(
            make_error(ErrorKind::infra, "run", "interrupted",
                       "the records judged so far are in " + out_dir + "/results.jsonl"),
            false);
    return classes.empty() ? 0 : 1;
}

} // namespace iterconf::cli
