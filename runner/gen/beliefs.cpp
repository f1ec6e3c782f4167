#include "gen/beliefs.hpp"

#include <algorithm>

namespace iterconf::gen {

const char* to_string(Belief b) {
    switch (b) {
    case Belief::unknown:
        return "unknown";
    case Belief::null:
        return "NULL";
    case Belief::nonnull:
        return "non-NULL";
    case Belief::unreached:
        return "unreached";
    }
    return "?";
}

bool is_point(Op::Code c) {
    return c == Op::Code::next || c == Op::Code::loop || c == Op::Code::guard ||
           c == Op::Code::read || c == Op::Code::write;
}

namespace {

std::string label(const Op& o) {
    std::string s = to_string(o.code);
    if (o.code != Op::Code::branch && o.code != Op::Code::brk && o.code != Op::Code::ret)
        s += std::to_string(o.slot);
    return s + to_string(o.where);
}

void walk(const std::vector<Op>& ops, const std::string& path, std::vector<PointOp>& out) {
    for (size_t i = 0; i < ops.size(); i++) {
        std::string here = path + "[" + std::to_string(i) + "]";
        out.push_back({&ops[i], here + " " + label(ops[i])});
        walk(ops[i].body, here + ".body", out);
        walk(ops[i].orelse, here + ".orelse", out);
    }
}

bool definite(Belief b) {
    return b == Belief::null || b == Belief::nonnull || b == Belief::unreached;
}

} // namespace

std::vector<PointOp> preorder(const Program& p) {
    std::vector<PointOp> out;
    walk(p.ops, "ops", out);
    return out;
}

size_t embedded_points(const Beliefs& b) {
    size_t n = 0;
    for (size_t i = 0; i < std::min(b.at.size(), k_max_points); i++)
        n += definite(b.at[i]);
    return n;
}

bool falsify_first(Beliefs& b) {
    // A reached point first (its check runs); an unreached one is dead code
    // the kernel removes, so falsifying it proves nothing unless the model
    // is wrong about it.
    size_t n = std::min(b.at.size(), k_max_points);
    for (size_t i = 0; i < n; i++) {
        if (b.at[i] == Belief::null || b.at[i] == Belief::nonnull) {
            b.at[i] = b.at[i] == Belief::null ? Belief::nonnull : Belief::null;
            return true;
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (b.at[i] == Belief::unreached) {
            b.at[i] = Belief::null;
            return true;
        }
    }
    return false;
}

} // namespace iterconf::gen
