// Version thresholds of the model, shared by KernelFeatures (features.cpp)
// and the message table (model.cpp, kMessages). Standard library only.
#pragma once

#include <cstdint>

namespace iterconf::model {

constexpr uint32_t ver(int major, int minor, int patch) {
    return static_cast<uint32_t>(major) * 1000000u + static_cast<uint32_t>(minor) * 1000u +
           static_cast<uint32_t>(patch);
}

// 12659d28615d "bpf: Ensure reg is PTR_TO_STACK in process_iter_arg" and
// bd74e238ae69 "bpf: Zero index arg error string for dynptr and iter": 6.13,
// stable 6.12.5 (the same merge).
constexpr uint32_t kZeroIndex = ver(6, 12, 5);
// The argno_t / reg_arg_name() rework ("R1" instead of "arg #0"): in 7.2.13,
// not in 6.18.44; 6.19 .. 7.1 unseen, matched with regex alternatives.
constexpr uint32_t kRegNameUnsure = ver(6, 19, 0);
constexpr uint32_t kRegName = ver(7, 2, 0);
// "R2 is scalar expected STRUCT task_struct": in 7.3-rc7, not in 7.2.13.
constexpr uint32_t kIsScalar = ver(7, 3, 0);
// task's unchecked (PTR_MAYBE_NULL) task__nullable: "R2 must be referenced
// or trusted" in 7.3-rc7, "R2 is trusted_ptr_or_null_ expected ..." in 7.2.13.
constexpr uint32_t kMaybeNullNotTrusted = ver(7, 3, 0);
// A bpf_loop callback's own references checked at its BPF_EXIT
// (callback_ref in check_reference_leak()): gone by 6.18.44 (measured);
// set to 6.13 from the source history, see README.md ("Not pinned").
constexpr uint32_t kNoCallbackRef = ver(6, 13, 0);

// stack_slot_obj_get_spi() refuses a non-negative offset ("off >= 0 ||
// off % BPF_REG_SIZE": fp+0 gives "cannot pass in iter at an offset=0");
// without it fp+0 is spi 0, fp-8's slot. Measured: 6.18.44 and 7.2.13
// refuse it, 6.12.117 does not; 6.13 .. 6.17 not seen (unpinned).
constexpr uint32_t kIterOffNonNegUnsure = ver(6, 13, 0);
constexpr uint32_t kIterOffNonNeg = ver(6, 18, 0);

// "bpf: Enforce RCU protection for KF_RCU_PROTECTED" (Sep 2025, 6.18): a
// KF_RCU_PROTECTED new() outside an RCU section fails at once ("kernel func
// %s requires RCU critical section protection"; absent from 6.12.117,
// present in 6.18.44 and 7.2.13); before it the new() is accepted with the
// slots PTR_UNTRUSTED and the next()/destroy() fail.
constexpr uint32_t kRcuAtNew = ver(6, 18, 0);
// 4cc8c50c9abc "bpf: Make the pointer returned by iter next method valid"
// (6.12; stable 6.11.3, not modelled): a next() result that is a struct
// pointer is PTR_TRUSTED (or MEM_RCU for KF_RCU_PROTECTED kinds); before,
// a plain PTR_TO_BTF_ID. Only a trusted one is reg_not_null().
constexpr uint32_t kNextTrusted = ver(6, 12, 0);

} // namespace iterconf::model
