// The cases workload of `iterconf run`: every selected program of the case
// objects (contract 1), judged against its annotations and the known-bugs
// list; the report is a table (or a programs x kernels matrix), each
// failure with its log and a reproduce line.
#include "cli/workloads.hpp"
#include "config/assets.hpp"
#include "judge/judge.hpp"
#include "load/kmsg.hpp"
#include "load/loader.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <unistd.h>

namespace iterconf::cli {

namespace {

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
std::string matrix(const std::vector<Item>& plan, const std::vector<KernelResult>& runs,
                   const std::vector<record::Record>& records, bool color) {
    std::vector<const KernelResult*> cols;
    for (const auto& r : runs)
        if (!r.error || !r.entries.empty())
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
        w.push_back(std::max<size_t>(9, c->kernel.label.size()));
        out += "  " + pad(c->kernel.label, w.back());
    }
    out += "\n";
    for (const auto& it : plan) {
        out += pad(it.id(), w_id);
        for (size_t i = 0; i < cols.size(); i++) {
            auto f = by.find({cols[i]->kernel.source, it.id()});
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

class Cases : public Workload {
  public:
    Cases(const CaseSelection& sel, const RunOptions& opts) : m_sel(sel), m_opts(opts) {}

    Result<void> load(const std::string& known_path) {
        CompileOptions copts{.include_dirs = m_sel.includes,
                             .defines = m_sel.defines,
                             .out_dir = m_opts.out_dir,
                             .verbose = m_opts.verbose > 0};
        // A file that does not compile (or whose annotations are bad) is one
        // error line; the others still run and the exit code is 2 at the end.
        ITERCONF_TRY_ASSIGN(m_objects, load_cases(m_sel.cases, copts, &m_file_errors));
        for (const auto& e : m_file_errors)
            report_error(e, false);
        for (const auto& o : m_objects)
            for (const auto& p : o.programs)
                if (!p.spec.auxiliary && selected(o.id, p.name, m_sel.allow, m_sel.deny))
                    m_items.push_back({&o, &p});
        if (m_items.empty())
            return make_error(ErrorKind::usage, "--allow/--deny",
                              "no program matches the selection",
                              "run 'iterconf list' to see the program ids");
        if (known_path != "none") {
            ITERCONF_TRY_ASSIGN(
                m_known, known_path.empty()
                             ? judge::KnownBugs::parse(
                                   std::string(config::asset_text(config::Asset::known_bugs_toml)),
                                   config::asset_name(config::Asset::known_bugs_toml))
                             : judge::KnownBugs::load(known_path));
        }
        return {};
    }

    const char* noun() const override { return "programs"; }
    size_t size() const override { return m_items.size(); }
    bool keeps_logs() const override { return true; }

    Result<void> open_host() override {
        ITERCONF_TRY_ASSIGN(auto h, load::HostKernel::open());
        ITERCONF_TRY(h.probe_bpf());
        m_host.emplace(std::move(h));
        return {};
    }

    // The programs of one object are loaded in one libbpf pass when the
    // first of them is judged (load::load_programs_on_host()), the kernel
    // log watched around each program's bpf() call; each record is then
    // made in order, with a (counted) watch of its own merged in, as when
    // every program was loaded alone.
    Judged judge_on_host(size_t i, HostContext& host) override {
        const Item& it = m_items[i];
        Phases& ph = host.phases;
        if (i < m_pass_first || i >= m_pass_end)
            load_pass(i, host);
        load::LoadOutcome outcome = std::move(m_pass[i - m_pass_first]);
        load::KmsgCheck check = ph.time("kernel-log watch", [&] {
            host.kmsg.begin();
            return host.kmsg.end();
        });
        if (auto& in_pass = m_pass_kmsg[i - m_pass_first])
            check = load::merge_checks(std::move(*in_pass), std::move(check));
        load::apply_kmsg(check, outcome.result, outcome.log);
        auto r = ph.time("judge", [&] {
            return judge::make_record(*it.obj, *it.prog, outcome, m_host->release(),
                                      m_host->version(), "host");
        });
        load::apply_kmsg(check, r);
        if (auto u = check.unchecked(); !u.empty())
            r.unchecked.push_back(u);
        m_known.apply(r, m_host->version());
        return {std::move(r), std::move(outcome.log)};
    }

    void from_guest(size_t i, record::Record& r, const expect::KernelVersion& k) override {
        r.file = m_items[i].obj->display;
        m_known.apply(r, k);
    }

    record::Record lost(size_t i, record::Verdict v, const std::string& message,
                        const std::string& excerpt, const std::string& release,
                        const expect::KernelVersion& k) override {
        const Item& it = m_items[i];
        record::Record r;
        r.case_id = it.obj->id;
        r.program = it.prog->name;
        r.file = it.obj->display;
        r.description = it.prog->spec.description;
        r.kernel = release;
        r.verdict = v;
        r.message = message;
        r.log_tail = load::tail_lines(excerpt, 40);
        judge::judge(r, it.prog->spec, k, "");
        m_known.apply(r, k);
        return r;
    }

    // Case objects under /cases, one plan line per program.
    GuestPlan plan() const override {
        std::map<std::string, std::string> objects; // case id -> path in the guest
        GuestPlan p{qemu::Plan::for_cases({}), {}};
        for (const auto& it : m_items) {
            auto [pos, added] = objects.emplace(it.obj->id, "cases/" + it.obj->id + ".bpf.o");
            if (added)
                p.files.push_back({pos->second, it.obj->object});
            p.plan.items.push_back({"/" + pos->second, it.obj->id, it.prog->name});
        }
        return p;
    }

    void report_head(FILE*, const RunResult& res) override {
        if (m_opts.format != "table")
            return;
        std::vector<record::Record> records;
        for (const auto& e : res.entries)
            records.push_back(e.record);
        size_t shown = 0;
        for (const auto& k : res.kernels)
            shown += !k.error || !k.entries.empty();
        if (shown <= 1)
            std::fputs(record::to_table(records, isatty(1)).c_str(), stdout);
        else
            std::fputs(matrix(m_items, res.kernels, records, isatty(1)).c_str(), stdout);
        std::fputs("\n", stdout);
        for (const auto& e : res.entries)
            if (e.record.failed())
                print_failure(
                    stdout, e.record, m_opts.out_dir, e.log, m_opts.verbose ? 40 : 20,
                    Reproduce{self_path(), m_sel.includes, m_sel.defines, m_opts.out_dir});
        for (const auto& r : records)
            if (r.status() == std::string("known"))
                std::printf("KNOWN %s  [kernel %s: %s]: %s; %s\n", r.id().c_str(),
                            r.kernel_source.c_str(), r.kernel.c_str(), r.reason.c_str(),
                            r.known_bug.c_str());
    }

    void report_kernel(FILE* out, const KernelResult& k, const RunResult& res) override {
        auto s = record::summarize(res.records_of(k));
        std::fprintf(out, "%s: %s", k.head().c_str(),
                     record::summary_line(s, k.judge_seconds).c_str());
        // The ceiling of this path: the same programs' bpf() calls alone.
        if (k.kernel.host && m_syscall_secs > 0)
            std::fprintf(out, " (%.0f/s in bpf_prog_load alone, %zu programs)",
                         static_cast<double>(m_syscall_n) / m_syscall_secs, m_syscall_n);
        std::fprintf(out, "\n");
    }

    std::vector<std::string> item_ids() const override {
        std::vector<std::string> ids;
        for (const auto& it : m_items)
            ids.push_back(it.id());
        return ids;
    }
    // In a guest a program with __retval is also run, and one with
    // __leak_check is run N times with the slab counters read around it:
    // estimates of their cost beside a plain load.
    std::vector<uint64_t> item_weights() const override {
        std::vector<uint64_t> w;
        for (const auto& it : m_items)
            w.push_back(1 + (it.prog->spec.retval ? 1 : 0) + (it.prog->spec.leak_check ? 4 : 0));
        return w;
    }
    // A shard keeps the items' order, so the programs of one object stay
    // consecutive and are loaded in one libbpf pass, as with -a.
    void keep_items(const std::vector<size_t>& keep) override {
        std::vector<Item> kept;
        for (size_t i : keep)
            kept.push_back(m_items[i]);
        m_items = std::move(kept);
    }
    std::string record_item(const record::Record& r) const override { return r.id(); }

    std::optional<std::string> not_judged() const override {
        if (m_file_errors.empty())
            return std::nullopt;
        return std::to_string(m_file_errors.size()) + " case file" +
               (m_file_errors.size() == 1 ? "" : "s") +
               " not judged (errors above); the other files ran";
    }

  private:
    // Loads the programs of item i's object, from item i on (the items of
    // one object are consecutive), into m_pass.
    void load_pass(size_t i, HostContext& host) {
        size_t end = i;
        std::vector<const load::CaseProgram*> progs;
        while (end < m_items.size() && m_items[end].obj == m_items[i].obj)
            progs.push_back(m_items[end++].prog);
        m_pass_kmsg.assign(progs.size(), std::nullopt);
        m_pass.assign(progs.size(), {});
        load::LoadWatch watch;
        watch.in_order = false; // records are made in order from m_pass
        watch.before = [&](size_t) { host.kmsg.begin(); };
        watch.after = [&](size_t j) {
            auto c = host.kmsg.end(60, false);
            m_pass_kmsg[j] = m_pass_kmsg[j] ? load::merge_checks(*m_pass_kmsg[j], c) : c;
        };
        watch.judged = [&](size_t j, load::LoadOutcome&& o) { m_pass[j] = std::move(o); };
        load::Options lopts{.echo_libbpf = m_opts.verbose >= 2};
        auto t0 = std::chrono::steady_clock::now();
        load::load_programs_on_host(*m_items[i].obj, progs, *m_host, lopts, watch);
        double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        double in_kernel = 0;
        for (const auto& o : m_pass)
            if (o.in_pass) {
                in_kernel += static_cast<double>(o.load_us) / 1e6;
                m_syscall_n++;
            }
        m_syscall_secs += in_kernel;
        host.phases.add("libbpf (open, kernel BTF, relocation)", secs - in_kernel);
        host.phases.add("bpf_prog_load", in_kernel);
        m_pass_first = i;
        m_pass_end = end;
    }

    const CaseSelection m_sel; // a copy: the workload may outlive its arguments (iterconf merge)
    const RunOptions& m_opts;
    std::vector<load::CaseObject> m_objects;
    std::vector<Error> m_file_errors;
    std::vector<Item> m_items;
    judge::KnownBugs m_known;
    std::optional<load::HostKernel> m_host;
    // The current object's pass: items [m_pass_first, m_pass_end).
    size_t m_pass_first = 0, m_pass_end = 0;
    std::vector<load::LoadOutcome> m_pass;
    std::vector<std::optional<load::KmsgCheck>> m_pass_kmsg;
    double m_syscall_secs = 0; // bpf() calls of the programs judged in a pass
    size_t m_syscall_n = 0;
};

} // namespace

Result<std::unique_ptr<Workload>>
cases_workload(const CaseSelection& sel, const std::string& known_bugs, const RunOptions& opts) {
    auto w = std::make_unique<Cases>(sel, opts);
    ITERCONF_TRY(w->load(known_bugs));
    return std::unique_ptr<Workload>(std::move(w));
}

} // namespace iterconf::cli
