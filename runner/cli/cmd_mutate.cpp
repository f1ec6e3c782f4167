// iterconf mutate: the suite's detection power. Each mutant of the catalogue
// (mutate/mutate.hpp) is applied to a work copy of a kernel source tree,
// compiled (an object identical to the baseline's is an equivalent mutant),
// built incrementally, booted, and judged by the suite's stages in order,
// stopping at the first detection. The report says, per mutant, whether and
// how it was killed, and the mutation score.
#include "cli/common.hpp"
#include "config/manifest.hpp"
#include "mutate/mutate.hpp"
#include "record/json.hpp"
#include "record/record.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace iterconf::cli {

namespace {

constexpr const char* k_usage = R"(usage: iterconf mutate [options]

Measures what the suite catches. Each mutant of the catalogue is a one-line
change to the kernel's iterator code; it is applied to a work copy of the
kernel source, compiled, built incrementally, booted under QEMU and judged
by the suite's stages in order, stopping at the first that detects it:

  cases       the hand-written case programs
  inputs      the fuzz seeds (--generated --inputs fuzz/corpus/fuzz_protocol)
  bounds      the bounds corpus (--bounds-corpus fuzz/corpus/fuzz_iter_bounds)
  generated   the whole generated corpus (--generated)

A mutant whose object file (strip-debug, and its BTF when pahole is there)
is identical to the baseline's is `equivalent (identical object code)` and
is not built; one that does not compile is a `build-failure`. Before any
mutant the unmutated (baseline) kernel is built and must pass every stage.

options:
  --catalogue FILE     the mutants (default: images/mutants.toml of the
                       iterconf source checkout this binary was built from,
                       $ITERCONF_SOURCE_DIR to override)
  --source SRC         debian-src:X.Y (the linux-source-X.Y package, via
                       'iterconf kernels source') or a kernel source DIR
                       (default: debian-src:7.2); never modified: it is
                       copied once to <cache>/mutate/<name>/src
  --only ID,...        only these mutants (repeatable)
  --jobs N             make -jN for kernel builds (default 2)
  --seed-build DIR     when the work tree has no build yet, start it from a
                       copy of DIR, an O= build of the same source (its
                       recorded source path is rewritten to the work copy's,
                       so the first build is incremental, not cold)
  --out DIR            report and per-stage runs (default: out/mutate)
  --allow-missing      a mutant whose line is not found exactly once is
                       `not-applicable` instead of an error
  --stages LIST        which stages, in order (default
                       cases,inputs,bounds,generated)
  --run-arg ARG        one more argument for every 'iterconf run'
                       (repeatable), e.g. --run-arg=--timeout=60
  --merge DIR          build and run nothing: one report (stdout, --out)
                       from the mutants.jsonl and summary.json of earlier
                       campaigns (repeatable), e.g. lanes run side by side
                       with --only and ITERCONF_CACHE_DIRs of their own; a
                       survivor's outcome in a later DIR (a follow-up run
                       with more --stages) replaces the earlier one
  --min-score PCT      exit 1 when the mutation score is below PCT
  --format FMT         stdout: table (default), json (mutants.jsonl lines
                       and a summary line), markdown
  -v                   print the commands and per-stage results
  -h, --help           this text

Files: <out>/mutants.jsonl (one line per mutant, written as it finishes),
<out>/mutants.md, <out>/<id>/<stage>/ (that stage's run), <out>/<id>/*.log
(builds), <out>/baseline/. The work tree is <cache>/mutate/<name>/ (src,
build, baseline objects, state); a mutant left applied by an interrupted
campaign is reverted by the next one.

score = killed / (all - equivalent - build failures - not applicable);
a mutant whose stage failed twice with no failed record and no kernel
trouble on its console (a harness error) is `error`, outside the score

exit: 0 the campaign ran (whatever the score); 1 --min-score not met; 2 a
harness error: bad options or catalogue, a mutant that does not match
(without --allow-missing), a baseline that does not build or pass, an
interrupted campaign (the mutant is reverted; finished mutants stay in
mutants.jsonl).
)";

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
}

std::atomic<bool> g_interrupted{false};
void on_signal(int) {
    g_interrupted = true;
}

struct HarnessError {
    Error error;
};
[[noreturn]] void fail(Error e) {
    throw HarnessError{std::move(e)};
}
template <typename T> T take(Result<T> r) {
    if (!r)
        fail(r.take_error());
    return std::move(*r);
}
void take(Result<void> r) {
    if (!r)
        fail(r.take_error());
}

std::vector<std::string> split_commas(const std::string& s) {
    std::vector<std::string> out;
    std::stringstream ss(s);
    for (std::string item; std::getline(ss, item, ',');)
        if (!item.empty())
            out.push_back(item);
    return out;
}

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string last_line(const std::string& text) {
    auto lines = split_lines(text);
    for (auto it = lines.rbegin(); it != lines.rend(); ++it)
        if (!mutate::trim(*it).empty())
            return std::string(mutate::trim(*it));
    return "";
}

// The first line that looks like a compiler or make error, else the last.
std::string error_line(const std::string& log) {
    for (auto l : split_lines(log))
        if (l.find("error:") != std::string_view::npos ||
            l.find("Error ") != std::string_view::npos)
            return std::string(mutate::trim(l));
    return last_line(log);
}

std::string self_exe() {
    std::error_code ec;
    std::string p = fs::read_symlink("/proc/self/exe", ec).string();
    // A binary rebuilt while a campaign runs: the new one at the same path.
    const std::string deleted = " (deleted)";
    if (p.size() > deleted.size() &&
        p.compare(p.size() - deleted.size(), deleted.size(), deleted) == 0)
        p.resize(p.size() - deleted.size());
    return ec ? self_path() : p;
}

