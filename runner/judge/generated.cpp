#include "judge/generated.hpp"

#include "judge/judge.hpp"
#include "load/classify.hpp"
#include "model/model.hpp"

#include <unordered_map>

namespace iterconf::judge {

namespace {

record::Record base(const gen::Program& p, const std::string& release,
                    const std::string& bound_text) {
    record::Record r;
    r.case_id = "generated";
    r.program = p.name();
    r.file = generated_file(bound_text);
    r.description = p.text();
    r.kernel = release;
    return r;
}

// `k` is the kernel's version, read from its release once by the caller
// (common/kver: the one parser).
void judge_with_model(record::Record& r, const gen::Program& p, const KernelVersion& k,
                      const std::string& log) {
    auto e = model::expect(p, model::KernelFeatures::from_version(k));
    expect::ProgramSpec spec;
    spec.name = p.name();
    spec.success = e.accept;
    // The model's messages are a few dozen strings: compile each once per
    // thread (compiling a std::regex costs more than matching it).
    thread_local std::unordered_map<std::string, expect::MsgPattern> compiled;
    for (const auto& m : e.msgs) {
        auto it = compiled.find(m);
        if (it == compiled.end()) {
            if (compiled.size() >= 4096) // bounded, should messages ever carry numbers
                compiled.clear();
            auto c = expect::compile_pattern(m);
            if (!c)
                continue;
            it = compiled.emplace(m, std::move(*c)).first;
        }
        spec.msgs.push_back(it->second);
    }
    judge(r, spec, k, log);
}

} // namespace

std::string generated_file(const std::string& bound_text) {
    return "iterconf gen --bound=" + bound_text;
}

record::Record generated_record(const gen::Program& p, const load::RawOutcome& o,
                                const std::string& release, const expect::KernelVersion& k,
                                const std::string& bound_text) {
    record::Record r = base(p, release, bound_text);
    r.verdict = o.result.verdict;
    r.message = o.result.message;
    r.missing_kfuncs = o.missing_kfuncs;
    r.insns_processed = o.insns_processed;
    r.load_us = o.load_us;
    r.log_tail = load::tail_lines(o.log, 20);
    judge_with_model(r, p, k, o.log);
    return r;
}

void judge_beliefs(record::Record& r, const gen::Program& p, const gen::Beliefs& embedded,
                   const load::RawOutcome& ran) {
    auto fail = [&](const std::string& what) {
        r.divergences.push_back(what);
        if (r.match) {
            r.match = false;
            r.reason = "divergence: " + what;
        }
    };
    // The oracle must have run: an accepted program that did not is not a
    // pass (the harness, not the kernel, is at fault, so not a divergence).
    auto not_run = [&](const std::string& why) {
        if (r.match) {
            r.match = false;
            r.reason = "not executed: " + why;
        }
    };
    if (ran.result.verdict != record::Verdict::accept) {
        fail("with its beliefs embedded the program was " +
             std::string(record::to_string(ran.result.verdict)) +
             (ran.result.message.empty() ? "" : ": " + ran.result.message));
        return;
    }
    if (!ran.oracle_error.empty() || !ran.ran || ran.runs < 0) {
        not_run(ran.oracle_error.empty() ? "the program was not run" : ran.oracle_error);
        return;
    }
    r.executed = ran.runs;
    if (ran.runs == 0) {
        not_run("attached, but the program never ran");
        return;
    }
    auto ops = gen::preorder(p);
    size_t checks = 0, reached = 0;
    for (size_t i = 0; i < ops.size() && i < ran.violations.size(); i++) {
        gen::Belief b = embedded.of(i);
        if (b == gen::Belief::null || b == gen::Belief::nonnull) {
            checks++;
            reached += i < ran.reached.size() && ran.reached[i] > 0;
        }
        if (ran.violations[i] == 0)
            continue;
        fail(ops[i].where + ": believed " + gen::to_string(b) + ", violated " +
             std::to_string(ran.violations[i]) + " times in " + std::to_string(ran.runs) + " runs");
    }
    if (checks > 0 && reached == 0)
        r.unchecked.push_back("embedded beliefs (none of the " + std::to_string(checks) +
                              " checked points was reached in " + std::to_string(ran.runs) +
                              " runs)");
}

record::Record generated_loss(const gen::Program& p, record::Verdict v, const std::string& message,
                              const std::string& release, const expect::KernelVersion& k,
                              const std::string& bound_text) {
    record::Record r = base(p, release, bound_text);
    r.verdict = v;
    r.message = message;
    judge_with_model(r, p, k, "");
    return r;
}

} // namespace iterconf::judge
