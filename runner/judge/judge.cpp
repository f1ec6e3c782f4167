#include "judge/judge.hpp"

#include "common/toml.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fnmatch.h>
#include <fstream>
#include <sstream>

namespace iterconf::judge {

using record::Verdict;

void judge(record::Record& r, const expect::ProgramSpec& spec, const expect::KernelVersion& k,
           const std::string& log) {
    auto exp = expect::resolve(spec, k);
    r.expected_msgs.clear();
    r.reason.clear();
    for (const auto* m : exp.msgs)
        r.expected_msgs.push_back((m->negative ? "!" : "") + m->text);
    if (r.verdict == Verdict::unsupported) {
        r.expected = Verdict::unsupported;
        r.expected_msgs.clear();
    } else if (spec.unpriv_only && (r.verdict == Verdict::accept || r.verdict == Verdict::reject)) {
        // upstream runs only the unprivileged pass: either verdict will do here
        r.expected = r.verdict;
    } else {
        r.expected = exp.success ? Verdict::accept : Verdict::reject;
    }
    if (r.verdict != r.expected) {
        r.reason = std::string("expected ") + record::to_string(r.expected) + ", got " +
                   record::to_string(r.verdict);
        if (r.verdict != Verdict::accept && !r.message.empty())
            r.reason += ": " + r.message;
    } else if (r.verdict == Verdict::accept || r.verdict == Verdict::reject) {
        auto m = expect::match_log(exp.msgs, log);
        if (!m.ok) {
            const auto* p = exp.msgs[*m.failed];
            r.reason = p->negative
                           ? "message '" + p->text + "' must not appear in the log"
                           : "message '" + p->text + "' not found in the verifier log (in order)";
        }
    }
    r.match = r.reason.empty();
}

record::Record make_record(const load::CaseObject& obj, const load::CaseProgram& prog,
                           const load::LoadOutcome& outcome, const std::string& release,
                           const expect::KernelVersion& k, const std::string& kernel_source) {
    record::Record r;
    r.case_id = obj.id;
    r.program = prog.name;
    r.file = obj.display;
    r.description = prog.spec.description;
    r.kernel = release;
    r.kernel_source = kernel_source;
    r.verdict = outcome.result.verdict;
    r.message = outcome.result.message;
    r.missing_kfuncs = outcome.missing_kfuncs;
    r.insns_processed = outcome.insns_processed;
    r.load_us = outcome.load_us;
    r.log_tail = load::tail_lines(outcome.log, 20);
    judge(r, prog.spec, k, outcome.log);
    r.unchecked =
        unchecked_entries(prog.spec, kernel_source == "guest" ? Place::guest : Place::host,
                          r.expected == Verdict::accept);
    return r;
}

std::vector<std::string> unchecked_entries(const expect::ProgramSpec& spec, Place place,
                                           bool expect_success) {
    std::vector<std::string> out;
    for (const auto& k : spec.unchecked)
        out.push_back(expect::unchecked_text(k));
    if (place == Place::host) {
        if (spec.retval && expect_success)
            out.push_back("__retval (host: programs are never run on the host)");
        if (spec.leak_check && expect_success)
            out.push_back("__leak_check (host: programs are never run on the host)");
        if (spec.unpriv.wanted)
            out.push_back("__*_unpriv (host: programs are loaded unprivileged only in guests)");
    }
    return out;
}

namespace {

void add_reason(record::Record& r, const std::string& why) {
    r.reason += (r.reason.empty() ? "" : "; ") + why;
    r.match = false;
}

} // namespace

void judge_retval(record::Record& r, const expect::Retval& want, const TestRun& run,
                  const std::string& label) {
    if (r.verdict != Verdict::accept || r.expected != Verdict::accept)
        return;
    if (!run.ran) {
        r.unchecked.push_back(label + " (" + run.not_run + ")");
        return;
    }
    if (run.err) {
        add_reason(r, label + ": BPF_PROG_TEST_RUN failed: " + std::strerror(run.err));
        return;
    }
    if (run.retval != want.value) {
        std::string w = want.text;
        if (w != std::to_string(static_cast<int32_t>(want.value)))
            w += " = " + std::to_string(static_cast<int32_t>(want.value));
        add_reason(r, label + ": expected " + w + ", the program returned " +
                          std::to_string(static_cast<int32_t>(run.retval)));
    }
}

std::vector<LeakExcess> leak_excess(const LeakRun& run) {
    std::vector<LeakExcess> out;
    int64_t n = run.runs;
    auto check = [&](const char* name, int64_t before, int64_t after, int64_t limit, bool objects) {
        if (before < 0 || after < 0)
            return;
        if (after - before > limit)
            out.push_back({name, after - before, limit, objects});
    };
    check("AnonPages", run.before.anon_kib, run.after.anon_kib,
          std::max<int64_t>(8192, n * run.child_anon_kib / 4), false);
    check("Shmem", run.before.shmem_kib, run.after.shmem_kib,
          std::max<int64_t>(8192, n * run.child_file_kib / 4), false);
    check("SUnreclaim", run.before.sunreclaim_kib, run.after.sunreclaim_kib,
          std::max<int64_t>(2048, n), false);
    check("task_struct objects", run.before.task_objects, run.after.task_objects,
          std::max<int64_t>(16, n / 4), true);
    return out;
}

void judge_leak(record::Record& r, const LeakRun& run) {
    if (r.verdict != Verdict::accept || r.expected != Verdict::accept)
        return;
    if (!run.ran) {
        r.unchecked.push_back("__leak_check (" + run.not_run + ")");
        return;
    }
    if (!run.error.empty()) {
        add_reason(r, "__leak_check: " + run.error);
        return;
    }
    auto mib = [](int64_t kib) {
        char b[32];
        std::snprintf(b, sizeof(b), "%.1f MiB", static_cast<double>(kib) / 1024.0);
        return std::string(b);
    };
    std::string what;
    for (const auto& e : leak_excess(run))
        what += (what.empty() ? "" : ", ") + e.counter + " +" +
                (e.objects ? std::to_string(e.delta) : mib(e.delta)) + " (limit " +
                (e.objects ? std::to_string(e.limit) : mib(e.limit)) + ")";
    if (!what.empty())
        add_reason(r, "leak: " + what + " after " + std::to_string(run.runs) + " walks of " +
                          (run.zombie ? "zombie" : "live") + " children");
}

void merge_unpriv(record::Record& r, const record::Record& unpriv) {
    if (!unpriv.match)
        add_reason(r, "unpriv: " + unpriv.reason);
    for (const auto& u : unpriv.unchecked)
        if (std::find(r.unchecked.begin(), r.unchecked.end(), u) == r.unchecked.end())
            r.unchecked.push_back(u);
}

Result<KnownBugs> KnownBugs::load(const std::string& path, bool optional) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        if (optional && errno == ENOENT)
            return KnownBugs{};
        return make_error(ErrorKind::io, path, std::string("cannot open: ") + std::strerror(errno),
                          "pass --known-bugs FILE or --known-bugs none");
    }
    std::stringstream ss;
    ss << in.rdbuf();
    return parse(ss.str(), path);
}