// Runs argv with stdin from /dev/null, stdout and stderr to files (the same
// file when equal); returns the exit status, 128+signal, or -1.
int spawn(const std::vector<std::string>& argv_s, const std::string& out_path,
          const std::string& err_path, int verbose) {
    if (verbose) {
        std::string line;
        for (const auto& a : argv_s)
            line += (line.empty() ? "" : " ") + shell_quote(a);
        std::fprintf(stderr, "iterconf: mutate: $ %s\n", line.c_str());
    }
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int in = ::open("/dev/null", O_RDONLY);
        int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int err = err_path == out_path
                      ? out
                      : ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (in < 0 || out < 0 || err < 0)
            _exit(127);
        dup2(in, 0);
        dup2(out, 1);
        dup2(err, 2);
        std::vector<char*> argv;
        for (const auto& a : argv_s)
            argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        execvp(argv[0], argv.data());
        std::fprintf(stderr, "cannot run %s: %s\n", argv[0], std::strerror(errno));
        _exit(127);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
}

// `iterconf kernels ...`, or $ITERCONF_MUTATE_KERNELS (a stand-in with the
// same contract, for testing the driver before `kernels build` exists).
std::vector<std::string> kernels_command() {
    if (const char* k = std::getenv("ITERCONF_MUTATE_KERNELS"); k && *k)
        return {k};
    return {self_exe(), "kernels"};
}

struct Stage {
    std::string name;
    std::vector<std::string> args; // for `iterconf run`
};

Stage stage_of(const std::string& name) {
    std::string fuzz = source_dir() + "/fuzz/corpus/";
    if (name == "cases")
        return {name, {}};
    if (name == "inputs")
        return {name, {"--generated", "--inputs", fuzz + "fuzz_protocol"}};
    if (name == "bounds")
        return {name, {"--bounds-corpus", fuzz + "fuzz_iter_bounds"}};
    if (name == "generated")
        return {name, {"--generated"}};
    throw UsageError{"--stages: unknown stage '" + name + "' (cases, inputs, bounds, generated)"};
}

struct Killer {
    std::string stage, program, how, detail;
};

struct Outcome {
    const mutate::Mutant* m = nullptr;
    std::string status;      // killed | survived | build-failure | equivalent | not-applicable
    std::string equivalence; // "identical object code" | "argued"
    std::optional<Killer> killer;
    std::string note; // build error, catalogue error, not-applicable reason
    double build_s = 0, suite_s = 0;

    std::string status_text() const {
        return status == "equivalent" ? "equivalent (" + equivalence + ")" : status;
    }
};

std::string json_str(const std::string& s) {
    return record::json_quote(s);
}

std::string to_json(const Outcome& o) {
    char num[64];
    std::string j = "{\"id\":" + json_str(o.m->id) + ",\"file\":" + json_str(o.m->file) +
                    ",\"function\":" + json_str(o.m->function) +
                    ",\"area\":" + json_str(o.m->area) + ",\"status\":" + json_str(o.status);
    if (!o.equivalence.empty())
        j += ",\"equivalence\":" + json_str(o.equivalence);
    if (o.killer)
        j += ",\"killer\":{\"stage\":" + json_str(o.killer->stage) +
             ",\"program\":" + json_str(o.killer->program) + ",\"how\":" + json_str(o.killer->how) +
             ",\"detail\":" + json_str(o.killer->detail) + "}";
    if (!o.note.empty())
        j += ",\"note\":" + json_str(o.note);
    std::snprintf(num, sizeof(num), ",\"build_s\":%.1f,\"suite_s\":%.1f", o.build_s, o.suite_s);
    j += num;
    j += ",\"what\":" + json_str(o.m->what);
    if (!o.m->equivalent.empty())
        j += ",\"equivalent_argument\":" + json_str(o.m->equivalent);
    if (!o.m->survives.empty())
        j += ",\"survives_argument\":" + json_str(o.m->survives);
    return j + "}";
}

// How a failed record says the mutant was detected.
Killer killer_of(const std::string& stage, const record::Record& r) {
    using record::Verdict;
    Killer k{stage, r.id(), "", ""};
    if (r.verdict == Verdict::crash) {
        k.how = "crash/WARN";
        k.detail = r.message.empty() ? r.reason : r.message;
    } else if (r.verdict == Verdict::timeout) {
        k.how = "timeout";
        k.detail = r.message.empty() ? r.reason : r.message;
    } else if (!r.known_bug.empty()) {
        k.how = "known bug no longer reproduces";
        k.detail = r.known_bug;
    } else if (r.verdict != r.expected) {
        k.how = "verdict";
        k.detail = std::string("expected ") + record::to_string(r.expected) + ", got " +
                   record::to_string(r.verdict) + (r.message.empty() ? "" : ": " + r.message);
    } else if (r.reason.find("leak") != std::string::npos) {
        k.how = "leak";
        k.detail = r.reason;
    } else if (stage == "bounds") {
        k.how = "runtime walk";
        k.detail = r.reason;
    } else {
        k.how = "message";
        k.detail = r.reason.empty() ? r.message : r.reason;
        if (!r.reason.empty() && !r.message.empty())
            k.detail += "; the kernel said: " + r.message;
    }
    return k;
}

struct Options {
    std::string catalogue, source = "debian-src:7.2", out = "out/mutate", format = "table";
    std::string seed_build;
    std::vector<std::string> only, stages = {"cases", "inputs", "bounds", "generated"}, run_args;
    std::vector<std::string> merge; // --merge DIR: report only, from earlier campaigns
    unsigned jobs = 2;
    bool allow_missing = false;
    double min_score = -1;
    int verbose = 0;
};

class Campaign {
  public:
    explicit Campaign(Options o) : m_o(std::move(o)) {}
    int run();
    // --merge: one report from the mutants.jsonl of earlier campaigns (lanes
    // run side by side with --only, or a campaign resumed in parts).
    int merge();

  private:
    void resolve_source();
    void prepare_work_tree(const std::vector<mutate::Mutant>& ms);
    void seed_build();
    std::string build_kernel(const std::string& log, double& seconds);
    // 0 passed every stage, 1 detected (killer set); the seconds spent.
    int run_stages(const std::string& bz, const std::string& dir, std::optional<Killer>& killer,
                   double& seconds, std::string& error);
    std::string object_of(const std::string& file) const {
        return file.substr(0, file.size() - 2) + ".o";
    }
    // The comparable form of an object: strip-debug, then its BTF if pahole
    // is there. Empty when the object is missing.
    std::string fingerprint(const std::string& obj, const std::string& tmp);
    Outcome mutant(const mutate::Mutant& m);
    void write_reports(const std::vector<Outcome>& outs, double wall, bool final_);

