#include "gen/kind_table.hpp"

namespace iterconf::gen {

namespace {

constexpr bool well_formed() {
    for (const auto& k : detail::k_known_kinds)
        if (k.size == 0 || k.size % 8 != 0 || (k.new_flags & kf::iter_new) == 0 ||
            (k.next_flags & detail::k_next) != detail::k_next ||
            (k.destroy_flags & kf::iter_destroy) == 0 || k.nargs > k.args.size())
            return false;
    return true;
}
static_assert(well_formed(), "k_known_kinds: sizes are multiples of 8, flags as registered");

} // namespace

std::span<const KnownKind> known_kinds() {
    return detail::k_known_kinds;
}

const KnownKind* find_known_kind(std::string_view name) {
    for (const auto& k : detail::k_known_kinds)
        if (name == k.name)
            return &k;
    return nullptr;
}

std::string flags_str(uint32_t flags) {
    static constexpr struct {
        uint32_t bit;
        const char* name;
    } k_names[] = {
        {1u << 0, "KF_ACQUIRE"},
        {1u << 1, "KF_RELEASE"},
        {kf::ret_null, "KF_RET_NULL"},
        {kf::trusted_args, "KF_TRUSTED_ARGS"},
        {kf::sleepable, "KF_SLEEPABLE"},
        {1u << 6, "KF_DESTRUCTIVE"},
        {kf::rcu, "KF_RCU"},
        {kf::iter_new, "KF_ITER_NEW"},
        {kf::iter_next, "KF_ITER_NEXT"},
        {kf::iter_destroy, "KF_ITER_DESTROY"},
        {kf::rcu_protected, "KF_RCU_PROTECTED"},
        {kf::implicit_args, "KF_IMPLICIT_ARGS"},
    };
    std::string out;
    for (int bit = 0; bit < 32; bit++) {
        uint32_t b = 1u << bit;
        if (!(flags & b))
            continue;
        std::string name = "1<<" + std::to_string(bit);
        for (const auto& n : k_names)
            if (n.bit == b)
                name = n.name;
        out += (out.empty() ? "" : "|") + name;
    }
    return out.empty() ? "0" : out;
}

} // namespace iterconf::gen
