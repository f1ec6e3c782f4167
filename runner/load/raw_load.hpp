// Loads (verifies) a raw gen::BpfProgram on the running kernel with
// bpf(BPF_PROG_LOAD) and classifies the outcome. Never attaches or runs
// anything: the program fd is closed right after the load.
//
// The program is loaded as tp_btf/sys_enter, exactly as libbpf loads
// SEC("tp_btf/sys_enter"): BPF_PROG_TYPE_TRACING, expected attach type
// BPF_TRACE_RAW_TP, attach_btf_id = the BTF typedef btf_trace_sys_enter, GPL.
// Relocations are resolved against vmlinux BTF: kfuncs to their BTF ids,
// FieldRefs to member offsets; MapRefs to two BPF_MAP_TYPE_ARRAY maps (key 4,
// value gen::k_map_value_size, 1 entry) created once per process and kept
// until it exits. A program of more than one function (subprograms, bpf_loop
// callbacks: gen::BpfProgram::funcs) also gets a small program BTF, made and
// loaded once per process, with one func_info record per function: the
// verifier rejects a callback without it ("missing btf func_info").
#pragma once

#include "common/result.hpp"
#include "gen/emit_bpf.hpp"
#include "load/classify.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace iterconf::load {

struct RawOptions {
    int log_level = 1;           // verifier log level
    size_t log_size = 16u << 20; // verifier log buffer
    uint32_t prog_flags = 0;     // BPF_F_* (e.g. BPF_F_TEST_STATE_FREQ)
    // Inside a QEMU guest only: attach an accepted program to sys_enter,
    // make a few syscalls so that it runs, then detach. Refused unless the
    // environment says this is the guest (ITERCONF_GUEST=1, set by the
    // initramfs's /init): a verifier-accepted misuse can oops the kernel
    // that runs it, and that must never be the host's.
    bool run = false;
};

struct RawOutcome {
    // accept / reject (with the verifier's error line) / load_error, or
    // unsupported when something the program needs is missing from kernel
    // BTF: message "kfunc A B missing from kernel BTF" (also listed in
    // missing_kfuncs), "field T.m missing from kernel BTF", or
    // "attach target btf_trace_sys_enter missing from kernel BTF". Nothing
    // is loaded then.
    Classified result;
    std::string log;
    int64_t insns_processed = -1;
    int64_t load_us = 0;
    std::vector<std::string> missing_kfuncs;
    bool ran = false;   // attached and triggered (RawOptions::run)
    int64_t run_us = 0; // attach, trigger and detach (RawOptions::run)
    // A program emitted with embedded beliefs (gen/beliefs.hpp) that ran:
    // how many times its main program ran while attached (-1: not read),
    // and the violations counted at each point (gen::k_max_points of them).
    int64_t runs = -1;
    std::vector<uint64_t> violations;
    std::vector<uint64_t> reached; // times each point's check ran
    // Why the counters could not be reset or read back ("" when they were).
    std::string oracle_error;
};

class RawLoader {
  public:
    // Reads vmlinux BTF and creates the three maps (gen::MapKind), once per process (later
    // calls share them). An infra error when kernel BTF is unreadable or the
    // maps cannot be created (e.g. bpf() not permitted: "... (EPERM)").
    // `not_permitted`, when given, says by type that the error is the
    // process lacking bpf() rights (a skip for tests and fuzzers), not a
    // harness fault.
    static Result<RawLoader> open(bool* not_permitted = nullptr);

    // Thread-safe; programs are loaded one at a time per call.
    RawOutcome load(const gen::BpfProgram& prog, const RawOptions& opts = {}) const;

    // The insns with every relocation applied, as they are handed to the
    // kernel; an error names the kfunc / field that is missing.
    Result<std::vector<gen::Insn>> relocate(const gen::BpfProgram& prog) const;

    struct State; // process-wide: BTF, map fds, resolved ids and offsets

  private:
    explicit RawLoader(std::shared_ptr<State> s) : m_state(std::move(s)) {}
    std::shared_ptr<State> m_state;
};

} // namespace iterconf::load
