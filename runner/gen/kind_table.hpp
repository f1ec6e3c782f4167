// Every open-coded iterator kind iterconf knows the kernel has, as data
// (issue 16 item 1): one row per kind of ../shared/reference/iterator-kinds.md
// §1a/§1b, whether or not the generator emits it. The generator's own rows
// (gen/kinds.hpp, KindInfo) must agree with this table on size and first
// release (checked at compile time in kinds.cpp); kernels are matched
// against it by load/iter_kinds (discovery from BTF), which `iterconf
// kernels kinds` prints and `iterconf run` uses to name an unknown kind.
// Standard library (and common/kver) only.
#pragma once

#include "common/kver.hpp"

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace iterconf::gen {

// The kernel's KF_* kfunc flags (include/linux/btf.h), as set in the
// .BTF_ids set8 words.
namespace kf {
inline constexpr uint32_t ret_null = 1u << 2;
inline constexpr uint32_t trusted_args = 1u << 4; // gone in 7.0 (the default)
inline constexpr uint32_t sleepable = 1u << 5;
inline constexpr uint32_t rcu = 1u << 7;
inline constexpr uint32_t iter_new = 1u << 8;
inline constexpr uint32_t iter_next = 1u << 9;
inline constexpr uint32_t iter_destroy = 1u << 10;
inline constexpr uint32_t rcu_protected = 1u << 11;
inline constexpr uint32_t implicit_args = 1u << 16; // 7.2+: a `<name>_impl` FUNC beside it
} // namespace kf

// "KF_ITER_NEW|KF_RCU" for a flag word (unknown bits as "1<<N").
std::string flags_str(uint32_t flags);

// An argument of new() after the iterator, as the kernel's prototype gives it.
struct KnownArg {
    const char* type; // "struct task_struct *", "u64"
    const char* name; // "task__nullable": the suffix is the verifier's annotation
};

struct KnownKind {
    const char* name;             // bpf_iter_<name>_{new,next,destroy}, struct bpf_iter_<name>
    uint16_t size;                // sizeof(struct bpf_iter_<name>), bytes (slots = size / 8)
    std::array<KnownArg, 2> args; // of new(), after the iterator
    uint8_t nargs;
    const char* next_returns; // the C type next() returns
    uint32_t new_flags;       // KF_* of new() up to 6.19
    uint32_t new_flags_7;     // and from 7.0 (KF_TRUSTED_ARGS dropped, implicit args)
    uint32_t next_flags;
    uint32_t destroy_flags;
    KernelVersion since; // the first release that has it
    const char* commit;  // that introduced it ("" when not recorded)
    const char* kconfig; // the option it needs
    const char* module;  // a module's kind ("bpf_testmod"); nullptr: vmlinux
    // new() also exists as `bpf_iter_<name>_new_impl` (KF_IMPLICIT_ARGS, 7.2+);
    // programs call the plain name.
    bool new_impl;

    int slots() const { return size / 8; }
    bool sleepable() const { return (new_flags & kf::sleepable) != 0; }
    bool rcu_protected() const { return (new_flags & kf::rcu_protected) != 0; }
};

// Every known kind, in the reference's order (stable; not an id).
std::span<const KnownKind> known_kinds();
// The row of `name` ("task_vma"), or nullptr.
const KnownKind* find_known_kind(std::string_view name);

// For compile-time checks of other tables against this one.
namespace detail {
inline constexpr uint32_t k_next = kf::iter_next | kf::ret_null;
inline constexpr uint32_t k_destroy = kf::iter_destroy;
// clang-format off
inline constexpr KnownKind k_known_kinds[] = {
    {"num", 8, {{{"int", "start"}, {"int", "end"}}}, 2, "int *",
     kf::iter_new, kf::iter_new, k_next, k_destroy,
     KernelVersion{{6, 4, 0}}, "", "BPF_SYSCALL", nullptr, false},
    {"task_vma", 8, {{{"struct task_struct *", "task"}, {"u64", "addr"}}}, 2,
     "struct vm_area_struct *",
     kf::iter_new | kf::rcu, kf::iter_new | kf::rcu, k_next, k_destroy,
     KernelVersion{{6, 7, 0}}, "4ac454682158", "BPF_SYSCALL", nullptr, false},
    {"task", 24, {{{"struct task_struct *", "task__nullable"}, {"unsigned int", "flags"}}}, 2,
     "struct task_struct *",
     kf::iter_new | kf::trusted_args | kf::rcu_protected, kf::iter_new | kf::rcu_protected,
     k_next, k_destroy,
     KernelVersion{{6, 7, 0}}, "c68a78ffe2cb", "BPF_SYSCALL", nullptr, false},
    {"css", 24, {{{"struct cgroup_subsys_state *", "start"}, {"unsigned int", "flags"}}}, 2,
     "struct cgroup_subsys_state *",
     kf::iter_new | kf::trusted_args | kf::rcu_protected, kf::iter_new | kf::rcu_protected,
     k_next, k_destroy,
     KernelVersion{{6, 7, 0}}, "7251d0905e75", "CGROUPS", nullptr, false},
    {"css_task", 8, {{{"struct cgroup_subsys_state *", "css"}, {"unsigned int", "flags"}}}, 2,
     "struct task_struct *",
     kf::iter_new | kf::trusted_args, kf::iter_new, k_next, k_destroy,
     KernelVersion{{6, 7, 0}}, "9c66dc94b62a", "CGROUPS", nullptr, false},
    {"bits", 16, {{{"const u64 *", "unsafe_ptr__ign"}, {"u32", "nr_words"}}}, 2, "int *",
     kf::iter_new, kf::iter_new, k_next, k_destroy,
     KernelVersion{{6, 11, 0}}, "4665415975b0", "BPF_SYSCALL", nullptr, false},
    {"kmem_cache", 8, {}, 0, "struct kmem_cache *",
     kf::iter_new | kf::sleepable, kf::iter_new | kf::sleepable,
     k_next | kf::sleepable, k_destroy | kf::sleepable,
     KernelVersion{{6, 13, 0}}, "2e9a548009c2", "BPF_SYSCALL", nullptr, false},
    {"dmabuf", 8, {}, 0, "struct dma_buf *",
     kf::iter_new | kf::sleepable, kf::iter_new | kf::sleepable,
     k_next | kf::sleepable, k_destroy | kf::sleepable,
     KernelVersion{{6, 16, 0}}, "6eab7ac7c5ee", "DMA_SHARED_BUFFER", nullptr, false},
    {"scx_dsq", 48, {{{"u64", "dsq_id"}, {"u64", "flags"}}}, 2, "struct task_struct *",
     kf::iter_new | kf::rcu_protected, kf::iter_new | kf::rcu_protected | kf::implicit_args,
     k_next, k_destroy,
     KernelVersion{{6, 12, 0}}, "650ba21b131e", "SCHED_CLASS_EXT", nullptr, true},
    {"testmod_seq", 16, {{{"s64", "value"}, {"int", "cnt"}}}, 2, "s64 *",
     kf::iter_new, kf::iter_new, k_next, k_destroy,
     KernelVersion{{6, 4, 0}}, "", "", "bpf_testmod", false},
};
// clang-format on

constexpr bool same(const char* a, const char* b) {
    for (; *a && *a == *b; a++, b++) {
    }
    return *a == *b;
}
constexpr const KnownKind* find(const char* name) {
    for (const auto& k : k_known_kinds)
        if (same(k.name, name))
            return &k;
    return nullptr;
}
} // namespace detail

} // namespace iterconf::gen
