// One `iterconf run`, whatever it judges. A Workload says what the items
// are (case programs, generated programs, fuzz inputs, bounds layouts):
// how many, how to judge one on the running kernel, what the record of one
// the guest lost is, what plan the guest agent gets, and how to summarise.
// run_session() owns the rest, the same for every workload: the kernels,
// the QEMU guests and their worker threads, the host pass, the records
// (results.jsonl, junit.xml, logs, --json), Ctrl-C and the exit code.
//
// Exit codes, for every workload:
//   0  every item was judged on every kernel and matched (or is a known bug)
//   1  a mismatch, a known bug that no longer reproduces, or a manifest
//      kernel that could not be fetched (the other kernels still ran);
//      with --fail-fast also a run stopped at its first failed record
//      (fewer items judged than planned is then not an error)
//   2  usage or harness error: bad options or input, a kernel that cannot
//      boot or be judged, a guest that stopped early, a run that judged
//      fewer items than planned, an interrupted run (Ctrl-C; the records
//      judged so far stay in results.jsonl)
// The highest applies.
//
// Fault injection for the harness's own tests: ITERCONF_INTERRUPT_AFTER=N
// raises SIGINT once N records are in (testdata/cli/run_modes.sh).
#pragma once

#include "cli/common.hpp"
#include "cli/kernels.hpp"
#include "common/phases.hpp"
#include "common/result.hpp"
#include "common/shard.hpp"
#include "expect/kver.hpp"
#include "load/kmsg.hpp"
#include "qemu/plan.hpp"
#include "record/record.hpp"

#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace iterconf::cli {

// The options every workload takes, parsed and validated in one place.
struct RunOptions {
    std::vector<std::string> kernels; // --kernel, as given (default: host)
    unsigned jobs = 1;                // guests booted at once
    std::string accel = "auto";       // auto|tcg|kvm
    double boot_timeout = 180, timeout = 120;
    std::string guest_append;
    std::string out_dir = "out";
    std::string format = "table"; // table|json|junit
    int verbose = 0;
    bool bench = false;
    bool fail_fast = false; // stop dispatching after the first failed record
    bool quiet = false;     // no progress on stderr (--quiet)
    std::string pin;        // a lock file: manifest kernels at exactly its versions (--pin)
    Shard shard;            // --shard I/N: this run judges shard I of N of the items

    RunOptions();
    bool json() const { return format == "json"; }
    // Consumes the current argument when it is one of these options;
    // a bad value is a UsageError.
    bool parse(Args& args);
};

// "--opt takes a number >= min, not 'val'" (a UsageError) unless `val` is one.
double parse_number(const std::string& opt, const std::string& val, double min);

// What the guest agent gets: /iterconf/plan and files packed under /cases
// (guest path, host path).
struct GuestPlan {
    qemu::Plan plan;
    std::vector<std::pair<std::string, std::string>> files;
};

// One judged item and the text of its log file (empty: no file).
struct Judged {
    record::Record record;
    std::string log;
};

// The running kernel, as the host pass sees it.
struct HostContext {
    std::string release;
    expect::KernelVersion version;
    load::KmsgWatcher& kmsg; // the kernel log, to watch around each load
    Phases& phases;          // where the time goes (iterconf run --bench)
};

// One record as the run keeps it: which item, and its log when it failed.
struct Entry {
    size_t item = 0;
    record::Record record;
    std::string log;
};

// What happened on one kernel.
struct KernelResult {
    Kernel kernel;
    std::string release;
    std::optional<Error> error; // could not be judged, or stopped early
    int error_exit = 0;
    double wall = 0, judge_seconds = 0, floor = -1, boot_wall = 0;
    int boots = 0;
    double reboot_wall = 0;      // guests: QEMU start to the agent, boots after a loss
    Phases phases;               // host: the workload's; guests: the agent's
    size_t phase_items = 0;      // the items `phases` cover (guests: the boot with DONE)
    Phases host_phases;          // guests: the host's own share of judge_seconds
    std::vector<size_t> entries; // indices into RunResult::entries
    size_t planned = 0;          // the items it should judge (fewer judged: exit 2)

    std::string head() const {
        return kernel.label + (release.empty() ? "" : " (" + release + ")");
    }
};

struct RunResult {
    std::vector<KernelResult> kernels;
    std::vector<Entry> entries;
    bool interrupted = false;
    bool failed_fast = false; // --fail-fast stopped the run
    double total = 0;         // wall time, s
    std::string accel;        // the guests' accelerator (--bench)
    std::vector<record::Record> records_of(const KernelResult& k) const;
};

