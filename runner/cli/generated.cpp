// The generated workloads of `iterconf run`: the programs the generator
// enumerates up to a bound (--generated), or those that fuzz inputs decode
// to (--generated --inputs DIR). Each is loaded through the bytecode path
// and expected to do what the reference model predicts for the kernel that
// judged it; the report lists the disagreements by class with the shortest
// program of each, and the programs whose verdict differs between kernels.
#include "judge/generated.hpp"

#include "cli/workloads.hpp"
#include "config/assets.hpp"
#include "gen/corpus.hpp"
#include "gen/emit_bpf.hpp"
#include "judge/judge.hpp"
#include "load/raw_load.hpp"
#include "model/model.hpp"

#include <cctype>
#include <chrono>
#include <map>

namespace iterconf::cli {

namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
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

// One disagreement class on one kernel: how many, and the shortest program.
struct Class {
    size_t count = 0;
    const gen::Program* minimal = nullptr;
    size_t minimal_size = SIZE_MAX;
    std::string detail;
};

class Generated : public Workload {
  public:
    explicit Generated(const gen::Bound& bound) : m_bound(bound) {}

    // The known-bugs list (images/known-bugs.toml unless --known-bugs names
    // another, or "none"), matched against "generated/<program text>": an
    // entry names the programs by what they are, the record's id being a hash
    // of that text.
    Result<void> load_known(const std::string& path) {
        if (path == "none")
            return {};
        ITERCONF_TRY_ASSIGN(
            m_known, path.empty()
                         ? judge::KnownBugs::parse(
                               std::string(config::asset_text(config::Asset::known_bugs_toml)),
                               config::asset_name(config::Asset::known_bugs_toml))
                         : judge::KnownBugs::load(path));
        return {};
    }
    // Every record, wherever it was judged: what the guest agent does not
    // send (the program's text; its file: the bound, or the fuzz input on the
    // host) and the known-bugs list.
    void finish(size_t i, record::Record& r, const expect::KernelVersion& k) const {
        r.description = m_programs[i].text();
        r.file = m_files.empty() ? judge::generated_file(m_bound.text()) : m_files[i].second;
        m_known.apply(r, k, "generated/" + m_programs[i].text());
    }

    void enumerate(size_t host_limit) {
        auto t0 = Clock::now();
        m_programs = gen::enumerate_all(m_bound);
        m_limit = host_limit;
        m_secs = since(t0);
    }
    Result<void> read(const std::string& dir) {
        auto t0 = Clock::now();
        ITERCONF_TRY_ASSIGN(auto in, gen::read_corpus(dir));
        m_inputs_dir = dir;
        for (const auto& i : in) {
            m_programs.push_back(i.program);
            m_files.emplace_back("cases/inputs/" + i.name, dir + "/" + i.name);
        }
        m_secs = since(t0);
        return {};
    }

    const char* noun() const override { return "programs"; }
    size_t size() const override { return m_programs.size(); }
    size_t host_size() const override { return m_limit ? std::min(m_limit, size()) : size(); }

    Result<void> open_host() override {
        ITERCONF_TRY_ASSIGN(auto raw, load::RawLoader::open());
        m_raw.emplace(std::move(raw));
        return {};
    }

    Judged judge_on_host(size_t i, HostContext& host) override {
        const auto& p = m_programs[i];
        Phases& ph = host.phases;
        auto bp = ph.time("emit", [&] { return gen::emit_bpf(p); });
        ph.time("kernel-log watch", [&] { host.kmsg.begin(); });
        auto t1 = Clock::now();
        auto o = m_raw->load(bp);
        double secs = since(t1);
        m_load_secs += secs;
        ph.add("bpf_prog_load", static_cast<double>(o.load_us) / 1e6);
        ph.add("relocate + classify", secs - static_cast<double>(o.load_us) / 1e6);
        auto check = ph.time("kernel-log watch", [&] { return host.kmsg.end(); });
        load::apply_kmsg(check, o.result, o.log);
        auto r = ph.time("judge (model)", [&] {
            return judge::generated_record(p, o, host.release, host.version, m_bound.text());
        });
        load::apply_kmsg(check, r);
        if (auto u = check.unchecked(); !u.empty())
            r.unchecked.push_back(u);
        finish(i, r, host.version);
        return {std::move(r), ""};
    }

    void from_guest(size_t i, record::Record& r, const expect::KernelVersion& k) override {
        // The agent enumerates (or decodes) on its own: the same program at
        // the same index, or the record is not this program's.
        if (r.program != m_programs[i].name()) {
            r.match = false;
            r.reason = "harness bug: the guest judged program " + r.program + " at index " +
                       std::to_string(i) + ", the host has " + m_programs[i].name() + " there";
        }
        finish(i, r, k);
    }

