// fuzz_protocol: structure-aware fuzzing of the verifier's
// iterator protocol checks against the reference model.
//
// Each input decodes (gen/decode) to a program of the generator's model, up
// to 12 ops nested 3 deep (beyond the enumerator's default bound), which is
// emitted as bytecode and loaded (verified only: never attached or run) on
// the running kernel. Its record is judged exactly as `iterconf run
// --generated` judges one (judge::generated_record): verdict and messages
// against model::expect() for this kernel. A finding is
//   - a disagreement on a program the model pins (unpinned predictions are
//     guesses and are not reported), or
//   - "verifier bug" / "REG INVARIANTS" in the verifier log, or a line of
//     images/console/deny.re (WARNING:, BUG:, Oops:, verifier bug, UBSAN:,
//     KASAN:, ...) in the kernel log during the load (load/kmsg.hpp, the
//     host runner's watcher; a WARNING naming another process's PID is not
//     ours).
// A finding saves the input, minimizes the program (gen/minimize) to the
// smallest one with the same disagreement class (model verdict and reason,
// kernel verdict), writes it as a case file (contract 1) whose annotations
// are what the kernel did, with a comment saying what the model predicted,
// under $ITERCONF_FUZZ_OUT/fuzz_protocol/findings/, and aborts.
//
// Each distinct accepted program (by Program::name()) is saved, canonically
// encoded, to .../fuzz_protocol/accepted/ (at most 2,000), for replay with
// execution in QEMU guests: `iterconf run --generated --inputs DIR`.
//
// Environment: ITERCONF_FUZZ_KMSG=0 fuzzes without watching the kernel log
// (when /dev/kmsg cannot be read); ITERCONF_FUZZ_ACCEPTED_MAX=N changes the cap;
// ITERCONF_FUZZ_INJECT=<model reason> is fault injection for the harness's
// own test (finding_test.sh): programs the model rejects for that reason
// count as disagreements, so the finding path runs on a correct kernel.
#include "common/fuzz_common.hpp"
#include "common/splat.hpp"
#include "gen/decode.hpp"
#include "gen/emit_bpf.hpp"
#include "gen/emit_c.hpp"
#include "gen/minimize.hpp"
#include "judge/generated.hpp"
#include "load/kmsg.hpp"
#include "load/raw_load.hpp"
#include "model/model.hpp"
#include "protocol/finding.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <sys/utsname.h>
#include <unistd.h>

using namespace iterconf;
namespace fs = std::filesystem;

// Pseudo-coverage of the kernel's side (no KCOV on the running kernel):
// libFuzzer counts these like its own edges, so an input that makes the
// verifier say something new (verdict x message shape, processed-insns
// bucket, model reason x kernel verdict) is kept in the corpus.
__attribute__((section("__libfuzzer_extra_counters"), used)) static uint8_t g_extra[4096];

