// Raw BPF bytecode for a gen::Program: the same programs emit_c writes as C,
// as instructions a loader can hand to bpf(BPF_PROG_LOAD) directly (no clang,
// no object file). Standard library only: the instruction layout and the
// opcodes are defined here, and whatever depends on the running kernel is
// left as a relocation for the loader (load/raw_load) to fill in:
//   - kfunc calls (BTF id of the kfunc in vmlinux BTF),
//   - map references (fd of one of two array maps the loader creates),
//   - struct field offsets (from vmlinux BTF: task_struct.last_wakee, and
//     the field a kind's next() result is read through, KindInfo::field).
//
// The program is of type tp_btf/sys_enter; its context (r1) is unused.
// Frame: Program::frame() (8-byte kinds: slot 0 at fp-8, slot 1 at fp-16,
// scratch u64 at fp-24, the map key at fp-32). new()'s arguments after the
// iterator are the kind's (gen/kinds.hpp), in r2, r3, ... Registers: r6/r7 the next() results of
// slot 0/1 (zero at entry), r8 the task pointer, r9 a subprogram's iterator pointer, r0 scratch;
// r0-r5 are clobbered by every call. Layout of the emitted code:
//
//   r6 = 0; r7 = 0; <task prologue>; <ops>;
//   epilogue:  [pid_*: if r8 == 0 goto exit; r1 = r8; call bpf_task_release]
//   exit:      r0 = 0; exit
//
// A `call` op becomes `r1 = fp + slot; r2 = r8; call <sub>` (BPF_PSEUDO_CALL),
// its body a subprogram appended after the main program's exit:
//   sub:  r9 = r1; r8 = r2; r6 = 0; r7 = 0; <body>; ret: r0 = 0; exit
// where the body's iterator address is r9 (+4 when misaligned), clobber and
// copy go through r9, and `ret` jumps to the subprogram's own return. A
// `bpfloop` op is `r1 = 1; r2 = <cb> (ld_imm64 BPF_PSEUDO_FUNC); r3 = fp +
// slot; r4 = 0; call bpf_loop`, its callback a subprogram as above that
// starts with r9 = r2 (the context) and r8 = bpf_get_current_task_btf().
//
// Falling off the end of the ops, `ret`, and a NULL map lookup go to
// `epilogue`; the NULL check of pid_checked goes to `exit`. Ops that cannot
// be reached (after brk or ret in the same body) are not emitted, nor is a
// loop's back edge or a branch's jump over its else arm when the body ends
// in brk or ret: the verifier rejects unreachable instructions.
#pragma once

#include "gen/beliefs.hpp"
#include "gen/program.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace iterconf::gen {

// struct bpf_insn, bit for bit.
struct Insn {
    uint8_t code = 0;
    uint8_t dst : 4 = 0;
    uint8_t src : 4 = 0;
    int16_t off = 0;
    int32_t imm = 0;

    bool operator==(const Insn&) const = default;
};
static_assert(sizeof(Insn) == 8, "Insn must match struct bpf_insn");

// The parts of the BPF instruction set the emitter uses (linux/bpf.h,
// linux/bpf_common.h), under our own names.
namespace op {
// classes
inline constexpr uint8_t k_ld = 0x00;
inline constexpr uint8_t k_ldx = 0x01;
inline constexpr uint8_t k_st = 0x02;
inline constexpr uint8_t k_stx = 0x03;
inline constexpr uint8_t k_alu = 0x04;
inline constexpr uint8_t k_jmp = 0x05;
inline constexpr uint8_t k_jmp32 = 0x06;
inline constexpr uint8_t k_alu64 = 0x07;
// sizes
inline constexpr uint8_t k_w = 0x00;
inline constexpr uint8_t k_h = 0x08;
inline constexpr uint8_t k_b = 0x10;
inline constexpr uint8_t k_dw = 0x18;
// modes
inline constexpr uint8_t k_imm = 0x00;
inline constexpr uint8_t k_mem = 0x60;
inline constexpr uint8_t k_atomic = 0xc0; // BPF_ATOMIC, imm = the operation (k_add)
// sources
inline constexpr uint8_t k_k = 0x00;
inline constexpr uint8_t k_x = 0x08;
// ALU operations
inline constexpr uint8_t k_add = 0x00;
inline constexpr uint8_t k_or = 0x40;
inline constexpr uint8_t k_and = 0x50;
inline constexpr uint8_t k_rsh = 0x70;
inline constexpr uint8_t k_neg = 0x80;
inline constexpr uint8_t k_xor = 0xa0;
inline constexpr uint8_t k_mov = 0xb0;
// jump operations
inline constexpr uint8_t k_ja = 0x00;
inline constexpr uint8_t k_jeq = 0x10;
inline constexpr uint8_t k_jne = 0x50;
inline constexpr uint8_t k_call = 0x80;
inline constexpr uint8_t k_exit = 0x90;
// src_reg of a call / of ld_imm64
inline constexpr uint8_t k_pseudo_map_fd = 1;     // BPF_PSEUDO_MAP_FD
inline constexpr uint8_t k_pseudo_call = 1;       // BPF_PSEUDO_CALL (bpf-to-bpf)
inline constexpr uint8_t k_pseudo_func = 4;       // BPF_PSEUDO_FUNC (ld_imm64 of a callback)
inline constexpr uint8_t k_pseudo_map_value = 2;  // BPF_PSEUDO_MAP_VALUE
inline constexpr uint8_t k_pseudo_kfunc_call = 2; // BPF_PSEUDO_KFUNC_CALL
// registers
inline constexpr uint8_t k_fp = 10;
} // namespace op