    record::Record lost(size_t i, record::Verdict v, const std::string& message, const std::string&,
                        const std::string& release, const expect::KernelVersion& k) override {
        auto r = judge::generated_loss(m_programs[i], v, message, release, k, m_bound.text());
        finish(i, r, k);
        return r;
    }

    // The agent enumerates the same bound itself, or decodes the same inputs.
    GuestPlan plan() const override {
        if (m_inputs_dir.empty())
            return {qemu::Plan::for_generated(m_bound.text(), m_shard.text()), {}};
        return {qemu::Plan::for_inputs("/cases/inputs", m_inputs_dir), m_files};
    }

    void report_head(FILE* out, const RunResult&) override {
        if (m_inputs_dir.empty())
            std::fprintf(out, "generated corpus: %zu programs (%s), enumerated in %.2f s\n", size(),
                         m_bound.text().c_str(), m_secs);
        else
            std::fprintf(out,
                         "generated corpus: %zu programs (fuzz inputs in %s), decoded in %.2f s\n",
                         size(), m_inputs_dir.c_str(), m_secs);
    }

    void report_kernel(FILE* out, const KernelResult& k, const RunResult& res) override {
        size_t total = k.entries.size(), matched = 0, known = 0, fixed = 0, by_verdict[6] = {};
        size_t executed = 0, diverged = 0; // the state-embedding oracle (guests)
        std::map<std::string, Class> classes;
        struct PerKind {
            size_t programs = 0, by_verdict[6] = {}, executed = 0, diverged = 0;
        };
        std::map<std::string, PerKind> kinds; // "task_vma", "task_vma+num", ...
        for (size_t ei : k.entries) {
            const Entry& e = res.entries[ei];
            const record::Record& r = e.record;
            by_verdict[static_cast<int>(r.verdict)]++;
            executed += r.executed > 0;
            diverged += !r.divergences.empty();
            {
                const gen::Program& p = m_programs[e.item];
                std::string name = gen::info(p.kinds[0]).name;
                if (p.uses_slot1() && p.kinds[1] != p.kinds[0])
                    name += std::string("+") + gen::info(p.kinds[1]).name;
                PerKind& pk = kinds[name];
                pk.programs++;
                pk.by_verdict[static_cast<int>(r.verdict)]++;
                pk.executed += r.executed > 0;
                pk.diverged += !r.divergences.empty();
            }
            if (r.match) {
                matched++;
                fixed += !r.known_bug.empty(); // a listed bug that no longer reproduces
                continue;
            }
            if (!r.known_bug.empty()) { // explained by images/known-bugs.toml, not a disagreement
                known++;
                continue;
            }
            const gen::Program& p = m_programs[e.item];
            model::KernelFeatures kf;
            model::KernelFeatures::from_release(r.kernel, kf);
            auto ex = model::expect(p, kf);
            std::string key = std::string(model::to_string(ex.reason)) + " -> " +
                              record::to_string(r.verdict) +
                              (r.message.empty() ? "" : ": " + shape(r.message));
            if (!r.divergences.empty()) {                // a violated belief: by op and belief
                const std::string& d = r.divergences[0]; // "<path> <op>: believed X, ..."
                size_t b = d.find(' ') == std::string::npos ? 0 : d.find(' ') + 1;
                key = "divergence: " + shape(d.substr(b, d.find(", violated") - b));
            }
            auto& c = classes[key];
            c.count++;
            size_t sz = size_of(p.ops);
            if (!c.minimal || sz < c.minimal_size ||
                (sz == c.minimal_size && p.text().size() < c.minimal->text().size())) {
                c.minimal = &p;
                c.minimal_size = sz;
                c.detail = r.reason;
            }
        }
        double secs = k.judge_seconds;
        std::string known_text;
        if (known)
            known_text += ", " + std::to_string(known) + " known bugs";
        if (fixed)
            known_text += ", " + std::to_string(fixed) + " known bugs no longer reproduce";
        std::fprintf(out,
                     "%s: %zu programs: %zu matched the model, %zu disagreements%s (accept %zu, "
                     "reject %zu, unsupported %zu, load_error %zu, crash %zu, timeout %zu) in "
                     "%.2f s, %.0f verdicts/s",
                     k.head().c_str(), total, matched, total - matched - known, known_text.c_str(),
                     by_verdict[0], by_verdict[1], by_verdict[2], by_verdict[3], by_verdict[4],
                     by_verdict[5], secs, secs > 0 ? total / secs : 0.0);
        if (k.kernel.host && m_load_secs > 0)
            std::fprintf(out, " (%.0f/s in bpf_prog_load alone)", total / m_load_secs);
        std::fprintf(out, "\n");
        if (!k.kernel.host) // accepted programs run here, with the model's beliefs embedded
            std::fprintf(
                out, "  executed %zu accepted programs with embedded beliefs: %zu divergences\n",
                executed, diverged);
        if (kinds.size() > 1) {
            std::fprintf(out, "  by kind (programs: accept/reject/unsupported/crash/timeout%s):\n",
                         k.kernel.host ? "" : ", executed, divergences");
            for (const auto& [name, pk] : kinds) {
                std::fprintf(out, "    %-22s %6zu: %zu/%zu/%zu/%zu/%zu", name.c_str(), pk.programs,
                             pk.by_verdict[0], pk.by_verdict[1], pk.by_verdict[2], pk.by_verdict[4],
                             pk.by_verdict[5]);
                if (!k.kernel.host)
                    std::fprintf(out, ", %zu, %zu", pk.executed, pk.diverged);
                std::fprintf(out, "\n");
            }
        }
        if (classes.empty())
            return;
        std::fprintf(out, "  disagreements by class (model reason -> kernel verdict: message), "
                          "with the shortest program of each:\n");
        for (const auto& [key, c] : classes)
            std::fprintf(out, "  %5zu  %s\n         e.g. %s  [%s]\n         %s\n", c.count,
                         key.c_str(), c.minimal->text().c_str(), c.minimal->name().c_str(),
                         c.detail.c_str());
    }

