// The program model (IR) for generated iterator programs.
//
// A Program is one BPF program of type tp_btf/sys_enter (non-sleepable, so an
// implicit RCU read-side section) or a sleepable syscall program (Prog) that
// uses up to two open-coded iterators on the stack, each of a kind from
// gen/kinds.hpp, and a task pointer (or css) from one of several sources. Operations
// form a tree (loops and branches hold bodies). The same Program is emitted
// as BPF C (emit_c) or raw bytecode (emit_bpf), and judged by the reference
// model (model/) without either. Standard library only.
//
// Frame layout (Program::frame()), shared by both emitters: two iterator
// locations of S bytes each, S the larger size of the program's two kinds,
// slot 0 at fp-S and slot 1 at fp-2S, then a scratch u64 and the map key
// below them (8-byte kinds: fp-8, fp-16, fp-24, fp-32). The model works on
// locations and never needs the offsets. next() results: slot 0 in r6,
// slot 1 in r7; the task pointer in r8.
#pragma once

#include "gen/kinds.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace iterconf::gen {

// Where the task pointer comes from that a new() taking a task gets
// (NewArg::task, gen/kinds.hpp: task_vma, task), and the css a new() taking
// a css gets (NewArg::css: css, css_task). The css is derived from the same
// dimension (one source per program, so no second axis), emitted only when
// one of the program's kinds takes a css, in r9 (main program):
//   current_btf, pid_checked  &bpf_cgroup_from_id(1)->self, NULL-checked (return 0),
//                             released at exit: trusted and referenced
//   pid_unchecked             the same without the NULL check (released if non-NULL)
//   current_scalar            (void *)bpf_get_current_task(): a scalar
//   walked                    &bpf_get_current_task_btf()->cgroups->dfl_cgrp->self:
//                             MEM_RCU, not trusted
//   null                      NULL
// A subprogram (Op::Code::call) gets the caller's css as its third argument;
// a bpf_loop callback acquires its own as current_btf does and releases it
// at its end.
enum class Task : uint8_t {
    current_btf,    // bpf_get_current_task_btf(): trusted, non-NULL
    pid_checked,    // bpf_task_from_pid(1), NULL-checked (return 0 if NULL), released before exit
    pid_unchecked,  // bpf_task_from_pid(1) passed without a NULL check (released if non-NULL)
    current_scalar, // (void *)bpf_get_current_task(): a scalar, not a pointer
    walked,         // bpf_get_current_task_btf()->last_wakee: an untrusted walk
    null,           // NULL
};

// The program type. tp_btf/sys_enter is non-sleepable: an implicit RCU
// read-side section, no sleepable kfunc, css_task's allow-list refuses it.
// syscall (BPF_PROG_TYPE_SYSCALL with BPF_F_SLEEPABLE) is sleepable: the
// kinds tp_btf cannot host (kmem_cache, dmabuf, css_task) get valid programs
// there, and the RCU-protected ones (task, css) are used outside an RCU
// section (there is no bpf_rcu_read_lock() op yet). Guests run an accepted
// syscall program with BPF_PROG_TEST_RUN instead of attaching it.
enum class Prog : uint8_t {
    tp_btf,
    syscall,
};

// The address an operation passes as the iterator.
enum class Where : uint8_t {
    slot,       // the slot's own address (Program::frame(): fp-8 or fp-16 for 8-byte kinds)
    misaligned, // the slot's address + 4
    global,     // a global variable in .bss
    map_value,  // the value of an array map (looked up, NULL-checked)
    other,      // the other slot's address: aliases the other iterator
    outside,    // below the frame: the slot's address - 1024 (past MAX_BPF_STACK, 512)
    above,      // above the frame: fp+8 (C: the slot's address + 1024)
};

struct Op {
    enum class Code : uint8_t {
        new_,    // new(where, <the kind's arguments>): task_vma (task, start), num (0, 3)
        next,    // v[slot] = next(where)
        destroy, // destroy(where)
        guard,   // if (v[slot]) { body }     (the NULL check)
        read,    // scratch = v[slot]->vm_start (ro_mem kinds: *v[slot])
        write,   // v[slot]->vm_start = 0 (ro_mem kinds: *v[slot] = 0)
        clobber, // *(u64 *)(slot address) = 0 (overwrite the iterator's stack slot)
        copy,    // *(u64 *)(fp-24) = *(u64 *)(slot address) (read the opaque iterator)
        loop,    // while ((v[slot] = next(&it[slot]))) { body }  (at most 1000 turns)
        branch,  // if (bpf_get_prandom_u32() & 1) { body } else { orelse }
        brk,     // break out of the innermost loop
        ret,     // return 0 (inside a subprogram: return from it)
        call,    // sub(&it[slot], task): a static subprogram whose body is `body`;
                 // there, ops on `slot` go through the pointer argument, v[] are
                 // the callee's own (NULL at entry), ret returns to the caller
        bpfloop, // bpf_loop(1, cb, &it[slot], 0): a callback whose body is `body`, as
                 // for call, except that its task is bpf_get_current_task_btf()
    };
    Code code = Code::new_;
    uint8_t slot = 0;
    Where where = Where::slot;
    uint64_t start = 0; // new(): the start address (NewArg::start: task_vma)
    std::vector<Op> body, orelse;

    bool operator==(const Op&) const = default;
};

// Stack offsets from the frame pointer (negative).
struct Frame {
    std::array<int16_t, 2> slot; // each slot's iterator
    int16_t scratch;             // a u64: read/copy results, bits' words
    int16_t key;                 // the u32 key of the map lookup
};

struct Program {
    Task task = Task::current_btf;
    Prog prog = Prog::tp_btf;
    std::array<Kind, 2> kinds{k_default_kind, k_default_kind};
    std::vector<Op> ops;
    // The first iterator's stack offset (fp + at) when the enumerator's
    // address dimension places it (Bound::addrs): any offset, in the frame
    // or not, aligned or not. Its ops use the frame's addresses only (a
    // slot's own, +4, the other's), and frame() moves slot 1, the scratch
    // u64 and the map key out of its way. Unset: where frame() puts slot 0.
    std::optional<int16_t> at;

    bool operator==(const Program&) const = default;
    // Whether the program touches slot 1 (else it has one iterator).
    bool uses_slot1() const;
    // Whether one of its kinds takes a css (NewArg::css): the css source is emitted.
    bool needs_css() const;
    // Structural checks: brk only inside a loop, slots < 2, a call's or
    // bpfloop's body uses only its own slot at Where::slot/misaligned and
    // holds no call or bpfloop;
    // "" when valid.
    std::string validate() const;
    // A stable, readable one-line form, also the program's identity:
    // "task=current_btf kinds=vma,num | new0 loop0{read0 brk} destroy0"
    // ("task=current_btf kinds=num at=-264 | new0 destroy0" when placed,
    // "prog=syscall task=current_btf kinds=kmem_cache | new0 destroy0" for syscall)
    std::string text() const;
    // A short stable name from text() (FNV-1a, hex), for ids and file names.
    std::string name() const;
    // The stack layout for the program's kinds.
    Frame frame() const;
};

// Parses the ops part of Program::text() ("new0 loop0{read0 brk} call0{next0}
// next1@global"; start addresses are not read back). Returns "" or what is wrong.
std::string parse_ops(const std::string& text, std::vector<Op>& out);

const char* to_string(Kind k);
const char* to_string(Task t);
const char* to_string(Prog p);
const char* to_string(Where w);
const char* to_string(Op::Code c);

} // namespace iterconf::gen