    Options m_o;
    std::vector<Stage> m_stages;
    std::string m_pristine, m_name, m_work, m_src, m_build, m_state, m_baseline_dir;
    std::vector<std::string> m_kernels;
    double m_baseline_build = 0, m_baseline_suite = 0;
    // --merge: how the wall time was made up (the runs' sum and count)
    std::string m_wall_note;
    bool m_have_pahole = false;
};

void Campaign::resolve_source() {
    const std::string& s = m_o.source;
    if (s.rfind("debian-src:", 0) == 0) {
        std::string out, err;
        auto argv = m_kernels;
        argv.insert(argv.end(), {"source", s});
        if (m_o.verbose)
            std::fprintf(stderr, "iterconf: mutate: %s source %s\n", argv[0].c_str(), s.c_str());
        int rc = run_capture(argv, out, err);
        if (rc != 0)
            fail(make_error(ErrorKind::infra, "source '" + s + "'",
                            "'kernels source' failed (exit " + std::to_string(rc) +
                                "): " + printable(last_line(err)),
                            "see 'iterconf kernels --help'"));
        m_pristine = last_line(out);
        m_name = s;
        std::replace(m_name.begin(), m_name.end(), ':', '-');
    } else {
        std::error_code ec;
        m_pristine = fs::canonical(s, ec).string();
        if (ec || !fs::is_directory(m_pristine))
            throw UsageError{"--source: '" + s + "' is neither debian-src:X.Y nor a directory"};
        m_name = "dir-" + fs::path(m_pristine).filename().string() + "-" +
                 std::to_string(std::hash<std::string>{}(m_pristine) % 100000000);
    }
    if (!fs::exists(m_pristine + "/Makefile") || !fs::exists(m_pristine + "/kernel/bpf"))
        fail(make_error(ErrorKind::input, "source '" + s + "'",
                        "'" + m_pristine +
                            "' is not a kernel source tree (no Makefile or "
                            "kernel/bpf)"));
}

