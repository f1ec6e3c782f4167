#include "gen/kinds.hpp"

#include "gen/kind_table.hpp"

#include <cstring>

namespace iterconf::gen {

namespace {

// Sources: research notes iterator-kinds.md (sizes and prototypes from the
// BTF of the Debian kernels, flags from their .BTF_ids sets).
// clang-format off
constexpr KindInfo k_kinds[] = {
    // bpf_iter_task_vma_new(it, struct task_struct *task, u64 addr): KF_ITER_NEW | KF_RCU.
    {Kind::task_vma, "task_vma", "vma", 8,
     {{{NewArg::task, 0}, {NewArg::start, 0}}}, 2,
     NextRet::btf_struct, "struct vm_area_struct *", "vm_area_struct.vm_start", 8,
     false, false, true, KernelVersion{{6, 7, 0}}, "4ac454682158", false},
    // bpf_iter_num_new(it, int start, int end): KF_ITER_NEW; yields start .. end-1
    // (commit not recorded in the notes).
    {Kind::num, "num", "num", 8,
     {{{NewArg::value, 0}, {NewArg::value, 3}}}, 2,
     NextRet::ro_mem, "int *", nullptr, 4,
     false, false, true, KernelVersion{{6, 4, 0}}, "", false},
    // bpf_iter_bits_new(it, const u64 *unsafe_ptr__ign, u32 nr_words): KF_ITER_NEW;
    // yields the indices of the set bits (0x25: 0, 2, 5).
    {Kind::bits, "bits", "bits", 16,
     {{{NewArg::words, 0x25}, {NewArg::value, 1}}}, 2,
     NextRet::ro_mem, "int *", nullptr, 4,
     false, false, true, KernelVersion{{6, 11, 0}}, "4665415975b0", false},
    // bpf_iter_task_new(it, struct task_struct *task__nullable, unsigned int flags):
    // KF_ITER_NEW | KF_TRUSTED_ARGS | KF_RCU_PROTECTED; flags 0 = BPF_TASK_ITER_ALL_PROCS
    // (legal with a NULL task; flags are checked at run time only).
    {Kind::task, "task", "task", 24,
     {{{NewArg::task, 0}, {NewArg::value, 0}}}, 2,
     NextRet::btf_struct, "struct task_struct *", "task_struct.pid", 4,
     true, false, true, KernelVersion{{6, 7, 0}}, "c68a78ffe2cb", false},
    // bpf_iter_css_new(it, struct cgroup_subsys_state *start, unsigned int flags):
    // KF_ITER_NEW | KF_TRUSTED_ARGS | KF_RCU_PROTECTED; flags 2 = BPF_CGROUP_ITER_DESCENDANTS_PRE.
    {Kind::css, "css", "css", 24,
     {{{NewArg::css, 0}, {NewArg::value, 2}}}, 2,
     NextRet::btf_struct, "struct cgroup_subsys_state *", "cgroup_subsys_state.serial_nr", 8,
     true, false, true, KernelVersion{{6, 7, 0}}, "7251d0905e75", false},
    // bpf_iter_css_task_new(it, struct cgroup_subsys_state *css, unsigned int flags):
    // KF_ITER_NEW | KF_TRUSTED_ARGS, allow-listed program types; flags 1 = CSS_TASK_ITER_PROCS.
    {Kind::css_task, "css_task", "css_task", 8,
     {{{NewArg::css, 0}, {NewArg::value, 1}}}, 2,
     NextRet::btf_struct, "struct task_struct *", "task_struct.pid", 4,
     false, false, true, KernelVersion{{6, 7, 0}}, "9c66dc94b62a", true},
    // bpf_iter_kmem_cache_new(it): KF_ITER_NEW | KF_SLEEPABLE (next, destroy sleepable too).
    {Kind::kmem_cache, "kmem_cache", "kmem_cache", 8,
     {}, 0,
     NextRet::btf_struct, "struct kmem_cache *", "kmem_cache.size", 4,
     false, true, true, KernelVersion{{6, 13, 0}}, "2e9a548009c2", false},
    // bpf_iter_dmabuf_new(it): KF_ITER_NEW | KF_SLEEPABLE (next, destroy sleepable too).
    {Kind::dmabuf, "dmabuf", "dmabuf", 8,
     {}, 0,
     NextRet::btf_struct, "struct dma_buf *", "dma_buf.size", 8,
     false, true, true, KernelVersion{{6, 16, 0}}, "6eab7ac7c5ee", false},
};
// clang-format on

constexpr bool ids_in_order() {
    for (size_t i = 0; i < std::size(k_kinds); i++)
        if (static_cast<size_t>(k_kinds[i].kind) != i || k_kinds[i].size % 8 != 0 ||
            k_kinds[i].size == 0)
            return false;
    return true;
}
static_assert(ids_in_order(), "k_kinds: one row per Kind, in id order, sizes multiples of 8");
// The generator's rows are kinds of the known-kinds table (gen/kind_table),
// with its size and first release.
constexpr bool agree_with_known_kinds() {
    for (const auto& k : k_kinds) {
        const KnownKind* row = detail::find(k.name);
        if (!row || row->size != k.size || row->since != k.since)
            return false;
    }
    return true;
}
// GCC 12 with -fsanitize=undefined cannot evaluate it as a constant (its
// null checks on member access are not constant expressions); the sanitizer
// builds check it at run time instead (unit test KindTable.GeneratorRowsAgree).
#if !defined(__SANITIZE_ADDRESS__)
static_assert(agree_with_known_kinds(),
              "k_kinds: every row is in gen/kind_table.hpp, same size and release");
#endif
static_assert(std::size(k_kinds) <= 16, "fuzz_protocol inputs store a kind id in 4 bits");

} // namespace

bool kinds_agree_with_known_kinds() {
    return agree_with_known_kinds();
}

std::span<const KindInfo> kinds() {
    return k_kinds;
}

const KindInfo& info(Kind k) {
    auto i = static_cast<size_t>(k);
    return k_kinds[i < std::size(k_kinds) ? i : 0];
}

bool valid_kind(uint8_t id) {
    return id < std::size(k_kinds);
}

bool kind_by_name(const char* s, size_t n, Kind& out) {
    for (const auto& k : k_kinds)
        if ((std::strlen(k.token) == n && std::strncmp(k.token, s, n) == 0) ||
            (std::strlen(k.name) == n && std::strncmp(k.name, s, n) == 0)) {
            out = k.kind;
            return true;
        }
    return false;
}

} // namespace iterconf::gen
