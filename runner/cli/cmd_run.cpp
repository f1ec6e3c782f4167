// iterconf run: judge a workload (case programs by default; generated
// programs, fuzz inputs or bounds layouts on request) on one or more
// kernels (the running one, and any booted under QEMU). The options common
// to every workload and the run itself are cli/session.*; the workloads are
// cli/workloads.hpp. This file only picks one.
#include "cli/common.hpp"
#include "cli/session.hpp"
#include "cli/workloads.hpp"

#include <cstdio>

namespace iterconf::cli {

namespace {

constexpr const char* k_usage = R"(usage: iterconf run [workload] [options]

Judges each item of a workload on each kernel. On the running kernel
programs are only loaded (verified), never attached or run; other kernels
are booted under QEMU, one guest per kernel, with the results on a serial
port of their own and the console scanned for panics, oopses and warnings.

workloads (default: cases):
  cases                  each selected program of the case files, checked
                         against its annotations (contract 1)
  --generated            the generated corpus (every program up to --bound B,
                         default ops=3,depth=2,slots=1,tasks=1,wheres=1,
                         calls=1), loaded through the bytecode path and
                         checked against the reference model; --limit N
                         judges only the first N on the host
  --generated --inputs DIR   the programs the fuzz inputs in DIR decode to
                         (e.g. a fuzz_protocol campaign's accepted/)
  --bounds-corpus DIR    fuzz_iter_bounds inputs (the task_vma walk vs
                         /proc/PID/maps); repeatable

kernels (every workload):
  --kernel K             host (default), a manifest name (see 'iterconf
                         kernels list'), 'all' (host + every manifest
                         kernel), or a path to a bzImage; repeatable and
                         comma-separated: --kernel host,debian-6.12
  -j, --jobs N           guests booted at once (default: number of cores)
  --accel auto|tcg|kvm   QEMU accelerator; auto tries KVM by booting with it
                         and falls back to TCG (default: auto)
  --boot-timeout S       seconds for a guest to reach the agent (default 180)
  --timeout S            seconds an item may take in a guest before it is
                         judged 'timeout' and the guest rebooted (default 120)
  --pin FILE             manifest kernels at exactly the versions of a lock
                         file ('iterconf kernels lock'), fetched when the
                         cache has another; a version the archive no longer
                         has is one error line (that kernel not judged, exit 1)
  --guest-append TEXT    more guest kernel command line (fault injection:
                         iterconf.crash_at=N, iterconf.hang_at=N)
  --bench                also time each guest's boot floor, print guest
                         and host verdicts/s side by side (adds host, judged
                         first and alone) and where each kernel's time goes,
                         phase by phase in ms per item
  --fail-fast            stop at the first mismatch, crash or timeout: no
                         more items are dispatched (a guest is stopped), the
                         records so far are written and the run exits 1
  --shard I/N            judge only shard I of N (1-based) of the selected
                         items, split by item id and weight the same way on
                         every machine; 'iterconf merge' joins the shards

cases:
  --cases PATH           .bpf.c / .bpf.o file or directory (repeatable);
                         default: the corpus this binary was built with
  -I, --include DIR      extra include directory for compiling C cases,
                         searched before ours (vmlinux.h, bpf_misc.h, ...)
  -D, --define NAME[=V]  a macro for compiling C cases, e.g.
                         -D BPF_NO_KFUNC_PROTOTYPES for headers that declare
                         kfuncs themselves (selftests before bpftool 7.4)
  -a, --allow, --filter GLOB   select programs whose id (case/program) matches
  -d, --deny GLOB        skip programs whose id matches
  --known-bugs FILE      known kernel bugs, for cases and --generated
                         (default images/known-bugs.toml; 'none' for no list)

output (every workload):
  --out DIR              output directory (default: out): results.jsonl,
                         junit.xml, run.json (what was run), logs/, console/
  --format FMT           stdout format: table (default), json (JSONL), junit
  --json                 same as --format json
  --quiet                no progress on stderr (by default each kernel's phase:
                         fetch, boot, judging N/M, reboot after crash, done;
                         one updating line on a terminal, else plain lines,
                         judging at most every 10 s or 10% of the items)
  -v                     print each verdict as it arrives and logs of mismatches
  -vv                    also libbpf's debug output and every verifier log
  -h, --help             this text

exit (every workload): 0 every item was judged on every kernel and matched
(or is a known bug); 1 a mismatch, a known bug that no longer reproduces, or
a manifest kernel that could not be fetched (the others still ran); 2 usage
or harness error: bad options or input, a kernel that cannot boot or be
judged, a guest that stopped early, fewer items judged than planned, an
interrupted run (the records so far stay in results.jsonl). With
--fail-fast a run stopped at its first failure exits 1, not 2, though it
judged fewer items than planned. The highest applies.
)";

} // namespace

int cmd_run(int argc, char** argv) {
    RunOptions opts;
    CaseSelection sel;
    std::string v, known_bugs, inputs;
    std::vector<std::string> corpora;
    bool generated = false, bound_given = false;
    gen::Bound bound;
    size_t limit = 0;
    std::vector<std::string> case_options; // given, for the mode check below
    Args args(argc, argv);
    while (!args.done()) {
        std::string arg = args.peek().substr(0, args.peek().find('='));
        if (args.flag("-h", "--help")) {
            std::fputs(k_usage, stdout);
            return 0;
        } else if (opts.parse(args)) {
        } else if (args.flag("--quiet")) {
            opts.quiet = true;
        } else if (args.option("--pin", v)) {
            opts.pin = v;
        } else if (args.flag("--generated")) {
            generated = true;
        } else if (args.option("--inputs", v)) {
            inputs = v;
        } else if (args.option("--bound", v)) {
            if (auto e = gen::parse_bound(v, bound); !e.empty())
                throw UsageError{"--bound: " + e};
            bound_given = true;
        } else if (args.option("--limit", v)) {
            limit = static_cast<size_t>(parse_number("--limit", v, 1));
        } else if (args.option("--bounds-corpus", v)) {
            corpora.push_back(v);
        } else if (args.option("--known-bugs", v)) {
            known_bugs = v; // cases and generated programs; not the bounds corpus
        } else if (sel.parse(args)) {
            case_options.push_back(arg);
        } else {
            throw UsageError{"unknown argument '" + args.peek() + "'"};
        }
    }
    if (generated && !corpora.empty())
        throw UsageError{"--generated and --bounds-corpus are two workloads; give one"};
    if (!generated && (!inputs.empty() || bound_given || limit))
        throw UsageError{std::string(!inputs.empty() ? "--inputs"
                                     : bound_given   ? "--bound"
                                                     : "--limit") +
                         " needs --generated"};
    if (!inputs.empty() && bound_given)
        throw UsageError{"--inputs and --bound are exclusive (the inputs are the programs)"};
    if (!corpora.empty() && !known_bugs.empty())
        throw UsageError{"--known-bugs is for cases and --generated, not with --bounds-corpus"};
    if ((generated || !corpora.empty()) && !case_options.empty())
        throw UsageError{case_options.front() + " is for cases, not with " +
                         (generated ? "--generated" : "--bounds-corpus")};
    sel.out_dir = opts.out_dir;

    WorkloadArgs a{.kind = !corpora.empty()               ? "bounds"
                           : generated && !inputs.empty() ? "inputs"
                           : generated                    ? "generated"
                                                          : "cases",
                   .sel = sel,
                   .known_bugs = known_bugs,
                   .bound = generated && inputs.empty() ? bound.text() : "",
                   .limit = limit,
                   .inputs = inputs,
                   .corpora = corpora};
    auto w = make_workload(a, opts);
    if (!w)
        return report_error(w.error(), opts.json());
    return run_session(opts, **w);
}

} // namespace iterconf::cli