// <cache>/mutate/<name>/src: a copy of the pristine tree, made once. A
// mutant left applied is reverted; a copy that no longer holds every
// mutant's original line is made again.
void Campaign::prepare_work_tree(const std::vector<mutate::Mutant>& ms) {
    m_work = config::cache_dir() + "/mutate/" + m_name;
    std::error_code ec;
    fs::create_directories(m_work, ec);
    if (ec)
        fail(make_error(ErrorKind::io, m_work, "cannot create: " + ec.message()));
    // kbuild records the real path of the source: so do we.
    m_work = fs::canonical(m_work, ec).string();
    m_src = m_work + "/src";
    m_build = m_work + "/build";
    m_state = m_work + "/state";
    m_baseline_dir = m_work + "/baseline";
    // One campaign per work tree at a time (released when the process ends).
    int lock = ::open((m_work + "/lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (lock < 0 || flock(lock, LOCK_EX | LOCK_NB) != 0)
        fail(make_error(ErrorKind::infra, m_work, "another 'iterconf mutate' uses this work tree",
                        "wait for it to finish"));
    // The copy is of one pristine tree: another (a new Debian release under
    // the same name, another DIR) starts the work tree again.
    std::string stamp = m_pristine + "\n" + slurp(m_pristine + "/Makefile").substr(0, 200);
    if (fs::exists(m_src) && slurp(m_work + "/pristine") != stamp) {
        std::fprintf(stderr, "iterconf: mutate: %s was copied from another tree; starting again\n",
                     m_src.c_str());
        take(mutate::revert_applied(m_src, m_state));
        fs::remove_all(m_src, ec);
        fs::remove_all(m_build, ec);
    }
    if (fs::exists(m_src)) {
        auto r = take(mutate::revert_applied(m_src, m_state));
        if (r)
            std::fprintf(stderr, "iterconf: mutate: reverted mutant '%s' left applied in %s\n",
                         r->c_str(), m_src.c_str());
        bool pristine = true;
        for (const auto& m : ms)
            if (!mutate::match_in(m_src, m).ok())
                pristine = false;
        if (!pristine) {
            std::fprintf(stderr, "iterconf: mutate: %s differs from %s; copying the source again\n",
                         m_src.c_str(), m_pristine.c_str());
            fs::remove_all(m_src, ec);
        }
    }
    if (!fs::exists(m_src)) {
        std::string tmp = m_src + ".tmp";
        fs::remove_all(tmp, ec);
        std::fprintf(stderr, "iterconf: mutate: copying %s to %s\n", m_pristine.c_str(),
                     m_src.c_str());
        std::string out, err;
        if (run_capture({"cp", "-a", m_pristine, tmp}, out, err) != 0)
            fail(make_error(ErrorKind::io, tmp, "cp -a failed: " + printable(last_line(err))));
        fs::rename(tmp, m_src, ec);
        if (ec)
            fail(make_error(ErrorKind::io, m_src, "cannot rename: " + ec.message()));
        take(mutate::replace_file(m_work + "/pristine", stamp));
    }
    seed_build();
}

// kbuild writes the absolute source path into every command it records
// (<build>/**/.*.cmd: -I flags, -fmacro-prefix-map, the dependency lists),
// and tools/ (objtool) also the build directory's, so an O= directory
// moved to another source tree or place rebuilds everything (every object
// depends on the objtool binary).
// Rewriting that path in the recorded commands makes the copy's first build
// incremental; `Makefile` and `source` are written again by make.
void Campaign::seed_build() {
    if (m_o.seed_build.empty() || fs::exists(m_build))
        return;
    std::error_code ec;
    std::string seed = fs::canonical(m_o.seed_build, ec).string();
    if (ec || !fs::exists(seed + "/.config"))
        fail(make_error(ErrorKind::input, "--seed-build '" + m_o.seed_build + "'",
                        "not a kernel build directory (no .config)"));
    std::string old_src = fs::canonical(seed + "/source", ec).string();
    if (ec)
        fail(make_error(ErrorKind::input, "--seed-build '" + m_o.seed_build + "'",
                        "has no 'source' link to its kernel tree",
                        "give an O= directory that make has used"));
    std::string tmp = m_build + ".tmp";
    fs::remove_all(tmp, ec);
    std::fprintf(stderr, "iterconf: mutate: seeding %s from %s (source %s -> %s)\n",
                 m_build.c_str(), seed.c_str(), old_src.c_str(), m_src.c_str());
    std::string out, err;
    if (run_capture({"cp", "-a", seed, tmp}, out, err) != 0)
        fail(make_error(ErrorKind::io, tmp, "cp -a failed: " + printable(last_line(err))));
    size_t rewritten = 0;
    for (auto it = fs::recursive_directory_iterator(tmp, ec);
         it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (ec)
            break;
        std::string name = it->path().filename().string();
        auto ends = [&](const char* suf) {
            size_t n = std::strlen(suf);
            return name.size() > n && name.compare(name.size() - n, n, suf) == 0;
        };
        if (!(ends(".cmd") || ends(".d")) || !it->is_regular_file())
            continue;
        std::string text = slurp(it->path().string());
        if (text.find(old_src) == std::string::npos && text.find(seed) == std::string::npos)
            continue;
        // tools/ (objtool, which every object depends on) records the
        // build directory's absolute path too.
        std::string fixed = text;
        for (auto [from, to] : {std::pair{old_src, m_src}, std::pair{seed, m_build}}) {
            std::string next;
            size_t at = 0;
            for (size_t n; (n = fixed.find(from, at)) != std::string::npos; at = n + from.size())
                next += fixed.substr(at, n - at) + to;
            next += fixed.substr(at);
            fixed = std::move(next);
        }
        // Keep the file's time: make compares it with its target's.
        auto t = fs::last_write_time(it->path(), ec);
        take(mutate::replace_file(it->path().string(), fixed));
        fs::last_write_time(it->path(), t, ec);
        rewritten++;
    }
    fs::remove(tmp + "/source", ec);
    fs::remove(tmp + "/Makefile", ec);
    fs::rename(tmp, m_build, ec);
    if (ec)
        fail(make_error(ErrorKind::io, m_build, "cannot rename: " + ec.message()));
    if (m_o.verbose)
        std::fprintf(stderr, "iterconf: mutate: %zu recorded commands rewritten\n", rewritten);
}

std::string Campaign::build_kernel(const std::string& log, double& seconds) {
    auto t0 = Clock::now();
    auto argv = m_kernels;
    argv.insert(argv.end(), {"build", m_src, "--out", m_build, "--jobs", std::to_string(m_o.jobs)});
    int rc = spawn(argv, log + ".out", log, m_o.verbose);
    seconds += since(t0);
    if (rc != 0)
        return "";
    std::string bz = last_line(slurp(log + ".out"));
    return fs::exists(bz) ? bz : "";
}

// The first kernel-trouble line (panic, oops, BUG, WARNING) of a stage's
// console logs, or "".
std::string console_splat(const std::string& out) {
    std::error_code ec;
    for (const auto& e : fs::recursive_directory_iterator(out + "/console", ec)) {
        if (!e.is_regular_file())
            continue;
        std::string text = slurp(e.path().string());
        for (auto l : split_lines(text))
            for (const char* w :
                 {"Kernel panic", "BUG:", "Oops:", "WARNING:", "general protection"})
                if (l.find(w) != std::string_view::npos)
                    return std::string(mutate::trim(l));
    }
    return "";
}

// The first "iterconf: error:" line of a run's stderr, else its last line.
std::string first_error(const std::string& text) {
    for (auto l : split_lines(text))
        if (l.rfind("iterconf: error:", 0) == 0)
            return std::string(l);
    return last_line(text);
}

int Campaign::run_stages(const std::string& bz, const std::string& dir,
                         std::optional<Killer>& killer, double& seconds, std::string& error) {
    bool retried = false;
    for (size_t i = 0; i < m_stages.size(); ++i) {
        const auto& st = m_stages[i];
        if (g_interrupted)
            return 2;
        std::string out = dir + "/" + st.name;
        std::error_code ec;
        fs::remove_all(out, ec);
        fs::create_directories(out, ec);
        std::vector<std::string> argv = {self_exe(), "run", "--kernel", bz, "--jobs", "1"};
        argv.insert(argv.end(), st.args.begin(), st.args.end());
        argv.insert(argv.end(), m_o.run_args.begin(), m_o.run_args.end());
        argv.insert(argv.end(), {"--fail-fast", "--out", out, "--json"});
        auto t0 = Clock::now();
        int rc = spawn(argv, out + "/stdout.jsonl", out + "/stderr.log", m_o.verbose);
        double s = since(t0);
        seconds += s;
        if (m_o.verbose)
            std::fprintf(stderr, "iterconf: mutate: stage %s: exit %d in %.1f s\n", st.name.c_str(),
                         rc, s);
        if (g_interrupted)
            return 2;
        if (rc == 0)
            continue;
        // The first failed record says how.
        auto recs = record::read_jsonl(out + "/results.jsonl");
        if (recs)
            for (const auto& r : *recs)
                if (r.failed()) {
                    killer = killer_of(st.name, r);
                    return 1;
                }
        // No failed record: the run itself failed. A kernel that panics,
        // oopses or warns on its console (at boot, or with no program in
        // flight) is detected. Anything else (a case file that does not
        // build, a boot that timed out on a loaded machine) says nothing
        // about the mutant: the stage runs once more, and a second such
        // failure is a harness error for this mutant, never a kill.
        std::string text = slurp(out + "/stderr.log");
        std::string splat = console_splat(out);
        if (!splat.empty()) {
            killer = Killer{st.name, "-", "crash/WARN", splat};
            return 1;
        }
        if (!retried) {
            retried = true;
            if (m_o.verbose)
                std::fprintf(stderr,
                             "iterconf: mutate: stage %s failed with no record (%s); once more\n",
                             st.name.c_str(), first_error(text).c_str());
            --i;
            continue;
        }
        error = st.name + ": exit " + std::to_string(rc) +
                " twice with no failed record: " + first_error(text);
        return 3;
    }
    return 0;
}

std::string Campaign::fingerprint(const std::string& obj, const std::string& tmp) {
    if (!fs::exists(obj))
        return "";
    std::string out, err;
    if (run_capture({"objcopy", "--strip-debug", obj, tmp}, out, err) != 0)
        fail(make_error(ErrorKind::infra, obj, "objcopy --strip-debug failed: " + last_line(err),
                        "install binutils"));
    std::string fp = slurp(tmp);
    if (m_have_pahole) {
        std::string btf = tmp + ".btf";
        if (run_capture({"pahole", "-J", "--btf_encode_detached=" + btf, obj}, out, err) == 0)
            fp += "\n--btf--\n" + slurp(btf);
        else
            fp += "\n--btf failed--\n";
    }
    std::error_code ec;
    fs::remove(tmp, ec);
    return fp;
}

Outcome Campaign::mutant(const mutate::Mutant& m) {
    Outcome o;
    o.m = &m;
    std::string dir = m_o.out + "/" + m.id;
    std::error_code ec;
    fs::remove_all(dir, ec);
    fs::create_directories(dir, ec);
    take(mutate::apply(m_src, m, m_state));
    struct Reverter {
        Campaign* c;
        ~Reverter() {
            auto r = mutate::revert_applied(c->m_src, c->m_state);
            if (!r)
                std::fprintf(stderr, "iterconf: error: %s\n", r.error().message().c_str());
        }
    } reverter{this};

    bool is_c = m.file.size() > 2 && m.file.compare(m.file.size() - 2, 2, ".c") == 0;
    if (is_c) {
        // Trivial compiler equivalence: the mutated file's object against
        // the baseline's.
        auto t0 = Clock::now();
        std::string obj = object_of(m.file);
        int rc = spawn({"make", "-C", m_src, "O=" + m_build, "ARCH=x86_64",
                        "-j" + std::to_string(m_o.jobs), obj},
                       dir + "/object.log", dir + "/object.log", m_o.verbose);
        o.build_s += since(t0);
        if (g_interrupted)
            return o;
        if (rc != 0) {
            o.status = "build-failure";
            o.note = error_line(slurp(dir + "/object.log"));
            return o;
        }
        std::string base = slurp(m_baseline_dir + "/" + obj + ".fp");
        std::string now = fingerprint(m_build + "/" + obj, dir + "/object.stripped.o");
        // File-scope lines may be declarations whose types only the debug
        // information (and so the kernel's BTF) carries: those need the
        // whole object identical.
        bool same = !base.empty() && base == now;
        if (same && m.function == "-")
            same = slurp(m_baseline_dir + "/" + obj) == slurp(m_build + "/" + obj);
        if (same) {
            o.status = "equivalent";
            o.equivalence = "identical object code";
            return o;
        }
    }
    std::string bz = build_kernel(dir + "/build.log", o.build_s);
    if (g_interrupted)
        return o;
    if (bz.empty()) {
        o.status = "build-failure";
        o.note = error_line(slurp(dir + "/build.log"));
        return o;
    }
    std::string error;
    int rc = run_stages(bz, dir, o.killer, o.suite_s, error);
    if (g_interrupted)
        return o;
    if (rc == 3) {
        o.status = "error";
        o.note = error;
    } else if (rc == 1) {
        o.status = "killed";
        if (!m.equivalent.empty())
            o.note = "catalogue error: argued equivalent, but the suite kills it";
        else if (!m.survives.empty())
            o.note = "catalogue error: argued to survive, but the suite kills it (drop 'survives')";
    } else if (!m.equivalent.empty()) {
        o.status = "equivalent";
        o.equivalence = "argued";
    } else {
        o.status = "survived";
    }
    return o;
}

using mutate::Score;
using mutate::score_line;

Score score_of(const std::vector<Outcome>& outs) {
    Score s;
    for (const auto& o : outs)
        s.add(o.status);
    return s;
}

std::string killer_text(const Outcome& o) {
    if (o.killer)
        return o.killer->stage + " " + o.killer->program + ": " + o.killer->how +
               (o.killer->detail.empty() ? "" : " (" + o.killer->detail + ")");
    return o.note.empty() ? "-" : o.note;
}

std::string md_cell(std::string s) {
    std::string out;
    for (char c : s)
        out += c == '|' ? std::string("\\|") : std::string(1, c);
    return out;
}

std::string to_markdown(const std::vector<Outcome>& outs, const Options& opt, double wall,
                        double bb, double bs, const std::string& wall_note) {
    std::string md = "## Mutation report: " + opt.source + "\n\n";
    md += "| mutant | file:function | status | killer (stage, program, how) | build s | suite s "
          "|\n|---|---|---|---|---:|---:|\n";
    char num[64];
    for (const auto& o : outs) {
        std::snprintf(num, sizeof(num), "%.1f | %.1f", o.build_s, o.suite_s);
        md += "| `" + o.m->id + "` | `" + o.m->file + ":" + o.m->function + "` | " +
              o.status_text() + " | " + md_cell(killer_text(o)) + " | " + num + " |\n";
    }
    Score s = score_of(outs);
    md += "\n**" + score_line(s) + "**\n\n";
    std::snprintf(num, sizeof(num), "%.0f s", wall);
    md += std::string("Campaign wall time: ") + num;
    std::snprintf(num, sizeof(num), " (baseline build %.0f s, baseline suite %.0f s)", bb, bs);
    md += std::string(num) + "." + (wall_note.empty() ? "" : " " + wall_note) + "\n";
    std::string surv, equiv;
    for (const auto& o : outs) {
        if (o.status == "survived")
            surv += "- `" + o.m->id + "` (" + o.m->file + ":" + o.m->function +
                    "): " + md_cell(o.m->what) +
                    (o.m->survives.empty() ? std::string(" — not argued: a gap in the suite")
                                           : " — why it survives: " + md_cell(o.m->survives)) +
                    "\n";
        if (o.status == "equivalent")
            equiv += "- `" + o.m->id + "` (" + o.equivalence + ")" +
                     (o.m->equivalent.empty() ? "" : ": " + md_cell(o.m->equivalent)) + "\n";
        if (!o.note.empty() && o.note.rfind("catalogue error", 0) == 0)
            surv += "- `" + o.m->id + "`: " + o.note + "\n";
        if (o.status == "error")
            surv += "- `" + o.m->id + "` not judged: " + md_cell(o.note) + "\n";
    }
    if (!surv.empty())
        md += "\n### Survivors (and catalogue errors)\n\n" + surv;
    if (!equiv.empty())
        md += "\n### Equivalent mutants\n\n" + equiv;
    return md;
}

void Campaign::write_reports(const std::vector<Outcome>& outs, double wall, bool final_) {
    {
        std::ofstream j(m_o.out + "/mutants.jsonl", std::ios::trunc);
        for (const auto& o : outs)
            j << to_json(o) << "\n";
    }
    std::ofstream(m_o.out + "/mutants.md", std::ios::trunc)
        << to_markdown(outs, m_o, wall, m_baseline_build, m_baseline_suite, m_wall_note);
    {
        char buf[256];
        std::snprintf(buf, sizeof(buf),
                      ",\"wall_s\":%.1f,\"baseline_build_s\":%.1f,\"baseline_suite_s\":%.1f}\n",
                      wall, m_baseline_build, m_baseline_suite);
        std::ofstream(m_o.out + "/summary.json", std::ios::trunc)
            << "{\"source\":" << json_str(m_o.source) << buf;
    }
    if (!final_)
        return;
    Score s = score_of(outs);
    if (m_o.format == "json") {
        for (const auto& o : outs)
            std::printf("%s\n", to_json(o).c_str());
        std::printf(
            "{\"summary\":{\"all\":%zu,\"killed\":%zu,\"survived\":%zu,\"equivalent\":%zu,"
            "\"build_failures\":%zu,\"not_applicable\":%zu,\"errors\":%zu,\"score_pct\":%.1f,"
            "\"wall_s\":%.1f}}\n",
            s.all, s.killed, s.survived, s.equivalent, s.build_failures, s.not_applicable, s.errors,
            s.pct(), wall);
    } else if (m_o.format == "markdown") {
        std::fputs(
            to_markdown(outs, m_o, wall, m_baseline_build, m_baseline_suite, m_wall_note).c_str(),
            stdout);
    } else {
        std::printf("%-28s %-40s %-34s %7s %7s  %s\n", "MUTANT", "FILE:FUNCTION", "STATUS", "BUILD",
                    "SUITE", "KILLER");
        for (const auto& o : outs) {
            std::string where = fs::path(o.m->file).filename().string() + ":" + o.m->function;
            std::printf("%-28s %-40s %-34s %6.1fs %6.1fs  %s\n", o.m->id.c_str(), where.c_str(),
                        o.status_text().c_str(), o.build_s, o.suite_s, killer_text(o).c_str());
        }
        std::printf("%s\n", score_line(s).c_str());
        std::printf(
            "campaign wall time: %.0f s (baseline build %.0f s, baseline suite %.0f s)%s%s\n", wall,
            m_baseline_build, m_baseline_suite, m_wall_note.empty() ? "" : " ",
            m_wall_note.c_str());
        std::printf("report: %s/mutants.jsonl, %s/mutants.md\n", m_o.out.c_str(), m_o.out.c_str());
    }
}

int Campaign::run() {
    auto t_start = Clock::now();
    for (const auto& s : m_o.stages)
        m_stages.push_back(stage_of(s));
    m_kernels = kernels_command();
    if (m_o.catalogue.empty())
        m_o.catalogue = source_dir() + "/images/mutants.toml";
    auto all = take(mutate::read_catalogue(m_o.catalogue));
    std::vector<mutate::Mutant> ms;
    for (const auto& id : m_o.only)
        if (std::none_of(all.begin(), all.end(), [&](auto& m) { return m.id == id; }))
            throw UsageError{"--only: no mutant '" + id + "' in " + m_o.catalogue};
    for (const auto& m : all)
        if (m_o.only.empty() || std::count(m_o.only.begin(), m_o.only.end(), m.id))
            ms.push_back(m);

    resolve_source();
    // Every mutant must match the pristine tree before anything is built.
    std::vector<Outcome> outs;
    std::vector<mutate::Mutant> applicable;
    size_t missing = 0;
    for (const auto& m : ms) {
        auto r = mutate::match_in(m_pristine, m);
        if (r) {
            applicable.push_back(m);
            continue;
        }
        missing++;
        std::fprintf(stderr, "iterconf: %s: %s\n", m_o.allow_missing ? "warning" : "error",
                     r.error().message().c_str());
    }
    if (missing && !m_o.allow_missing)
        fail(make_error(ErrorKind::input, m_o.catalogue,
                        std::to_string(missing) + " of " + std::to_string(ms.size()) +
                            " mutants do not match " + m_pristine,
                        "fix the catalogue, or pass --allow-missing to report them as "
                        "not-applicable"));
    if (applicable.empty()) {
        // Nothing to build: every mutant is not-applicable.
        for (const auto& m : ms)
            outs.push_back(Outcome{&m, "not-applicable", "", std::nullopt,
                                   "the original line is not found exactly once in " + m.file, 0,
                                   0});
        std::error_code ec;
        fs::create_directories(m_o.out, ec);
        write_reports(outs, since(t_start), true);
        return 0;
    }
    m_have_pahole = [] {
        std::string out, err;
        return run_capture({"pahole", "--version"}, out, err) == 0;
    }();

    prepare_work_tree(applicable);
    std::error_code ec;
    fs::create_directories(m_o.out + "/baseline", ec);
    if (ec)
        fail(make_error(ErrorKind::io, m_o.out, "cannot create: " + ec.message()));
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);

    // The baseline: built, its objects kept, and the suite passes on it.
    std::fprintf(stderr, "iterconf: mutate: building the baseline in %s\n", m_build.c_str());
    std::string bz = build_kernel(m_o.out + "/baseline/build.log", m_baseline_build);
    if (g_interrupted)
        fail(make_error(ErrorKind::infra, "mutate", "interrupted"));
    if (bz.empty())
        fail(make_error(ErrorKind::infra, "baseline",
                        "the unmutated kernel does not build: " +
                            error_line(slurp(m_o.out + "/baseline/build.log")),
                        "see " + m_o.out + "/baseline/build.log"));
    std::fprintf(stderr, "iterconf: mutate: baseline built in %.0f s: %s\n", m_baseline_build,
                 bz.c_str());
    for (const auto& m : applicable) {
        if (m.file.size() < 3 || m.file.compare(m.file.size() - 2, 2, ".c") != 0)
            continue;
        std::string obj = object_of(m.file);
        std::string keep = m_baseline_dir + "/" + obj;
        fs::create_directories(fs::path(keep).parent_path(), ec);
        if (!fs::exists(m_build + "/" + obj))
            fail(make_error(ErrorKind::infra, m_build + "/" + obj,
                            "the baseline build has no object for " + m.file,
                            "is it built in this configuration?"));
        fs::copy_file(m_build + "/" + obj, keep, fs::copy_options::overwrite_existing, ec);
        std::ofstream(keep + ".fp", std::ios::binary | std::ios::trunc)
            << fingerprint(keep, keep + ".stripped");
    }
    std::optional<Killer> bk;
    std::string berr;
    int brc = run_stages(bz, m_o.out + "/baseline", bk, m_baseline_suite, berr);
    if (g_interrupted)
        fail(make_error(ErrorKind::infra, "mutate", "interrupted"));
    if (brc == 3)
        fail(make_error(ErrorKind::infra, "baseline", "the baseline does not run: " + berr,
                        "see " + m_o.out + "/baseline"));
    if (brc != 0)
        fail(make_error(ErrorKind::infra, "baseline",
                        "the baseline does not pass: stage " + bk->stage + ", " + bk->program +
                            ": " + bk->how + (bk->detail.empty() ? "" : " (" + bk->detail + ")"),
                        "see " + m_o.out + "/baseline/" + bk->stage));
    std::fprintf(stderr, "iterconf: mutate: baseline passes every stage in %.0f s\n",
                 m_baseline_suite);

    // The mutants, in catalogue order.
    for (const auto& m : ms) {
        bool app = std::any_of(applicable.begin(), applicable.end(),
                               [&](auto& a) { return a.id == m.id; });
        if (!app) {
            Outcome o;
            o.m = &m;
            o.status = "not-applicable";
            o.note = "the original line is not found exactly once in " + m.file;
            outs.push_back(o);
            continue;
        }
        std::fprintf(stderr, "iterconf: mutate: [%zu/%zu] %s (%s:%s)\n", outs.size() + 1, ms.size(),
                     m.id.c_str(), m.file.c_str(), m.function.c_str());
        Outcome o = mutant(m);
        if (g_interrupted) {
            write_reports(outs, since(t_start), false);
            fail(make_error(ErrorKind::infra, "mutate",
                            "interrupted during mutant '" + m.id + "' (reverted)",
                            "the finished mutants are in " + m_o.out + "/mutants.jsonl"));
        }
        std::string how = o.killer ? " by " + killer_text(o) : o.note.empty() ? "" : ": " + o.note;
        std::fprintf(stderr, "iterconf: mutate: %s: %s%s (build %.1f s, suite %.1f s)\n",
                     m.id.c_str(), o.status_text().c_str(), how.c_str(), o.build_s, o.suite_s);
        if (!o.note.empty() && o.note.rfind("catalogue error", 0) == 0)
            std::fprintf(stderr, "iterconf: warning: %s: mutant '%s': %s\n", m.where.c_str(),
                         m.id.c_str(), o.note.c_str());
        // A stable copy of the mutant for the report (ms outlives outs).
        o.m = &m;
        outs.push_back(o);
        write_reports(outs, since(t_start), false);
    }
    double wall = since(t_start);
    write_reports(outs, wall, true);
    Score s = score_of(outs);
    if (m_o.min_score >= 0 && s.pct() < m_o.min_score) {
        std::fprintf(stderr, "iterconf: mutate: score %.1f%% is below --min-score %.1f%%\n",
                     s.pct(), m_o.min_score);
        return 1;
    }
    return 0;
}

} // namespace

