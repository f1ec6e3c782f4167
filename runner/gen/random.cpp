#include "gen/random.hpp"

namespace iterconf::gen {

namespace {

// `callee`: the slot a subprogram body was passed (its ops use only that
// slot, at the pointer or +4, and call nothing), -1 outside one.
std::vector<Op> ops(std::mt19937& rng, const RandomOps& cfg, int depth, int loops, int callee) {
    using C = Op::Code;
    std::vector<Op> out;
    int n = static_cast<int>(rng() % 5);
    for (int i = 0; i < n; i++) {
        auto code = static_cast<C>(rng() % 14);
        if (code == C::brk && loops == 0)
            code = C::ret;
        bool sub = code == C::call || code == C::bpfloop;
        if (sub && (callee >= 0 || depth >= 3))
            code = C::next;
        Op o;
        o.code = code;
        o.slot = callee >= 0 ? static_cast<uint8_t>(callee) : static_cast<uint8_t>(rng() % 2);
        if (code == C::new_ || code == C::next || code == C::destroy) {
            int wheres = callee >= 0 ? 2 : 7;
            if (cfg.mostly_slot)
                o.where = rng() % 3 ? Where::slot : static_cast<Where>(rng() % wheres);
            else
                o.where = static_cast<Where>(rng() % wheres);
            o.start = rng() % 3 == 0 ? (uint64_t{rng()} << 20) : 0;
        }
        if (code == C::call || code == C::bpfloop)
            o.body = ops(rng, cfg, depth + 1, 0, o.slot);
        if (depth < 3 && (code == C::guard || code == C::loop || code == C::branch)) {
            o.body = ops(rng, cfg, depth + 1, loops + (code == C::loop), callee);
            if (code == C::branch)
                o.orelse = ops(rng, cfg, depth + 1, loops, callee);
        }
        out.push_back(std::move(o));
    }
    return out;
}

} // namespace

std::vector<Op> random_ops(std::mt19937& rng, const RandomOps& cfg, int depth, int loops) {
    return ops(rng, cfg, depth, loops, -1);
}

} // namespace iterconf::gen