// Helper ids (enum bpf_func_id): stable across kernels, no relocation needed.
namespace helper {
inline constexpr int32_t k_map_lookup_elem = 1;
inline constexpr int32_t k_get_prandom_u32 = 7;
inline constexpr int32_t k_get_current_task = 35;
inline constexpr int32_t k_get_current_task_btf = 158;
inline constexpr int32_t k_loop = 181;
} // namespace helper

// Both maps are BPF_MAP_TYPE_ARRAY, key u32, one entry of this many bytes
// (slot 0's iterator at +0, slot 1's at +8).
inline constexpr uint32_t k_map_value_size = 16;

// A kfunc call `call <name>`: code JMP|CALL, src = k_pseudo_kfunc_call,
// off = 0 (vmlinux BTF). The loader sets imm to the kfunc's BTF id.
struct KfuncRef {
    size_t insn = 0;
    std::string name; // "bpf_iter_task_vma_new"
    bool operator==(const KfuncRef&) const = default;
};

enum class MapKind : uint8_t {
    global,  // stands in for .bss: ld_imm64 src=k_pseudo_map_value, insns[i+1].imm = offset
    array,   // looked up with bpf_map_lookup_elem: ld_imm64 src=k_pseudo_map_fd
    beliefs, // the oracle's counters (gen/beliefs.hpp), as global: src=k_pseudo_map_value
};

// The first half of an ld_imm64 naming a map; the emitter sets src and the
// offset (second half's imm), the loader sets insns[insn].imm to the map fd.
struct MapRef {
    size_t insn = 0;
    MapKind map = MapKind::global;
    bool operator==(const MapRef&) const = default;
};

// A load or store whose off is a struct member's byte offset from kernel
// BTF. The emitter leaves off = 0; the loader adds the offset of `field`,
// written "<struct>.<member>[.<member>...]" ("task_struct.last_wakee"),
// members of anonymous structs and unions being found through them.
struct FieldRef {
    size_t insn = 0;
    std::string field;
    bool operator==(const FieldRef&) const = default;
};

// The functions of a program: the main program at insn 0, then each
// subprogram and bpf_loop callback. With more than one, the loader passes
// program BTF with one func_info record per function (the verifier needs
// it for callbacks: "missing btf func_info").
enum class FuncKind : uint8_t {
    main,       // int (void *ctx)
    subprogram, // static int (void *it, void *task)
    callback,   // static int (__u64 index, void *ctx)
};
struct FuncEntry {
    size_t insn = 0;
    FuncKind kind = FuncKind::main;
    bool operator==(const FuncEntry&) const = default;
};

struct BpfProgram {
    // The program type (Program::prog): tp_btf/sys_enter, or a sleepable
    // syscall program (BPF_PROG_TYPE_SYSCALL, BPF_F_SLEEPABLE).
    bool syscall = false;
    std::vector<Insn> insns;
    std::vector<FuncEntry> funcs;
    std::vector<KfuncRef> kfuncs;
    std::vector<MapRef> maps;
    std::vector<FieldRef> fields;

    bool operator==(const BpfProgram&) const = default;
    // The distinct kfuncs called, sorted.
    std::vector<std::string> kfunc_names() const;
};

// Requires p.validate() to be empty and jumps that fit in 16 bits (programs
// of fewer than 32768 instructions); otherwise the output is unspecified
// (but emit_bpf stays memory-safe). Deterministic: the same
// Program gives the same BpfProgram.
//
// With `embed` (the state-embedding oracle, gen/beliefs.hpp), each point
// below k_max_points whose belief is definite gets a check of it, and the
// main program's entry counts its runs:
//   entry:      r1 = map[beliefs] + 8; r2 = 1; lock *(u64 *)(r1 + 0) += r2
//   point p:    r1 = map[beliefs] + point_off(p)
//               *(u64 *)(r1 + 0) = v; r2 = *(u64 *)(r1 + 0)   (v as a scalar:
//                   the verifier does not track map contents, so it cannot
//                   fold the check away, and nothing it believes changes)
//               r3 = r2; r3 = -r3; r2 |= r3; r2 >>= 63         (r2 = v != 0)
//               [believed NULL: as is; non-NULL: r2 ^= 1; unreached: r2 = 1]
//               lock *(u64 *)(r1 + 8) += r2                    (a violation)
//               r2 = 1; lock *(u64 *)(r1 + 16) += r2           (reached)
// using r1-r3 only (dead at every point: r0, the loop's NULL test, is kept).
// The stores need allow_ptr_leaks (root), as the loader has in the guest.
BpfProgram emit_bpf(const Program& p, const Beliefs* embed = nullptr);

// A readable listing in the verifier's own syntax, one instruction a line,
// relocations shown by name:
//   "  5: (85) call bpf_iter_task_vma_new#kfunc"
//   "  9: (18) r1 = map[global] + 8"
std::string disasm(const BpfProgram& prog);

} // namespace iterconf::gen