namespace {
std::string str_of(const record::json::Object& o, const char* key) {
    auto it = o.find(key);
    const std::string* s = it == o.end() ? nullptr : it->second.as_string();
    return s ? *s : "";
}
double num_of(const record::json::Object& o, const char* key) {
    auto it = o.find(key);
    const double* d = it == o.end() ? nullptr : it->second.as_number();
    return d ? *d : 0;
}
} // namespace

int Campaign::merge() {
    if (m_o.catalogue.empty())
        m_o.catalogue = source_dir() + "/images/mutants.toml";
    auto all = take(mutate::read_catalogue(m_o.catalogue));
    std::map<std::string, const mutate::Mutant*> by_id;
    for (const auto& m : all)
        by_id[m.id] = &m;
    std::map<std::string, Outcome> got;
    double wall = 0, wall_sum = 0;
    for (const auto& dir : m_o.merge) {
        std::string path = dir + "/mutants.jsonl";
        std::ifstream in(path);
        if (!in)
            fail(make_error(ErrorKind::input, path, "cannot be read",
                            "give the --out directory of an earlier 'iterconf mutate'"));
        std::string line;
        for (size_t n = 1; std::getline(in, line); ++n) {
            if (line.empty())
                continue;
            std::string where = path + ":" + std::to_string(n);
            auto v = record::json::parse(line);
            const record::json::Object* o = v ? v->as_object() : nullptr;
            if (!o || str_of(*o, "id").empty() || str_of(*o, "status").empty())
                fail(make_error(ErrorKind::input, where, "not a mutant line (id, status)",
                                "give the --out directory of an earlier 'iterconf mutate'"));
            std::string id = str_of(*o, "id");
            auto it = by_id.find(id);
            if (it == by_id.end())
                fail(make_error(ErrorKind::input, where,
                                "mutant '" + id + "' is not in " + m_o.catalogue,
                                "give the campaign's catalogue with --catalogue"));
            // A mutant that survived may be run again by a follow-up campaign
            // (e.g. with more --stages); its later outcome counts.
            if (got.count(id) && got[id].status != "survived" && got[id].status != "error")
                fail(make_error(
                    ErrorKind::input, where,
                    "mutant '" + id + "' is also in an earlier --merge directory, as " +
                        got[id].status_text(),
                    "merge each campaign once; only a survivor or an error may be run again"));
            Outcome oc;
            oc.m = it->second;
            oc.status = str_of(*o, "status");
            oc.equivalence = str_of(*o, "equivalence");
            oc.note = str_of(*o, "note");
            oc.build_s = num_of(*o, "build_s");
            oc.suite_s = num_of(*o, "suite_s");
            auto k = o->find("killer");
            if (k != o->end() && k->second.as_object()) {
                const auto& ko = *k->second.as_object();
                oc.killer = Killer{str_of(ko, "stage"), str_of(ko, "program"), str_of(ko, "how"),
                                   str_of(ko, "detail")};
            }
            // Campaigns before harness errors were told apart named a run that
            // failed with no record a "guest failed" kill: not evidence.
            if (oc.status == "killed" && oc.killer && oc.killer->how == "guest failed") {
                oc.status = "error";
                oc.note = oc.killer->stage + ": " + oc.killer->detail;
                oc.killer.reset();
            }
            got[id] = oc;
        }
        // Campaigns merged ran side by side: the wall time is the longest,
        // the baseline figures the largest.
        std::ifstream sj(dir + "/summary.json");
        std::stringstream text;
        text << sj.rdbuf();
        auto sv = record::json::parse(text.str());
        double w = 0, bb = 0, bs = 0;
        if (sv && sv->as_object()) {
            const auto& so = *sv->as_object();
            w = num_of(so, "wall_s");
            bb = num_of(so, "baseline_build_s");
            bs = num_of(so, "baseline_suite_s");
            if (m_o.source == "debian-src:7.2" && !str_of(so, "source").empty())
                m_o.source = str_of(so, "source");
        } else {
            // Campaigns from before summary.json: the figures of mutants.md.
            std::ifstream md(dir + "/mutants.md");
            std::string l;
            bool found = false;
            while (!found && std::getline(md, l))
                found = std::sscanf(l.c_str(),
                                    "Campaign wall time: %lf s (baseline build %lf s, baseline "
                                    "suite %lf s)",
                                    &w, &bb, &bs) == 3;
            if (!found)
                fail(make_error(ErrorKind::input, dir + "/summary.json",
                                "missing or not JSON, and mutants.md names no wall time",
                                "merge campaigns that ran"));
        }
        wall = std::max(wall, w);
        wall_sum += w;
        m_baseline_build = std::max(m_baseline_build, bb);
        m_baseline_suite = std::max(m_baseline_suite, bs);
    }
    std::vector<Outcome> outs;
    for (const auto& m : all)
        if (got.count(m.id))
            outs.push_back(got[m.id]);
    if (m_o.merge.size() > 1) {
        char note[160];
        std::snprintf(note, sizeof(note),
                      "Merged from %zu runs: the longest took %.0f s, all together %.0f s (runs "
                      "side by side overlap; runs one after another add up).",
                      m_o.merge.size(), wall, wall_sum);
        m_wall_note = note;
    }
    std::error_code ec;
    fs::create_directories(m_o.out, ec);
    write_reports(outs, wall, true);
    if (outs.size() < all.size())
        std::fprintf(stderr,
                     "iterconf: mutate: the merged campaigns ran %zu of the %zu mutants of %s\n",
                     outs.size(), all.size(), m_o.catalogue.c_str());
    Score s = score_of(outs);
    if (m_o.min_score >= 0 && s.pct() < m_o.min_score) {
        std::fprintf(stderr, "iterconf: mutate: score %.1f%% is below --min-score %.1f%%\n",
                     s.pct(), m_o.min_score);
        return 1;
    }
    return 0;
}

