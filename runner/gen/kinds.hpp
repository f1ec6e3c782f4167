// The open-coded iterator kinds the generator knows, as data: one row per
// kind (kinds.cpp, k_kinds), read by the enumerator, both emitters, the
// decoder, the minimizer and the model. Adding a kind is a row here, the
// kfunc declarations in cases/include/bpf_experimental.h, and model rules
// only where its verifier semantics differ from the row's fields.
// Standard library (and common/kver) only.
//
// Every kind is `int bpf_iter_<name>_new(struct bpf_iter_<name> *it, ...)`,
// `<next type> bpf_iter_<name>_next(struct bpf_iter_<name> *it)` and
// `void bpf_iter_<name>_destroy(struct bpf_iter_<name> *it)`; the struct is
// `__u64 __opaque[size / 8]` (one verifier stack slot per 8 bytes).
#pragma once

#include "common/kver.hpp"

#include <array>
#include <cstdint>
#include <span>

namespace iterconf::gen {

// Kind ids: append-only. fuzz_protocol inputs store them (gen/decode.hpp),
// so a new kind takes the next id and no id is reused or reordered.
enum class Kind : uint8_t {
    task_vma = 0,
    num = 1,
    bits = 2,
    task = 3,
    css = 4,
    css_task = 5,
    kmem_cache = 6,
    dmabuf = 7,
};

// The kind a program's slots have by default, and the one the minimizer
// simplifies to.
inline constexpr Kind k_default_kind = Kind::task_vma;

// An argument of new() after the iterator, in order (r2, r3, ...).
enum class NewArg : uint8_t {
    task,  // the program's task pointer (Program::task; a bpf_loop callback's own
           // bpf_get_current_task_btf()): task_vma (KF_RCU: trusted or RCU, non-NULL),
           // task (task__nullable: trusted or NULL)
    css,   // the program's css, derived from Program::task (gen/program.hpp): css,
           // css_task (trusted, non-NULL)
    start, // the op's start address (Op::start), any u64 scalar
    value, // the constant ArgSpec::value, any scalar
    words, // a pointer to the frame's scratch u64, set to ArgSpec::value first
           // (the verifier ignores the argument: `__ign`)
};

struct ArgSpec {
    NewArg arg = NewArg::value;
    int32_t value = 0;
};

// What next() returns on its non-NULL branch (R0), which decides what a
// read or write through it does.
enum class NextRet : uint8_t {
    // PTR_TO_BTF_ID of a struct: the field KindInfo::field is read through
    // BTF; stores are refused ("only read is supported" for tracing
    // programs); not tied to the iterator (stays readable after destroy).
    btf_struct,
    // PTR_TO_MEM | MEM_RDONLY of KindInfo::access bytes with the iterator's
    // ref_obj_id: stores are refused (rdonly_mem); destroy() makes it an
    // unknown scalar.
    ro_mem,
};

struct KindInfo {
    Kind kind;
    const char* name;  // bpf_iter_<name>_*, struct bpf_iter_<name>, "iter_<name>" in messages
    const char* token; // in Program::text() and Bound ("kinds=vma,num")
    uint8_t size;      // sizeof(struct bpf_iter_<name>): a multiple of 8
    std::array<ArgSpec, 2> args; // of new(), after the iterator
    uint8_t nargs;
    NextRet next;
    const char* next_c_type; // the C type next() returns
    const char* field;       // btf_struct: "<struct>.<member>" read and written; else nullptr
    uint8_t access;          // bytes read or written through the result: 8 or 4
    // KF_ flags of new() beyond KF_ITER_NEW (KF_RCU is an argument property:
    // NewArg::task). The generator's tp_btf programs are non-sleepable (an
    // implicit RCU section), so rcu_protected kinds work there and sleepable
    // ones are refused at every call.
    bool rcu_protected;  // KF_RCU_PROTECTED: needs an RCU read-side section
    bool sleepable;      // KF_SLEEPABLE: sleepable programs only
    bool all_programs;   // registered for every program type (BPF_PROG_TYPE_UNSPEC set)
    KernelVersion since; // the release that introduced it
    const char* commit;  // and the commit

    int slots() const { return size / 8; }
    // css_task_iter's program-type allow-list (check_kfunc_args(): bpf_lsm,
    // bpf_iter and sleepable programs only).
    bool allow_list;

    bool takes(NewArg a) const {
        for (int i = 0; i < nargs; i++)
            if (args[static_cast<size_t>(i)].arg == a)
                return true;
        return false;
    }
    bool takes_task() const { return takes(NewArg::task); }
    bool takes_css() const { return takes(NewArg::css); }
};

// Every kind, in id order (kinds()[i].kind == Kind(i)).
// Every row is a kind of the known-kinds table (gen/kind_table.hpp) with
// its size and first release (also a static_assert outside sanitizer builds).
bool kinds_agree_with_known_kinds();
std::span<const KindInfo> kinds();
const KindInfo& info(Kind k);
// Whether `id` names a kind (ids past the table are unassigned).
bool valid_kind(uint8_t id);
// Kind by token ("vma") or name ("task_vma"); false if none.
bool kind_by_name(const char* s, size_t n, Kind& out);

} // namespace iterconf::gen
