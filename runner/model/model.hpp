// The reference model: what the Linux BPF verifier must say about a
// generated program (gen::Program) on a given kernel, without loading it.
//
// A typestate interpreter over all paths of the program, explored in the
// verifier's own order (do_check(): the fall-through first, the pushed branch
// target later; process_iter_next_call(): the DRAINED continuation of a
// next() first, the queued ACTIVE one later). The verdict is the first error
// on that walk, and its messages come from one table keyed by message and
// kernel version range (model.cpp, kMessages). Every rule, with the verifier
// function it mirrors, is listed in runner/model/README.md.
//
// Standard library only: no libbpf, no files, no logs.
#pragma once

#include "common/kver.hpp"
#include "gen/beliefs.hpp"
#include "gen/program.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace iterconf::model {

// How process_iter_arg() and check_kfunc_args() name an argument.
enum class ArgWording : uint8_t {
    regno,       // "arg #1", "arg#1 pointer ...": 6.x before bd74e238ae69 (< 6.12.5)
    zero_index,  // "arg #0" (bd74e238ae69: 6.13, 6.12.5)
    zero_or_reg, // [6.19, 7.2): not pinned, matched with a regex alternative
    reg,         // "R1", "R2": argno_t / reg_arg_name() (seen on 7.2.13 and 7.3-rc7)
};

// The kernel as the model needs it: the version and what follows from it
// (model/features.cpp).
struct KernelFeatures {
    KernelVersion version;

    bool has_task_from_pid = false;  // bpf_task_from_pid()/bpf_task_release(): 6.2
    bool has_cgroup_from_id = false; // bpf_cgroup_from_id()/bpf_cgroup_release(): 6.2
    // process_iter_arg() rejects an iterator that is not PTR_TO_STACK
    // (12659d28615d: 6.13, backported to 6.12.5). Before it a global or map
    // value iterator was mistaken for a stack slot: not modelled (unpinned).
    bool iter_on_stack_check = false;
    ArgWording args = ArgWording::regno;
    // check_reference_leak() at a bpf_loop callback's BPF_EXIT rejects
    // references the callback acquired (callback_ref). Measured: 6.18.44
    // does not check; see model.cpp kNoCallbackRef for the version.
    bool callback_leak_check = false;

    // Whether the kind's kfuncs exist: the release its row in gen/kinds
    // names (KindInfo::since) or later.
    bool has(gen::Kind k) const;

    static KernelFeatures from_version(const KernelVersion& v);
    static KernelFeatures from_version(int major, int minor, int patch);
    // From a release string such as "6.18.44-fc-v657" or "7.3.0-rc7", read
    // by common/kver's parse_release(); false if it does not start with N.N.
    static bool from_release(const std::string& release, KernelFeatures& out);
    // A version code that orders versions: major * 1e6 + minor * 1e3 + patch.
    uint32_t code() const;
    std::string text() const; // "6.12.5"
};

// Why the verifier rejects (or, for none, accepts) a program.
enum class Reason : uint8_t {
    none,            // accepted
    unsupported,     // a called kfunc is missing on this kernel (not a verdict of the verifier)
    missing_destroy, // an iterator reference is still held at BPF_EXIT (check_reference_leak)
    double_new,      // new() on an active or drained slot, or a multi-slot new() on one
                     // whose other slots a clobbered iterator left STACK_ITER
                     // (is_iter_reg_valid_uninit)
    uninit_iter,     // next()/destroy()/loop on a slot that is not an iterator (never
                     // created, or destroyed): is_iter_reg_valid_init
    clobbered_iter,  // the same, on a slot overwritten while its iterator was live
    not_on_stack,    // iterator address is a global or a map value (process_iter_arg)
    misaligned,      // iterator address not 8-byte aligned (stack_slot_obj_get_spi)
    outside_frame,   // iterator address below the stack (check_stack_access_within_bounds,
                     // is_iter_reg_valid_init) or above the frame (stack_slot_obj_get_spi)
    wrong_kind,      // next()/destroy() of one kind on a slot holding another kind's
                     // iterator (is_iter_reg_valid_init: btf_id)
    untrusted_task,  // walked, neither trusted nor RCU (check_kfunc_args, KF_RCU)
    null_task,       // task is the constant NULL (check_kfunc_args)
    maybe_null_task, // task may be NULL: bpf_task_from_pid() unchecked (check_kfunc_args)
    scalar_task,     // task is a scalar: bpf_get_current_task() (get_kfunc_ptr_arg_type)
    unchecked_vma,   // read/write through v[slot] (any kind's result) while it is NULL
                     // (never assigned, or the drained next() result): check_mem_access
                     // on a scalar
    stale_ptr,       // read/write through an ro_mem result (num, bits) after destroy()
                     // released the iterator it belongs to (release_reference ->
                     // unknown scalar)
    write_vma,       // store through a non-NULL btf_struct result (vma):
                     // check_ptr_to_btf_access
    write_num,       // store through a non-NULL ro_mem result (num, bits): rdonly_mem,
                     // check_mem_access
    iter_read,       // reading the opaque iterator bytes (check_stack_read_fixed_off)
    sleepable_kfunc, // a KF_SLEEPABLE kfunc (kmem_cache, dmabuf) in a non-sleepable
                     // program (check_kfunc_call)
    prog_type,       // css_task new() outside its allow-list (check_kfunc_args,
                     // check_css_task_iter_allowlist)
    null_css,        // css is the constant NULL (check_kfunc_args)
    maybe_null_css,  // css may be NULL: bpf_cgroup_from_id() unchecked
    scalar_css,      // css is a scalar (get_kfunc_ptr_arg_type)
    rcu_css,         // css is MEM_RCU, walked, not trusted (check_kfunc_args)
    no_rcu_cs,       // a KF_RCU_PROTECTED iterator (task, css) outside an RCU section:
                     // its new() (6.18+, check_kfunc_call) or its next()/destroy()
                     // (before: PTR_UNTRUSTED slots, process_iter_arg)
};

const char* to_string(Reason r);

struct Expectation {
    bool accept = true;
    Reason reason = Reason::none;
    // Contract-1 __msg patterns in log order: literal text with {{ERE}} parts.
    std::vector<std::string> msgs;
    // false when the model does not follow what this kernel does with the
    // program (README.md, "Not pinned": a global/map iterator before
    // 12659d28615d); the verdict is then a guess and msgs are empty. Fuzzers
    // should not report such programs.
    bool pinned = true;
    // Where the first error fires: "ops[1].body[0] write0", "ops[2] loop0 (next)"
    // (the loop condition), "exit"; "" when accepted.
    std::string at;
};

Expectation expect(const gen::Program& p, const KernelFeatures& k);

// What the verifier believes at each point of an accepted, pinned program
// (gen/beliefs.hpp): the union over every state the model's walk reaches
// the point in (the walk of expect(), pruned where the verifier prunes, so
// a pruned state adds nothing new). Empty for a rejected or unpinned
// program: the oracle checks only programs that run.
gen::Beliefs beliefs(const gen::Program& p, const KernelFeatures& k);

} // namespace iterconf::model