    // Differential view: programs whose verdict differs between kernels.
    void report_tail(FILE* out, const RunResult& res) override {
        size_t judged_kernels = 0;
        for (const auto& k : res.kernels)
            judged_kernels += !k.entries.empty();
        if (judged_kernels < 2)
            return;
        std::map<std::string, std::map<std::string, record::Verdict>> verdicts; // program -> kernel
        for (const auto& k : res.kernels)
            for (size_t ei : k.entries)
                verdicts[res.entries[ei].record.program][k.kernel.label] =
                    res.entries[ei].record.verdict;
        std::map<std::string, std::pair<size_t, std::string>> diffs; // signature -> count, example
        size_t differing = 0;
        for (const auto& [prog, by_kernel] : verdicts) {
            bool differ = false;
            for (const auto& [kname, v] : by_kernel)
                differ |= v != by_kernel.begin()->second;
            if (!differ)
                continue;
            differing++;
            std::string sig;
            for (const auto& [kname, v] : by_kernel)
                sig += (sig.empty() ? "" : ", ") + kname + "=" + record::to_string(v);
            auto& d = diffs[sig];
            if (d.first++ == 0)
                d.second = prog;
        }
        std::fprintf(out, "programs whose verdict differs between kernels: %zu of %zu\n", differing,
                     verdicts.size());
        for (const auto& [sig, d] : diffs)
            std::fprintf(out, "  %6zu  %s  (e.g. %s)\n", d.first, sig.c_str(), d.second.c_str());
    }

    // Enumerated programs by name (unique within a bound), inputs by file.
    std::vector<std::string> item_ids() const override {
        std::vector<std::string> ids;
        for (size_t i = 0; i < size(); i++)
            ids.push_back(m_files.empty() ? m_programs[i].name() : file_name(m_files[i].second));
        return ids;
    }
    std::string corpus_salt() const override {
        return m_files.empty() ? "generated " + m_bound.text() : "inputs";
    }
    void keep_items(const std::vector<size_t>& keep) override {
        std::vector<gen::Program> programs;
        std::vector<std::pair<std::string, std::string>> files;
        for (size_t i : keep) {
            programs.push_back(std::move(m_programs[i]));
            if (!m_files.empty())
                files.push_back(std::move(m_files[i]));
        }
        m_programs = std::move(programs);
        m_files = std::move(files);
        m_shard = identity.shard;
    }
    std::string record_item(const record::Record& r) const override {
        return m_files.empty() ? r.program : file_name(r.file);
    }

  private:
    static std::string file_name(const std::string& path) {
        return path.substr(path.rfind('/') + 1);
    }

    gen::Bound m_bound;
    Shard m_shard; // --generated: the agent enumerates the bound and keeps this shard
    std::vector<gen::Program> m_programs;
    std::vector<std::pair<std::string, std::string>> m_files; // --inputs: guest path, host path
    std::string m_inputs_dir;
    size_t m_limit = 0;
    double m_secs = 0, m_load_secs = 0;
    std::optional<load::RawLoader> m_raw;
    judge::KnownBugs m_known;
};

} // namespace

Result<std::unique_ptr<Workload>> generated_workload(const gen::Bound& bound, size_t host_limit,
                                                     const std::string& known_bugs,
                                                     const RunOptions&) {
    auto w = std::make_unique<Generated>(bound);
    w->enumerate(host_limit);
    ITERCONF_TRY(w->load_known(known_bugs));
    return std::unique_ptr<Workload>(std::move(w));
}

Result<std::unique_ptr<Workload>>
inputs_workload(const std::string& dir, const std::string& known_bugs, const RunOptions&) {
    auto w = std::make_unique<Generated>(gen::Bound{});
    ITERCONF_TRY(w->read(dir));
    ITERCONF_TRY(w->load_known(known_bugs));
    return std::unique_ptr<Workload>(std::move(w));
}

} // namespace iterconf::cli
