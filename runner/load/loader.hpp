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
#include <memory>
#include <string>
#include <vector>

struct btf;

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
    int64_t load_us = 0;
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

} // namespace iterconf::load