// What makes a workload: the options of `iterconf run` that choose and
// select the items (run.json's "args"; `iterconf merge` makes the same
// workload again from them to report on the merged records).
struct WorkloadArgs {
    std::string kind = "cases";       // cases | generated | inputs | bounds
    CaseSelection sel;                // cases
    std::string known_bugs;           // cases, generated, inputs
    std::string bound;                // generated: gen::Bound text ("": the default)
    size_t limit = 0;                 // generated: --limit
    std::string inputs;               // inputs: the directory
    std::vector<std::string> corpora; // bounds: the directories
};

// What a run judged (run.json): the workload, the corpus of all selected
// items before sharding, and the shard of it this run took.
struct RunIdentity {
    WorkloadArgs args;
    std::string corpus_hash; // common/shard.hpp corpus_hash()
    size_t corpus_items = 0; // selected items, every shard
    Shard shard;
};

class Workload {
  public:
    virtual ~Workload() = default;
    RunIdentity identity;
    // What an item is called in messages ("programs", "inputs").
    virtual const char* noun() const = 0;
    virtual size_t size() const = 0;
    // Items judged on the host (a --limit may make it fewer).
    virtual size_t host_size() const { return size(); }
    // Whether each record's log goes to <out>/logs/<kernel>/... .
    virtual bool keeps_logs() const { return false; }

    // Once, before anything is written, when the host is among the kernels:
    // an error makes the host a kernel that cannot be judged (exit 2).
    virtual Result<void> open_host() { return {}; }
    // Item i on the running kernel (loaded, never run).
    virtual Judged judge_on_host(size_t i, HostContext& host) = 0;
    // A record the guest agent judged: add what only the host knows.
    virtual void from_guest(size_t, record::Record&, const expect::KernelVersion&) {}
    // The record of item i when the guest crashed or hung on it.
    virtual record::Record lost(size_t i, record::Verdict v, const std::string& message,
                                const std::string& excerpt, const std::string& release,
                                const expect::KernelVersion& k) = 0;
    // The guest's plan (built once per run).
    virtual GuestPlan plan() const = 0;

    // The report, in the order printed: head, one line (or more) per
    // judged kernel, tail. `out` is stdout for --format table, else stderr.
    virtual void report_head(FILE*, const RunResult&) {}
    virtual void report_kernel(FILE* out, const KernelResult& k, const RunResult& r) = 0;
    virtual void report_tail(FILE*, const RunResult&) {}
    // Inputs that could not be judged at all (errors printed already): the
    // line that says so, and the run exits 2.
    virtual std::optional<std::string> not_judged() const { return std::nullopt; }

    // Shards. Each item's id (unique; the same on every machine) and weight
    // (its cost, roughly: 1 for most), and what else names the corpus (the
    // bound); keep_items() keeps only the items given (ascending).
    virtual std::vector<std::string> item_ids() const = 0;
    virtual std::vector<uint64_t> item_weights() const { return std::vector<uint64_t>(size(), 1); }
    virtual std::string corpus_salt() const { return identity.args.kind; }
    virtual void keep_items(const std::vector<size_t>& keep) = 0;
    // The id of the item a record is of (iterconf merge).
    virtual std::string record_item(const record::Record& r) const = 0;

    // Fills `identity` (hash over all items) and keeps shard `s` of them.
    void apply_shard(const Shard& s);
};

// The workload `a` describes (cli/workloads.hpp), shard `opts.shard` of it.
Result<std::unique_ptr<Workload>> make_workload(const WorkloadArgs& a, const RunOptions& opts);

// Writes <out>/run.json (what was run, per kernel the items planned and
// judged, whether it completed, and the exit code; -1 while running).
Result<void> write_run_json(const std::string& out_dir, const Workload& w, const RunResult& res,
                            const std::vector<std::string>& kernels_requested, int exit_code);

// The end of a run, for `run` and `merge` alike: junit.xml, the report
// (table/json/junit) and the exit code of the rules above; `what` is the
// run's "total wall time" line's tail, e.g. "4 jobs".
int finish_run(const RunOptions& opts, Workload& w, RunResult& res, const std::string& what);

// Judges `w` on the kernels of `opts`; returns the exit code (above).
int run_session(const RunOptions& opts, Workload& w);

} // namespace iterconf::cli
