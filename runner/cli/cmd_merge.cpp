// iterconf merge: the outputs of `iterconf run --shard I/N` (one per kernel
// x shard, e.g. the jobs of a CI matrix) joined into one run's output:
// results.jsonl, junit.xml, run.json, logs/, kernels/ and console/, the same report
// as `run` prints for the workload (cli/session.hpp finish_run()) and the
// same exit code. Shards of different corpora, bounds, workloads or
// iterconf versions, and a kernel whose shards are not 1..N exactly once,
// are refused before anything is written.
#include "cli/common.hpp"
#include "cli/session.hpp"
#include "common/shard.hpp"
#include "record/json.hpp"
#include "record/record.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace fs = std::filesystem;

namespace iterconf::cli {

namespace {

constexpr const char* k_usage = R"(usage: iterconf merge [--out DIR] [--format FMT] SHARD_OUT...

Joins the output directories of 'iterconf run --shard I/N' into one run's
output, as if one run had judged every shard: DIR/results.jsonl,
DIR/junit.xml (one test suite per kernel), DIR/run.json, DIR/logs/,
DIR/kernels/ (what each kernel was) and DIR/console/ (a sharded kernel's console logs as <kernel>.shard-I-of-N.log).
It prints the report 'iterconf run' prints for the workload and exits
with run's exit code rules. Several kernels may be merged at once (a CI
job per kernel x shard); each kernel's shards 1..N must all be given, once.
Refused (exit 2, nothing written): an output without run.json, shards of
different workloads, corpora, bounds or iterconf versions, a missing or
duplicated shard.

options:
  --out DIR              output directory (default: out); not a shard's
  --format FMT           stdout format: table (default), json (JSONL), junit
  --json                 same as --format json
  -h, --help             this text
)";

namespace json = record::json;

const json::Value* field(const json::Value& v, const std::string& key) {
    static const json::Value none;
    const json::Object* o = v.as_object();
    if (!o)
        return &none;
    auto f = o->find(key);
    return f == o->end() ? &none : &f->second;
}
const json::Value* field(const json::Value* v, const std::string& key) {
    return field(*v, key);
}
std::string str(const json::Value* v) {
    return v->as_string() ? *v->as_string() : "";
}
size_t num(const json::Value* v) {
    return v->as_number() ? static_cast<size_t>(*v->as_number()) : 0;
}
double real(const json::Value* v) {
    return v->as_number() ? *v->as_number() : 0;
}
bool boolean(const json::Value* v) {
    return v->as_bool() && *v->as_bool();
}
std::vector<std::string> strings(const json::Value* v) {
    std::vector<std::string> out;
    if (const json::Array* a = v->as_array())
        for (const auto& e : *a)
            out.push_back(e.as_string() ? *e.as_string() : "");
    return out;
}

// One shard's output directory, as its run.json describes it.
struct ShardOut {
    std::string dir;
    json::Value run;
    Shard shard;
};

Error refuse(const std::string& where, const std::string& what, const std::string& hint = "") {
    return make_error(ErrorKind::usage, where, what,
                      hint.empty() ? "merge the shards of one run (same corpus and options)"
                                   : hint);
}

Result<ShardOut> read_shard(const std::string& dir) {
    std::string path = dir + "/run.json";
    std::ifstream f(path);
    if (!f)
        return refuse(dir, "no run.json", "give output directories of 'iterconf run'");
    std::stringstream ss;
    ss << f.rdbuf();
    auto v = json::parse(ss.str());
    if (!v)
        return make_error(ErrorKind::input, path, "not JSON: " + v.error().what,
                          "give output directories of 'iterconf run'");
    ShardOut s{dir, *v, {}};
    s.shard.index = num(field(field(s.run, "shard"), "index"));
    s.shard.count = num(field(field(s.run, "shard"), "count"));
    if (s.shard.count < 1 || s.shard.index < 1 || s.shard.index > s.shard.count)
        return make_error(ErrorKind::input, path, "no valid shard I/N",
                          "give output directories of 'iterconf run'");
    if (!field(s.run, "kernels")->as_array())
        return make_error(ErrorKind::input, path, "no kernels array",
                          "give output directories of 'iterconf run'");
    return s;
}

// Relative paths of the run's arguments, made absolute against the
// directory the shard was run in when that still exists.
std::string at(const std::string& cwd, const std::string& p) {
    if (p.empty() || p == "none" || fs::path(p).is_absolute() || cwd.empty())
        return p;
    fs::path abs = fs::path(cwd) / p;
    std::error_code ec;
    return fs::exists(abs, ec) ? abs.string() : p;
}

WorkloadArgs args_of(const json::Value& run) {
    const json::Value* a = field(run, "args");
    std::string cwd = str(field(run, "cwd"));
    auto all_at = [&](std::vector<std::string> v) {
        for (auto& p : v)
            p = at(cwd, p);
        return v;
    };
    WorkloadArgs w;
    w.kind = str(field(run, "workload"));
    w.sel.cases = all_at(strings(field(*a, "cases")));
    w.sel.includes = all_at(strings(field(*a, "includes")));
    w.sel.defines = strings(field(*a, "defines"));
    w.sel.allow = strings(field(*a, "allow"));
    w.sel.deny = strings(field(*a, "deny"));
    w.known_bugs = at(cwd, str(field(*a, "known_bugs")));
    w.bound = str(field(*a, "bound"));
    w.limit = num(field(*a, "limit"));
    w.inputs = at(cwd, str(field(*a, "inputs")));
    w.corpora = all_at(strings(field(*a, "bounds_corpus")));
    return w;
}

// Copies the files under from/ to to/; a file already there is kept
// (shards of one kernel have their logs under distinct programs).
void copy_tree(const fs::path& from, const fs::path& to, const std::string& console_suffix = "") {
    std::error_code ec;
    if (!fs::is_directory(from, ec))
        return;
    for (auto it = fs::recursive_directory_iterator(from, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (!it->is_regular_file(ec))
            continue;
        fs::path rel = fs::relative(it->path(), from, ec);
        if (!console_suffix.empty() && rel.extension() == ".log")
            rel.replace_filename(rel.stem().string() + console_suffix + ".log");
        fs::create_directories((to / rel).parent_path(), ec);
        fs::copy_file(it->path(), to / rel, fs::copy_options::skip_existing, ec);
    }
}

} // namespace

int cmd_merge(int argc, char** argv) {
    RunOptions opts;
    std::vector<std::string> dirs;
    std::string v;
    Args args(argc, argv);
    while (!args.done()) {
        if (args.flag("-h", "--help")) {
            std::fputs(k_usage, stdout);
            return 0;
        } else if (args.option("--out", v)) {
            opts.out_dir = v;
        } else if (args.option("--format", v)) {
            if (v != "table" && v != "json" && v != "junit")
                throw UsageError{"--format takes table, json or junit, not '" + v + "'"};
            opts.format = v;
        } else if (args.flag("--json")) {
            opts.format = "json";
        } else if (!args.peek().empty() && args.peek()[0] == '-') {
            throw UsageError{"unknown argument '" + args.peek() + "'"};
        } else {
            dirs.push_back(args.next());
        }
    }
    if (dirs.empty())
        throw UsageError{"no shard output directories given"};
    bool json_out = opts.json();

    // Every check before anything is written.
    std::vector<ShardOut> shards;
    for (const auto& d : dirs) {
        auto s = read_shard(d);
        if (!s)
            return report_error(s.error(), json_out);
        std::error_code ec;
        if (fs::equivalent(d, opts.out_dir, ec))
            return report_error(
                refuse(d, "is the --out directory too", "merge into a directory of its own"),
                json_out);
        shards.push_back(std::move(*s));
    }
    const ShardOut& first = shards.front();
    for (const auto& s : shards) {
        auto differs = [&](const std::string& what, const std::string& a, const std::string& b) {
            return refuse(s.dir,
                          what + " '" + a + "' differs from " + first.dir + "'s '" + b + "'");
        };
        auto same = [&](const char* what, const std::string& a, const std::string& b) {
            return a == b ? std::optional<Error>{} : differs(what, a, b);
        };
        for (auto e :
             {same("workload", str(field(s.run, "workload")), str(field(first.run, "workload"))),
              same("bound", str(field(field(s.run, "corpus"), "bound")),
                   str(field(field(first.run, "corpus"), "bound"))),
              same("corpus", str(field(field(s.run, "corpus"), "hash")),
                   str(field(field(first.run, "corpus"), "hash"))),
              same("iterconf version", str(field(s.run, "iterconf_version")),
                   str(field(first.run, "iterconf_version")))})
            if (e)
                return report_error(*e, json_out);
    }
    // Each kernel's shards: 1..N, each once.
    std::vector<std::string> labels; // in order of first appearance
    std::map<std::string, std::map<size_t, const ShardOut*>> by_kernel;
    std::map<std::string, size_t> count_of;
    std::map<std::string, std::map<std::string, std::string>> kernel_facts;
    for (const auto& s : shards) {
        const json::Array* ks = field(s.run, "kernels")->as_array();
        for (const auto& k : ks ? *ks : json::Array{}) {
            std::string label = str(field(k, "label"));
            if (!by_kernel.count(label)) {
                labels.push_back(label);
                count_of[label] = s.shard.count;
            }
            if (count_of[label] != s.shard.count)
                return report_error(refuse(s.dir, "kernel " + label + ": shard " + s.shard.text() +
                                                      " beside shards of " +
                                                      std::to_string(count_of[label])),
                                    json_out);
            // One kernel under one label: the same build in every shard (a
            // CI job that fetched a newer package, or another runner's host
            // kernel, is another kernel).
            for (const char* key : {"source", "package", "release"}) {
                std::string mine = str(field(k, key));
                auto& seen = kernel_facts[label][key];
                if (!by_kernel.count(label) || by_kernel[label].empty())
                    seen = mine;
                else if (seen != mine)
                    return report_error(refuse(s.dir,
                                               "kernel " + label + ": " + key + " '" + mine +
                                                   "' differs from the other shards' '" + seen +
                                                   "'",
                                               "run every shard of a kernel on the same kernel "
                                               "(pin it: iterconf kernels lock, run --pin)"),
                                        json_out);
            }
            auto [pos, added] = by_kernel[label].emplace(s.shard.index, &s);
            if (!added)
                return report_error(refuse("kernel " + label,
                                           "shard " + s.shard.text() + " given twice (" +
                                               pos->second->dir + " and " + s.dir + ")",
                                           "give each shard's output once"),
                                    json_out);
        }
    }
    for (const auto& label : labels)
        for (size_t i = 1; i <= count_of[label]; i++)
            if (!by_kernel[label].count(i))
                return report_error(refuse("kernel " + label,
                                           "shard " + std::to_string(i) + "/" +
                                               std::to_string(count_of[label]) + " missing",
                                           "give the output of every shard of every kernel"),
                                    json_out);

    // The workload again, whole, from the shards' arguments: the report
    // needs its items; its corpus must be the one the shards judged.
    RunOptions wopts = opts;
    auto w = make_workload(args_of(first.run), wopts);
    if (!w)
        return report_error(w.error(), json_out);
    std::string hash = str(field(field(first.run, "corpus"), "hash"));
    if ((*w)->identity.corpus_hash != hash)
        return report_error(make_error(ErrorKind::input, first.dir + "/run.json",
                                       "the corpus its arguments make here (" +
                                           (*w)->identity.corpus_hash +
                                           ") is not the one the shards judged (" + hash + ")",
                                       "merge with the iterconf and the cases that ran the shards"),
                            json_out);
    std::map<std::string, size_t> item_of;
    {
        auto ids = (*w)->item_ids();
        for (size_t i = 0; i < ids.size(); i++)
            item_of.emplace(ids[i], i);
    }

    // The merged run: kernels in order of first appearance, each kernel's
    // records shard by shard.
    RunResult res;
    std::map<std::string, size_t> kernel_at;
    for (const auto& label : labels) {
        KernelResult k;
        k.kernel.label = label;
        kernel_at[label] = res.kernels.size();
        for (const auto& [index, s] : by_kernel[label]) {
            for (const auto& kj : *field(s->run, "kernels")->as_array()) {
                if (str(field(kj, "label")) != label)
                    continue;
                k.kernel.source = str(field(kj, "source"));
                k.kernel.host = boolean(field(kj, "host"));
                k.kernel.package = str(field(kj, "package"));
                if (k.release.empty())
                    k.release = str(field(kj, "release"));
                k.planned += num(field(kj, "planned"));
                k.judge_seconds += real(field(kj, "judge_seconds"));
                if (!field(kj, "error")->is_null() && !k.error)
                    k.error = make_error(ErrorKind::infra, "shard " + s->shard.text(),
                                         str(field(kj, "error")));
                k.error_exit =
                    std::max(k.error_exit, static_cast<int>(num(field(kj, "error_exit"))));
            }
        }
        res.kernels.push_back(std::move(k));
    }
    for (const auto& s : shards) {
        if (!boolean(field(s.run, "complete")))
            warn(s.dir + ": shard " + s.shard.text() +
                 " did not complete (its run was stopped); its records so far are merged");
        res.interrupted |=
            boolean(field(s.run, "interrupted")) || !boolean(field(s.run, "complete"));
        res.failed_fast |= boolean(field(s.run, "failed_fast"));
        res.total = std::max(res.total, real(field(s.run, "wall_seconds")));
    }
    // Records, each to its kernel and item: an item of the shard's own part
    // of the split, and once per kernel (a shard's output copied under
    // another index, or given twice, would count its items twice and leave
    // another shard's unjudged).
    std::vector<std::pair<size_t, Entry>> entries; // kernel, entry
    std::set<std::pair<size_t, size_t>> judged;    // kernel, item
    const auto all_ids = (*w)->item_ids();
    const auto all_weights = (*w)->item_weights();
    for (const auto& s : shards) {
        std::set<size_t> mine;
        for (size_t i : shard_items(all_ids, all_weights, s.shard))
            mine.insert(i);
        auto recs = record::read_jsonl(s.dir + "/results.jsonl");
        if (!recs)
            return report_error(recs.error(), json_out);
        std::map<std::string, std::string> label_of; // source -> label
        for (const auto& kj : *field(s.run, "kernels")->as_array())
            label_of[str(field(kj, "source"))] = str(field(kj, "label"));
        for (auto& r : *recs) {
            auto l = label_of.find(r.kernel_source);
            auto item = item_of.find((*w)->record_item(r));
            if (l == label_of.end() || item == item_of.end())
                return report_error(make_error(ErrorKind::input, s.dir + "/results.jsonl",
                                               "a record of " + r.id() + " on " + r.kernel_source +
                                                   " that its run.json does not plan",
                                               "merge the shards as 'iterconf run' wrote them"),
                                    json_out);
            if (!mine.count(item->second))
                return report_error(
                    make_error(ErrorKind::input, s.dir + "/results.jsonl",
                               "a record of " + r.id() + ", which is not in shard " +
                                   s.shard.text() + " of the split",
                               "merge each shard's output as 'iterconf run --shard' wrote it"),
                    json_out);
            if (!judged.emplace(kernel_at[l->second], item->second).second)
                return report_error(make_error(ErrorKind::input, s.dir + "/results.jsonl",
                                               "a second record of " + r.id() + " on " + l->second,
                                               "give each shard's output once"),
                                    json_out);
            std::string log;
            if (r.failed() && !r.log_file.empty()) {
                std::ifstream lf(s.dir + "/" + r.log_file);
                std::stringstream ls;
                ls << lf.rdbuf();
                log = ls.str();
            }
            entries.push_back(
                {kernel_at[l->second], Entry{item->second, std::move(r), std::move(log)}});
        }
    }
    // Kernel by kernel, in the workload's order (as one host pass writes them).
    std::stable_sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
        return std::pair{a.first, a.second.item} < std::pair{b.first, b.second.item};
    });
    for (auto& [kernel, e] : entries) {
        res.kernels[kernel].entries.push_back(res.entries.size());
        res.entries.push_back(std::move(e));
    }

    std::error_code ec;
    fs::create_directories(opts.out_dir, ec);
    if (ec)
        return report_error(make_error(ErrorKind::io, opts.out_dir,
                                       "cannot create output directory: " + ec.message()),
                            json_out);
    // A reused --out: the last merge's logs, kernel facts and consoles go
    // (else a new failure's log would be kept from the old one).
    for (const char* sub : {"logs", "kernels", "console"})
        fs::remove_all(fs::path(opts.out_dir) / sub, ec);
    record::JsonlWriter writer;
    if (auto o = writer.open(opts.out_dir + "/results.jsonl"); !o)
        return report_error(o.error(), json_out);
    for (const auto& e : res.entries)
        if (auto wr = writer.write(e.record); !wr)
            return report_error(wr.error(), json_out);
    writer.close();
    for (const auto& s : shards) {
        copy_tree(fs::path(s.dir) / "logs", fs::path(opts.out_dir) / "logs");
        // What each kernel was (package, version, sha256: iterconf report).
        copy_tree(fs::path(s.dir) / "kernels", fs::path(opts.out_dir) / "kernels");
        copy_tree(fs::path(s.dir) / "console", fs::path(opts.out_dir) / "console",
                  s.shard.whole() ? ""
                                  : ".shard-" + std::to_string(s.shard.index) + "-of-" +
                                        std::to_string(s.shard.count));
    }
    if (opts.json())
        for (const auto& e : res.entries)
            std::fputs((record::to_json(e.record) + "\n").c_str(), stdout);
    int rc = finish_run(opts, **w, res,
                        "merged from " + std::to_string(shards.size()) + " shard outputs");
    if (auto r = write_run_json(opts.out_dir, **w, res,
                                strings(field(first.run, "kernels_requested")), rc);
        !r)
        return report_error(r.error(), json_out);
    return rc;
}

} // namespace iterconf::cli
