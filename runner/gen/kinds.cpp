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
     false, false, true, KernelVersion{{6, 7, 0}}, "4ac454682158"},
    // bpf_iter_num_new(it, int start, int end): KF_ITER_NEW; yields start .. end-1
    // (commit not recorded in the notes).
    {Kind::num, "num", "num", 8,
     {{{NewArg::value, 0}, {NewArg::value, 3}}}, 2,
     NextRet::ro_mem, "int *", nullptr, 4,
     false, false, true, KernelVersion{{6, 4, 0}}, ""},
    // bpf_iter_bits_new(it, const u64 *unsafe_ptr__ign, u32 nr_words): KF_ITER_NEW;
    // yields the indices of the set bits (0x25: 0, 2, 5).
    {Kind::bits, "bits", "bits", 16,
     {{{NewArg::words, 0x25}, {NewArg::value, 1}}}, 2,
     NextRet::ro_mem, "int *", nullptr, 4,
     false, false, true, KernelVersion{{6, 11, 0}}, "4665415975b0"},
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
