// The bounds workload of `iterconf run --bounds-corpus DIR`:
// fuzz_iter_bounds' inputs replayed on each kernel, in-process on the host
// and by the guest agent (bounds plan) under QEMU, through the same
// oracle: the task_vma walk of each input's layout must match
// /proc/PID/maps. One record per (input, kernel).
#include "cli/workloads.hpp"
#include "load/classify.hpp"
#include "oracle/checker.hpp"
#include "oracle/replay.hpp"

#include <filesystem>

namespace fs = std::filesystem;

namespace iterconf::cli {

namespace {

class Bounds : public Workload {
  public:
    Bounds(std::vector<std::string> inputs, std::string corpus)
        : m_inputs(std::move(inputs)), m_corpus(std::move(corpus)) {}

    const char* noun() const override { return "inputs"; }
    size_t size() const override { return m_inputs.size(); }

    // The walk program and the layout process, once; a kernel without the
    // iterator is no error here: each input is then `unsupported`.
    Result<void> open_host() override {
        m_checker.emplace(oracle::Checker::open(m_support));
        return {};
    }

    Judged judge_on_host(size_t i, HostContext& host) override {
        host.kmsg.begin();
        auto r = oracle::judge_input(*m_checker, m_support, m_inputs[i], host.release);
        auto check = host.kmsg.end();
        // A WARN/BUG/oops during the walk makes the input `crash`, as a load does.
        if (check.crashed()) {
            load::Classified c{r.verdict, r.message};
            std::string log;
            load::apply_kmsg(check, c, log);
            r.verdict = c.verdict;
            r.message = c.message;
            r.match = false;
            r.reason = "the kernel logged a splat during the walk: " + c.message;
        }
        load::apply_kmsg(check, r);
        if (auto u = check.unchecked(); !u.empty())
            r.unchecked.push_back(u);
        return {std::move(r), ""};
    }

    record::Record lost(size_t i, record::Verdict v, const std::string& message, const std::string&,
                        const std::string& release, const expect::KernelVersion&) override {
        record::Record r;
        r.case_id = "bounds/" + fs::path(m_inputs[i]).filename().string();
        r.program = "fuzz_iter_bounds";
        r.file = m_inputs[i];
        r.kernel = release;
        r.verdict = v;
        r.reason = message;
        return r;
    }

    // The inputs go in as cases/bounds/<NNNNNN>-<name>, in the same order
    // (the index keeps names from two directories apart and the guest's
    // sorted listing in plan order).
    GuestPlan plan() const override {
        GuestPlan p{qemu::Plan::for_bounds("/cases/bounds"), {}};
        for (size_t i = 0; i < m_inputs.size(); i++) {
            char idx[32];
            std::snprintf(idx, sizeof(idx), "%06zu-", i);
            p.files.emplace_back("cases/bounds/" + std::string(idx) +
                                     fs::path(m_inputs[i]).filename().string(),
                                 m_inputs[i]);
        }
        return p;
    }

    void report_head(FILE* out, const RunResult&) override {
        std::fprintf(out, "bounds corpus: %zu inputs from %s\n", size(), m_corpus.c_str());
    }

    void report_kernel(FILE* out, const KernelResult& k, const RunResult& res) override {
        size_t matched = 0, unsupported = 0;
        std::vector<std::string> mismatches; // "<input>: <reason>"
        for (size_t ei : k.entries) {
            const auto& r = res.entries[ei].record;
            unsupported += r.verdict == record::Verdict::unsupported;
            if (r.match)
                matched++;
            else
                mismatches.push_back(r.case_id + ": " + r.reason);
        }
        std::fprintf(out,
                     "%s: %zu inputs: %zu matched (%zu unsupported), %zu mismatches in %.2f s\n",
                     k.head().c_str(), k.entries.size(), matched, unsupported,
                     k.entries.size() - matched, k.judge_seconds);
        for (const auto& m : mismatches)
            std::fprintf(out, "  ! %s\n", m.c_str());
    }

    // "<k>/<file name>": the file in the k-th --bounds-corpus directory,
    // the same wherever the directories are.
    std::vector<std::string> item_ids() const override {
        std::vector<std::string> ids;
        for (size_t i = 0; i < m_inputs.size(); i++)
            ids.push_back(std::to_string(m_dir_of[i]) + "/" +
                          fs::path(m_inputs[i]).filename().string());
        return ids;
    }
    void keep_items(const std::vector<size_t>& keep) override {
        std::vector<std::string> inputs;
        std::vector<size_t> dir_of;
        for (size_t i : keep) {
            inputs.push_back(m_inputs[i]);
            dir_of.push_back(m_dir_of[i]);
        }
        m_inputs = std::move(inputs);
        m_dir_of = std::move(dir_of);
    }
    // The record names the input as the run was given it; `iterconf merge`
    // may give the directories as absolute paths: the path itself, else the
    // one that ends with it.
    std::string record_item(const record::Record& r) const override {
        auto id = [&](size_t i) {
            return std::to_string(m_dir_of[i]) + "/" + fs::path(m_inputs[i]).filename().string();
        };
        for (size_t i = 0; i < m_inputs.size(); i++)
            if (m_inputs[i] == r.file)
                return id(i);
        for (size_t i = 0; i < m_inputs.size(); i++)
            if (m_inputs[i].size() > r.file.size() &&
                m_inputs[i].compare(m_inputs[i].size() - r.file.size() - 1, std::string::npos,
                                    "/" + r.file) == 0)
                return id(i);
        return r.file;
    }
    std::vector<size_t> m_dir_of; // the --bounds-corpus directory of each input

  private:
    oracle::Support m_support{};
    std::optional<Result<std::unique_ptr<oracle::Checker>>> m_checker;
    std::vector<std::string> m_inputs;
    std::string m_corpus;
};

} // namespace

Result<std::unique_ptr<Workload>> bounds_workload(const std::vector<std::string>& dirs,
                                                  const RunOptions&) {
    auto no_inputs = [](const std::string& where) {
        return make_error(ErrorKind::usage, where, "no input files",
                          "give a directory of fuzz_iter_bounds inputs, e.g. "
                          "fuzz/corpus/fuzz_iter_bounds");
    };
    if (dirs.empty())
        return no_inputs("--bounds-corpus");
    std::vector<std::string> inputs;
    std::vector<size_t> dir_of;
    std::string corpus;
    for (size_t d = 0; d < dirs.size(); d++) {
        auto files = oracle::corpus_files(dirs[d]);
        if (files.empty())
            return no_inputs(dirs[d]);
        inputs.insert(inputs.end(), files.begin(), files.end());
        dir_of.resize(inputs.size(), d);
        corpus += (corpus.empty() ? "" : ", ") + dirs[d];
    }
    auto w = std::make_unique<Bounds>(std::move(inputs), corpus);
    w->m_dir_of = std::move(dir_of);
    return std::unique_ptr<Workload>(std::move(w));
}

} // namespace iterconf::cli
