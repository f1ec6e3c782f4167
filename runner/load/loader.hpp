// Loads (verifies) one program of a case object into the running kernel with
// libbpf and judges it. Never attaches or runs anything.
#pragma once

#include "common/result.hpp"
#include "expect/spec.hpp"
#include "load/classify.hpp"
#include "load/elf_scan.hpp"
#include "load/known.hpp"
#include "record/record.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

struct btf;
union bpf_attr;

namespace iterconf::load {

struct CaseProgram {
    std::string name;
    std::string section;
    expect::ProgramSpec spec;
    std::vector<KfuncRef> kfuncs;
};

// One compiled case file: its programs with their expectations.
struct CaseObject {
    std::string id;      // "task_vma/double_new"
    std::string object;  // path of the .bpf.o
    std::string display; // path shown in messages (the .bpf.c when known)
    std::string license;
    std::vector<CaseProgram> programs;

    std::string where(const std::string& prog) const {
        return display + ": prog '" + printable(prog) + "'";
    }
};

// Reads programs, kfunc calls and annotations. A malformed or unknown
// annotation, or a call to a kfunc no kernel has (known neither to
// images/kfuncs.txt nor to the running kernel's BTF), is an error naming the
// file and program.
Result<CaseObject> open_case(const std::string& object, const std::string& id,
                             const std::string& display);

// The running kernel: release, version and BTF (for the kfunc check).
class HostKernel {
  public:
    static Result<HostKernel> open();
    HostKernel(HostKernel&&) noexcept;
    HostKernel& operator=(HostKernel&&) noexcept;
    ~HostKernel();

    const std::string& release() const { return m_release; }
    const expect::KernelVersion& version() const { return m_version; }
    bool has_kfunc(const std::string& name) const;
    // Whether the program's attach target (lsm/fentry/tp_btf) is in this
    // kernel's BTF, or known from other kernels when it is not.
    AttachCheck attach_target(const std::string& section) const;
    // Loads a minimal tracing program: an error when bpf() is not permitted.
    Result<void> probe_bpf() const;
    // True when `r0 = 0; exit` of this program type and attach target is
    // refused with the same error `err` and the same log `log` (often
    // none), no instruction verified: the kernel cannot load such programs
    // at all (e.g. no BPF trampoline, or an attach target that is not
    // sleepable in this kernel's configuration).
    bool refuses_program_type(const std::string& section, int type, int attach, uint32_t flags,
                              int err, const std::string& log) const;

  private:
    HostKernel() = default;
    std::string m_release;
    expect::KernelVersion m_version;
    struct btf* m_btf = nullptr;
    // Lookups by name scan the whole BTF: each name is looked up once.
    mutable std::map<std::string, bool> m_kfuncs;
    mutable std::map<std::string, AttachCheck> m_targets;
};

struct Options {
    int log_level = 1;           // unless the program's __log_level says otherwise
    size_t log_size = 16u << 20; // verifier log buffer
    bool echo_libbpf = false;    // -vv: also forward libbpf's messages to stderr
    // Called with the program's fd and type once it has loaded, before the
    // object is closed. Only the guest agent sets it (to run the program).
    std::function<void(int prog_fd, int prog_type)> on_loaded;
};

struct LoadOutcome {
    // For `unsupported`, result.message says why: known kfuncs missing from
    // kernel BTF (also listed in missing_kfuncs), a known attach target
    // missing from it, or a program type / attach point the kernel refuses
    // even for a trivial program.
    Classified result;
    std::vector<std::string> missing_kfuncs;
    std::string log;
    std::string libbpf_text;
    int64_t insns_processed = -1;
    // The bpf(BPF_PROG_LOAD) call alone when in_pass, else libbpf's whole
    // bpf_object__load() (kernel BTF, relocations, maps and the call).
    int64_t load_us = 0;
    bool in_pass = false; // judged in the object's one libbpf pass
};

// Judges one program on the host kernel: `unsupported` when a kfunc it calls
// is missing from kernel BTF and known (images/kfuncs.txt), or its attach
// target is missing and known (an LSM hook), else loads it alone. When the
// load fails before the verifier runs, a trivial program of the same type and
// attach target is loaded with bpf_prog_load(): if the kernel refuses that
// too, with the same error, the program type is not available here and the
// verdict is `unsupported`.
LoadOutcome load_on_host(const CaseObject& obj, const CaseProgram& prog, const HostKernel& kernel,
                         const Options& opts);

// What load_programs_on_host() tells its caller, program by program (i is
// the index into `progs`): `before(i)` just before program i's
// bpf(BPF_PROG_LOAD) call (or its lone load), `loaded(i, fd, type)` while
// it is loaded, if it was (to run it), `after(i)` just after, and
// `judged(i, outcome)` once its outcome is final. Every program is judged
// once; with in_order, in the order of `progs`, program i before program
// i+1's before() (a guest sends each record before the next load). A
// program may see before()/after() twice: a failure the pass cannot judge
// is loaded again, alone.
struct LoadWatch {
    // Judged in the order of `progs` (a guest: each record before the next
    // load); else in any order (then the pass need not follow libbpf's
    // order of the programs).
    bool in_order = true;
    std::function<void(size_t)> before;
    std::function<void(size_t, int, int)> loaded;
    std::function<void(size_t)> after;
    std::function<void(size_t, LoadOutcome&&)> judged;
};

// Judges the programs `progs` of one case object, each as load_on_host()
// would alone (the same pre-checks, the same bpf() call and verdict, log and
// message), with one libbpf open and load of the object instead of one per
// program: every program to be loaded is enabled, and the interposer of
// bpf() (bpf_intercept.cpp) takes each program's BPF_PROG_LOAD as it goes
// to the kernel, judges it there, and lets libbpf go on to the next program
// when the kernel rejected one. What the pass cannot judge exactly as a
// lone load is loaded alone: a failure with no verifier log or with
// libbpf's poisoned-instruction markers (libbpf's own text and log
// fix-ups decide those; then a new pass for the programs after it), and
// every program of an object with a program array (which libbpf fills
// after all programs loaded), of an object whose programs libbpf would load
// in another order than `progs` (in_order), of a pass libbpf itself
// failed, or when
// the interposer is not linked in or ITERCONF_HOST_BATCH=0. opts.on_loaded
// is not used: see watch.loaded.
void load_programs_on_host(const CaseObject& obj, const std::vector<const CaseProgram*>& progs,
                           const HostKernel& kernel, const Options& opts, const LoadWatch& watch);

// A bpf() call on its way from libbpf to the kernel, for the calling
// thread's hook (bpf_intercept.cpp): true when the hook answered the call
// (the result in `ret`, errno set), having called `forward` (the real
// bpf()) or not; false to let the call through untouched.
using BpfHook = std::function<bool(int cmd, union bpf_attr* attr, unsigned size, long& ret,
                                   const std::function<long()>& forward)>;
BpfHook*& bpf_hook();
// Whether the interposer is linked into this binary.
bool bpf_intercept_linked();

} // namespace iterconf::load
