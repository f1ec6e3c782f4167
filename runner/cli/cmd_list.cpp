// iterconf list: every case program with its expectation.
#include "cli/common.hpp"
#include "judge/judge.hpp"
#include "record/record.hpp"

#include <cstdio>

namespace iterconf::cli {

namespace {

constexpr const char* k_usage = R"(usage: iterconf list [options]

Lists every program of the selected cases with its expectation.

options:
  --cases PATH           .bpf.c / .bpf.o file or directory (repeatable)
  -I, --include DIR      extra include directory for compiling .bpf.c cases
  -a, --allow, --filter GLOB / -d, --deny GLOB   select programs by id
  --kernel-version X.Y   show the expectation on that kernel version
  --out DIR              where compiled objects go (default: out)
  --json                 one JSON object per program
)";

std::string verdict_text(const expect::ProgramSpec& s) {
    std::string t = s.success.value_or(true) ? "success" : "failure";
    if (!s.success)
        t += " (default)";
    for (const auto& kv : s.kver_verdicts)
        t += std::string(", ") + (kv.success ? "success" : "failure") + " on " + kv.range.text;
    return t;
}

} // namespace

int cmd_list(int argc, char** argv) {
    std::string v, kver;
    CaseSelection sel;
    bool json = false;
    Args args(argc, argv);
    while (!args.done()) {
        if (args.flag("-h", "--help")) {
            std::fputs(k_usage, stdout);
            return 0;
        } else if (sel.parse(args)) {
        } else if (args.option("--kernel-version", v)) {
            kver = v;
        } else if (args.flag("--json")) {
            json = true;
        } else {
            throw UsageError{"unknown argument '" + args.peek() + "'"};
        }
    }
    std::optional<expect::KernelVersion> kv;
    if (!kver.empty()) {
        auto p = expect::parse_release(kver);
        if (!p)
            return report_error(make_error(ErrorKind::usage, "--kernel-version", p.error().what,
                                           "write X.Y or X.Y.Z"),
                                json);
        kv = *p;
    }
    auto loaded = load_cases(sel.cases, CompileOptions{.include_dirs = sel.includes,
                                                       .defines = sel.defines,
                                                       .out_dir = sel.out_dir});
    if (!loaded)
        return report_error(loaded.error(), json);
    size_t n = 0;
    for (const auto& o : *loaded) {
        for (const auto& p : o.programs) {
            if (!selected(o.id, p.name, sel.allow, sel.deny))
                continue;
            n++;
            std::string kf;
            std::vector<std::string> msgs, kfs;
            for (const auto& k : p.kfuncs) {
                kfs.push_back(k.name);
                kf += (kf.empty() ? "" : ",") + k.name;
            }
            std::string verdict = verdict_text(p.spec);
            std::vector<const expect::MsgPattern*> shown;
            if (kv) {
                auto e = expect::resolve(p.spec, *kv);
                verdict = e.success ? "success" : "failure";
                shown = e.msgs;
            } else {
                for (const auto& m : p.spec.msgs)
                    shown.push_back(&m);
            }
            for (const auto* m : shown)
                msgs.push_back((m->negative ? "not: " : "") +
                               (m->range ? "[" + m->range->text + "] " : "") + m->text);
            if (p.spec.auxiliary)
                verdict = "auxiliary";
            // What a host run leaves unchecked (a guest checks __retval and
            // the unprivileged pass).
            auto unchecked = judge::unchecked_entries(p.spec, judge::Place::host);
            if (json) {
                std::string line = "{\"id\":" + record::json_quote(o.id + "/" + p.name) +
                                   ",\"file\":" + record::json_quote(o.display) +
                                   ",\"section\":" + record::json_quote(p.section) +
                                   ",\"description\":" + record::json_quote(p.spec.description) +
                                   ",\"expect\":" + record::json_quote(verdict) + ",\"msgs\":[";
                for (size_t i = 0; i < msgs.size(); i++)
                    line += (i ? "," : "") + record::json_quote(msgs[i]);
                line += "],\"kfuncs\":[";
                for (size_t i = 0; i < kfs.size(); i++)
                    line += (i ? "," : "") + record::json_quote(kfs[i]);
                line += "],\"unchecked\":[";
                for (size_t i = 0; i < unchecked.size(); i++)
                    line += (i ? "," : "") + record::json_quote(unchecked[i]);
                line += "]}\n";
                std::fputs(line.c_str(), stdout);
                continue;
            }
            std::printf("%s/%s\n", o.id.c_str(), p.name.c_str());
            std::printf("    section: %s   expect: %s\n", p.section.c_str(), verdict.c_str());
            if (!p.spec.description.empty())
                std::printf("    description: %s\n", p.spec.description.c_str());
            for (const auto& m : msgs)
                std::printf("    msg: %s\n", m.c_str());
            if (!kf.empty())
                std::printf("    kfuncs: %s\n", kf.c_str());
            if (!p.spec.archs.empty()) {
                std::string a;
                for (const auto& x : p.spec.archs)
                    a += (a.empty() ? "" : ",") + x;
                std::printf("    arch: %s\n", a.c_str());
            }
            if (p.spec.retval)
                std::printf("    retval: %s\n", p.spec.retval->text.c_str());
            if (p.spec.unpriv.wanted) {
                auto u = expect::unpriv_spec(p.spec);
                std::string line = u.success.value_or(true) ? "success" : "failure";
                if (u.retval)
                    line += ", retval " + u.retval->text;
                if (p.spec.unpriv.caps)
                    line += ", caps 0x" + [&] {
                        char b[20];
                        std::snprintf(b, sizeof(b), "%llx",
                                      static_cast<unsigned long long>(p.spec.unpriv.caps));
                        return std::string(b);
                    }();
                std::printf("    unpriv: %s\n", line.c_str());
                for (const auto& m : p.spec.unpriv.msgs)
                    std::printf("    unpriv msg: %s%s\n", m.negative ? "not: " : "",
                                m.text.c_str());
            }
            for (const auto& u : unchecked)
                std::printf("    unchecked on host: %s\n", u.c_str());
        }
    }
    if (!json)
        std::printf("%zu programs in %zu cases\n", n, loaded->size());
    return 0;
}

} // namespace iterconf::cli