int cmd_mutate(int argc, char** argv) {
    Options o;
    Args args(argc, argv);
    std::string v;
    while (!args.done()) {
        if (args.flag("-h", "--help")) {
            std::fputs(k_usage, stdout);
            return 0;
        } else if (args.option("--catalogue", v)) {
            o.catalogue = v;
        } else if (args.option("--source", v)) {
            o.source = v;
        } else if (args.option("--only", v)) {
            for (auto& id : split_commas(v))
                o.only.push_back(id);
        } else if (args.option("--jobs", "-j", v)) {
            char* end = nullptr;
            long n = std::strtol(v.c_str(), &end, 10);
            if (v.empty() || *end || n < 1)
                throw UsageError{"--jobs takes a number >= 1, not '" + v + "'"};
            o.jobs = static_cast<unsigned>(n);
        } else if (args.option("--out", v)) {
            o.out = v;
        } else if (args.option("--seed-build", v)) {
            o.seed_build = v;
        } else if (args.flag("--allow-missing")) {
            o.allow_missing = true;
        } else if (args.option("--stages", v)) {
            o.stages = split_commas(v);
            if (o.stages.empty())
                throw UsageError{"--stages needs at least one stage"};
        } else if (args.option("--merge", v)) {
            o.merge.push_back(v);
        } else if (args.option("--run-arg", v)) {
            o.run_args.push_back(v);
        } else if (args.option("--min-score", v)) {
            char* end = nullptr;
            double d = std::strtod(v.c_str(), &end);
            if (v.empty() || *end || d < 0 || d > 100)
                throw UsageError{"--min-score takes a percentage 0-100, not '" + v + "'"};
            o.min_score = d;
        } else if (args.option("--format", v)) {
            if (v != "table" && v != "json" && v != "markdown")
                throw UsageError{"--format takes table, json or markdown, not '" + v + "'"};
            o.format = v;
        } else if (args.flag("--json")) {
            o.format = "json";
        } else if (args.flag("-v")) {
            o.verbose = 1;
        } else {
            throw UsageError{"unknown argument '" + args.peek() + "'"};
        }
    }
    for (const auto& s : o.stages)
        stage_of(s); // a bad name is a usage error before anything runs
    try {
        return o.merge.empty() ? Campaign(o).run() : Campaign(o).merge();
    } catch (const HarnessError& e) {
        return report_error(e.error, false);
    }
}

} // namespace iterconf::cli