namespace {

struct Fuzzer {
    load::RawLoader raw;
    std::string release;
    KernelVersion kv;
    model::KernelFeatures kf;
    std::optional<load::KmsgWatcher> kmsg;
    std::string out;
    std::set<std::string> accepted;
    size_t accepted_saved = 0, accepted_max = 2000;
    size_t runs = 0, by_verdict[6] = {}, unpinned = 0;
    std::string inject; // ITERCONF_FUZZ_INJECT
};

Fuzzer* g_f = nullptr;

void bump(size_t i) {
    uint8_t& c = g_extra[i % sizeof(g_extra)];
    if (c < 255)
        c++;
}

uint32_t hash(const std::string& s) {
    uint32_t h = 2166136261u;
    for (unsigned char c : s)
        h = (h ^ c) * 16777619u;
    return h;
}

// The kernel-log line of a load that is a finding, or "". The watcher
// (load/kmsg.hpp) judges lines with images/console/deny.re, like the host
// runner; here a report whose first WARNING/BUG line names another
// process's PID is not ours (it is printed and skipped: a false finding
// would end the campaign).
std::string kmsg_finding(const load::KmsgCheck& c) {
    if (c.crashed() && c.pid >= 0 && c.pid != ::getpid()) {
        std::fprintf(stderr, "fuzz_protocol: kernel log, another process: %s\n",
                     c.hits.front().line.c_str());
        return "";
    }
    if (c.crashed())
        return c.hits.front().line;
    if (c.status == load::KmsgCheck::Status::overrun)
        std::fprintf(stderr,
                     "fuzz_protocol: warning: the kernel log overran during a load (%llu records "
                     "lost): a WARN there would be missed\n",
                     static_cast<unsigned long long>(c.lost));
    return "";
}

std::string log_bug(const std::string& log) {
    for (const char* pat : {"verifier bug", "REG INVARIANTS"}) {
        size_t p = log.find(pat);
        if (p == std::string::npos)
            continue;
        size_t a = log.rfind('\n', p), b = log.find('\n', p);
        return log.substr(a == std::string::npos ? 0 : a + 1,
                          b == std::string::npos ? std::string::npos : b - a - 1);
    }
    return "";
}

void finish(const Fuzzer& f, protocol::Judged& j);

protocol::Judged judge_program(Fuzzer& f, const gen::Program& p) {
    protocol::Judged j;
    j.e = model::expect(p, f.kf);
    auto bp = gen::emit_bpf(p);
    // When the model predicts accept, load without a verifier log first
    // (formatting it is a third of the kernel's time): an accepted program
    // is then judged as it would be with the log, which only a rejection
    // needs. Anything else is loaded (again) with the log.
    load::RawOutcome o;
    if (j.e.accept)
        o = f.raw.load(bp, load::RawOptions{.log_size = 0});
    if (!j.e.accept || o.result.verdict != record::Verdict::accept)
        o = f.raw.load(bp);
    j.log_bug = log_bug(o.log);
    // The verifier stops at the first error, so the model's messages are at
    // the end of the log: judge on its last lines first (regex search over a
    // whole log is most of our own time), and on the whole log only when that
    // does not match. The model's patterns are all positive (no __not_msg):
    // a match on a tail is a match on the log, so the verdict
    // is the same as judging the whole log straight away.
    constexpr size_t k_tail = 4096;
    if (o.log.size() > k_tail) {
        std::string full = std::move(o.log);
        size_t cut = full.find('\n', full.size() - k_tail);
        o.log = full.substr(cut == std::string::npos ? full.size() - k_tail : cut + 1);
        j.r = judge::generated_record(p, o, f.release, f.kv, "fuzz_protocol");
        if (j.r.match) {
            finish(f, j);
            return j;
        }
        o.log = std::move(full);
    }
    j.r = judge::generated_record(p, o, f.release, f.kv, "fuzz_protocol");
    finish(f, j);
    return j;
}

// Whether j is a disagreement, and its class.
void finish(const Fuzzer& f, protocol::Judged& j) {
    j.disagree = j.e.pinned && !j.r.match;
    if (!f.inject.empty() && !j.e.accept && f.inject == model::to_string(j.e.reason))
        j.disagree = true;
    j.cls = protocol::class_of(j);
}

void save(const std::string& path, const std::vector<uint8_t>& bytes) {
    std::ofstream(path, std::ios::binary | std::ios::trunc)
        .write(reinterpret_cast<const char*>(bytes.data()), static_cast<long>(bytes.size()));
}

[[noreturn]] void report(Fuzzer& f, const gen::Program& p, const uint8_t* data, size_t size,
                         const protocol::Judged& j, const std::string& kmsg_line) {
    std::string dir = f.out + "/findings";
    std::error_code ec;
    fs::create_directories(dir, ec);
    std::string base = dir + "/" + p.name();
    save(base + ".input", std::vector<uint8_t>(data, data + size));
    protocol::Finding fd;
    fd.original = p;
    fd.minimal = p;
    fd.judged = j;
    fd.kmsg_line = kmsg_line;
    fd.release = f.release;
    fd.input = base + ".input";
    // A kernel log warning is not minimized: WARN_ONCE fires once per boot.
    if (kmsg_line.empty()) {
        gen::MinimizeStats st;
        fd.minimal = gen::minimize(
            p,
            [&](const gen::Program& c) {
                auto jc = judge_program(f, c);
                return jc.cls == j.cls && (j.disagree ? jc.disagree : !jc.log_bug.empty());
            },
            &st);
        fd.tries = st.tries;
        fd.judged = judge_program(f, fd.minimal);
    }
    std::string cpath = dir + "/" + protocol::case_name(fd) + ".bpf.c";
    std::ofstream(cpath, std::ios::trunc) << protocol::case_text(fd);
    save(dir + "/" + fd.minimal.name() + ".min", gen::encode(fd.minimal));
    std::fprintf(stderr,
                 "fuzz_protocol: FINDING on %s: %s\n  program: %s\n  minimized (%zu -> %zu ops, "
                 "%zu loads): %s\n  case: %s\n  input: %s, minimized input: %s/%s.min\n",
                 f.release.c_str(), protocol::summary(fd).c_str(), p.text().c_str(),
                 gen::op_count(p.ops), gen::op_count(fd.minimal.ops), fd.tries,
                 fd.minimal.text().c_str(), cpath.c_str(), fd.input.c_str(), dir.c_str(),
                 fd.minimal.name().c_str());
    std::fflush(nullptr);
    std::abort();
}

void print_stats() {
    if (!g_f)
        return;
    const Fuzzer& f = *g_f;
    std::fprintf(stderr,
                 "fuzz_protocol: %zu programs loaded on %s: %zu accepted, %zu rejected, %zu "
                 "unsupported, %zu load_error; %zu unpinned; %zu distinct accepted saved to "
                 "%s/accepted\n",
                 f.runs, f.release.c_str(), f.by_verdict[0], f.by_verdict[1], f.by_verdict[2],
                 f.by_verdict[3], f.unpinned, f.accepted_saved, f.out.c_str());
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    bool not_permitted = false;
    auto raw = load::RawLoader::open(&not_permitted);
    if (!raw) {
        if (not_permitted) // by type: an unreadable kernel BTF is an error, not a skip
            fuzz::skip("host", raw.error().message());
        std::fprintf(stderr, "iterconf: error: %s\n", raw.error().message().c_str());
        std::exit(2);
    }
    auto* f = new Fuzzer{std::move(*raw)};
    struct utsname u {};
    uname(&u);
    f->release = u.release;
    auto kv = parse_release(f->release);
    if (!kv) {
        std::fprintf(stderr,
                     "iterconf: error: kernel '%s': release not understood by the model; run "
                     "on a kernel with an X.Y.Z release\n",
                     f->release.c_str());
        std::exit(2);
    }
    f->kv = *kv;
    f->kf = model::KernelFeatures::from_version(*kv);
    const char* km = std::getenv("ITERCONF_FUZZ_KMSG");
    if (!km || std::string(km) != "0") {
        f->kmsg.emplace(load::KmsgWatcher::open(SplatPatterns::builtin(), "/dev/kmsg"));
        if (!f->kmsg->available()) {
            std::fprintf(stderr,
                         "iterconf: error: kernel log: %s; run as root, or set "
                         "ITERCONF_FUZZ_KMSG=0 to fuzz without watching it\n",
                         f->kmsg->why().c_str());
            std::exit(2);
        }
    }
    if (const char* inj = std::getenv("ITERCONF_FUZZ_INJECT"))
        f->inject = inj;
    if (const char* m = std::getenv("ITERCONF_FUZZ_ACCEPTED_MAX"))
        f->accepted_max = std::strtoul(m, nullptr, 10);
    f->out = fuzz::out_dir("fuzz_protocol");
    std::error_code ec;
    fs::create_directories(f->out + "/accepted", ec);
    for (const auto& e : fs::directory_iterator(f->out + "/accepted", ec)) {
        f->accepted.insert(e.path().filename().string());
        f->accepted_saved++;
    }
    g_f = f;
    std::atexit(print_stats);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    Fuzzer& f = *g_f;
    gen::Program p = gen::decode(data, size);
    if (auto e = p.validate(); !e.empty()) {
        std::fprintf(stderr, "fuzz_protocol: decoder bug: invalid program (%s): %s\n", e.c_str(),
                     p.text().c_str());
        std::abort();
    }
    if (f.kmsg)
        f.kmsg->begin();
    auto j = judge_program(f, p);
    std::string kline = f.kmsg ? kmsg_finding(f.kmsg->end()) : "";
    f.runs++;
    f.by_verdict[static_cast<int>(j.r.verdict)]++;
    f.unpinned += !j.e.pinned;
    bump(hash(std::string(record::to_string(j.r.verdict)) + j.r.message));
    bump(1024 + static_cast<size_t>(j.e.reason) * 8 + static_cast<size_t>(j.r.verdict));
    int64_t insns = j.r.insns_processed;
    int bucket = 0;
    while (insns > 1 && bucket < 31) {
        insns >>= 1;
        bucket++;
    }
    bump(2048 + static_cast<size_t>(bucket));
    if (j.disagree || !j.log_bug.empty() || !kline.empty())
        report(f, p, data, size, j, kline);
    if (j.r.verdict == record::Verdict::accept && f.accepted_saved < f.accepted_max) {
        std::string name = p.name();
        if (f.accepted.insert(name).second) {
            save(f.out + "/accepted/" + name, gen::encode(p));
            f.accepted_saved++;
        }
    }
    return 0;
}