Result<KnownBugs> KnownBugs::parse(const std::string& text, const std::string& file) {
    ITERCONF_TRY_ASSIGN(toml::Document doc, toml::parse(text, file));
    if (!doc.top.empty())
        return make_error(ErrorKind::input, toml::where(file, doc.top[0].line),
                          "'" + doc.top[0].key + "' is outside a [[bug]] entry",
                          "start each entry with [[bug]]");
    KnownBugs out;
    for (const auto& t : doc.tables) {
        std::string at = toml::where(file, t.line);
        if (t.name != "bug" || !t.array)
            return make_error(ErrorKind::input, at,
                              std::string("unknown table ") + (t.array ? "[[" : "[") + t.name +
                                  (t.array ? "]]" : "]"),
                              "each entry starts with [[bug]]");
        KnownBug b;
        b.where = at;
        for (const auto& p : t.pairs) {
            std::string pat = toml::where(file, p.line);
            if (p.key == "program") {
                b.program = p.value;
            } else if (p.key == "kernels") {
                auto r = expect::parse_range(p.value);
                if (!r)
                    return make_error(ErrorKind::input, pat, "'kernels': " + r.error().what,
                                      "write a range such as \">=6.12 <6.13\"");
                b.kernels = *r;
            } else if (p.key == "reason") {
                b.reason = p.value;
            } else if (p.key == "link") {
                b.link = p.value;
            } else if (p.key == "reproduces") {
                if (p.value != "always" && p.value != "sometimes")
                    return make_error(ErrorKind::input, pat, "'reproduces' is \"" + p.value + "\"",
                                      "write \"always\" (the default) or \"sometimes\"");
                b.sometimes = p.value == "sometimes";
            } else if (p.key == "divergence") {
                b.divergence = p.value;
            } else {
                return make_error(
                    ErrorKind::input, pat, "unknown key '" + p.key + "'",
                    "keys are program, kernels, reason, link, reproduces, divergence");
            }
        }
        const char* missing = b.program.empty()    ? "program"
                              : !t.find("kernels") ? "kernels"
                              : b.reason.empty()   ? "reason"
                              : b.link.empty()     ? "link"
                                                   : nullptr;
        if (missing)
            return make_error(ErrorKind::input, at,
                              std::string("[[bug]] entry has no '") + missing + "'",
                              "each entry needs program, kernels, reason and link");
        out.m_entries.push_back(std::move(b));
    }
    return out;
}

const KnownBug* KnownBugs::find(const std::string& id, const expect::KernelVersion& k) const {
    for (const auto& b : m_entries)
        if (b.divergence.empty() && fnmatch(b.program.c_str(), id.c_str(), 0) == 0 &&
            b.kernels.contains(k))
            return &b;
    return nullptr;
}

void KnownBugs::apply(record::Record& r, const expect::KernelVersion& k) const {
    apply(r, k, r.id());
}

void KnownBugs::apply(record::Record& r, const expect::KernelVersion& k,
                      const std::string& id) const {
    if (const KnownBug* b = find(id, k); b && !(b->sometimes && r.match)) {
        r.known_bug = b->reason + " (" + b->link + ")";
        return;
    }
    // Divergence entries: only a record whose verdict matched and whose
    // run violated a belief the entry names.
    if (r.divergences.empty() || r.reason.rfind("divergence: ", 0) != 0)
        return;
    for (const auto& b : m_entries) {
        if (b.divergence.empty() || fnmatch(b.program.c_str(), id.c_str(), 0) != 0 ||
            !b.kernels.contains(k))
            continue;
        for (const auto& d : r.divergences)
            if (fnmatch(b.divergence.c_str(), d.c_str(), 0) == 0) {
                r.known_bug = b.reason + " (" + b.link + ")";
                return;
            }
    }
}

} // namespace iterconf::judge
