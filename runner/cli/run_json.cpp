// run.json: what a run judged (the workload and the arguments that make it
// again, the corpus identity, the shard, the kernels, per kernel the items
// planned and judged), and the workloads made from those arguments, for
// `iterconf run` and `iterconf merge` alike.
#include "cli/session.hpp"
#include "cli/workloads.hpp"
#include "record/record.hpp"

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;

namespace iterconf::cli {

void Workload::apply_shard(const Shard& s) {
    auto ids = item_ids();
    identity.corpus_hash = corpus_hash(ids, corpus_salt());
    identity.corpus_items = ids.size();
    identity.shard = s;
    if (!s.whole())
        keep_items(shard_items(ids, item_weights(), s));
}

Result<std::unique_ptr<Workload>> make_workload(const WorkloadArgs& a, const RunOptions& opts) {
    Result<std::unique_ptr<Workload>> w = [&]() -> Result<std::unique_ptr<Workload>> {
        if (a.kind == "bounds")
            return bounds_workload(a.corpora, opts);
        if (a.kind == "inputs")
            return inputs_workload(a.inputs, a.known_bugs, opts);
        if (a.kind == "generated") {
            gen::Bound bound;
            if (!a.bound.empty())
                if (auto e = gen::parse_bound(a.bound, bound); !e.empty())
                    return make_error(ErrorKind::usage, "--bound", e);
            return generated_workload(bound, a.limit, a.known_bugs, opts);
        }
        if (a.kind == "cases")
            return cases_workload(a.sel, a.known_bugs, opts);
        return make_error(ErrorKind::input, "run.json", "unknown workload '" + a.kind + "'");
    }();
    if (!w)
        return w;
    (*w)->identity.args = a;
    (*w)->apply_shard(opts.shard);
    return w;
}

namespace {

std::string quoted_list(const std::vector<std::string>& v) {
    std::string out = "[";
    for (size_t i = 0; i < v.size(); i++)
        out += (i ? ", " : "") + record::json_quote(v[i]);
    return out + "]";
}

} // namespace

Result<void> write_run_json(const std::string& out_dir, const Workload& w, const RunResult& res,
                            const std::vector<std::string>& kernels_requested, int exit_code) {
    const RunIdentity& id = w.identity;
    const WorkloadArgs& a = id.args;
    auto q = record::json_quote;
    std::string j = "{\n";
    j += "  \"format\": 1,\n";
    j += "  \"iterconf_version\": " + q(ITERCONF_VERSION) + ",\n";
    j += "  \"workload\": " + q(a.kind) + ",\n";
    std::error_code ec;
    j += "  \"cwd\": " + q(fs::current_path(ec).string()) + ",\n";
    j += "  \"args\": {\"cases\": " + quoted_list(a.sel.cases) +
         ", \"includes\": " + quoted_list(a.sel.includes) +
         ", \"defines\": " + quoted_list(a.sel.defines) +
         ", \"allow\": " + quoted_list(a.sel.allow) + ", \"deny\": " + quoted_list(a.sel.deny) +
         ", \"known_bugs\": " + q(a.known_bugs) + ", \"bound\": " + q(a.bound) +
         ", \"limit\": " + std::to_string(a.limit) + ", \"inputs\": " + q(a.inputs) +
         ", \"bounds_corpus\": " + quoted_list(a.corpora) + "},\n";
    j += "  \"corpus\": {\"hash\": " + q(id.corpus_hash) +
         ", \"items\": " + std::to_string(id.corpus_items) + ", \"bound\": " + q(a.bound) + "},\n";
    j += "  \"shard\": {\"index\": " + std::to_string(id.shard.index) +
         ", \"count\": " + std::to_string(id.shard.count) + "},\n";
    j += "  \"items\": " + std::to_string(w.size()) + ",\n";
    j += "  \"kernels_requested\": " +
         quoted_list(kernels_requested.empty() ? std::vector<std::string>{"host"}
                                               : kernels_requested) +
         ",\n";
    j += "  \"kernels\": [";
    for (size_t i = 0; i < res.kernels.size(); i++) {
        const KernelResult& k = res.kernels[i];
        j += std::string(i ? "," : "") + "\n    {\"label\": " + q(k.kernel.label) +
             ", \"source\": " + q(k.kernel.source) +
             ", \"host\": " + (k.kernel.host ? "true" : "false") +
             ", \"release\": " + q(k.release) + ", \"package\": " + q(k.kernel.package) +
             ", \"planned\": " + std::to_string(k.planned) +
             ", \"judged\": " + std::to_string(k.entries.size()) +
             ", \"judge_seconds\": " + std::to_string(k.judge_seconds) +
             ", \"error\": " + (k.error ? q(k.error->message()) : "null") +
             ", \"error_exit\": " + std::to_string(k.error_exit) + "}";
    }
    j += "\n  ],\n";
    auto nj = w.not_judged();
    j += "  \"not_judged\": " + (nj ? q(*nj) : std::string("null")) + ",\n";
    j += "  \"interrupted\": " + std::string(res.interrupted ? "true" : "false") + ",\n";
    j += "  \"failed_fast\": " + std::string(res.failed_fast ? "true" : "false") + ",\n";
    j += "  \"wall_seconds\": " + std::to_string(res.total) + ",\n";
    j += "  \"complete\": " + std::string(exit_code >= 0 ? "true" : "false") + ",\n";
    j += "  \"exit\": " + (exit_code >= 0 ? std::to_string(exit_code) : std::string("null")) + "\n";
    j += "}\n";
    std::string path = out_dir + "/run.json", tmp = path + ".tmp";
    {
        std::ofstream f(tmp);
        f << j;
        if (!f.flush())
            return make_error(ErrorKind::io, tmp, "cannot write");
    }
    fs::rename(tmp, path, ec);
    if (ec)
        return make_error(ErrorKind::io, path, "cannot write: " + ec.message());
    return {};
}

} // namespace iterconf::cli
