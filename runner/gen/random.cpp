#include "gen/random.hpp"

namespace iterconf::gen {

std::vector<Op> random_ops(std::mt19937& rng, const RandomOps& cfg, int depth, int loops) {
    using C = Op::Code;
    std::vector<Op> out;
    int n = static_cast<int>(rng() % 5);
    for (int i = 0; i < n; i++) {
        auto code = static_cast<C>(rng() % 12);
        if (code == C::brk && loops == 0)
            code = C::ret;
        Op o;
        o.code = code;
        o.slot = static_cast<uint8_t>(rng() % 2);
        if (code == C::new_ || code == C::next || code == C::destroy) {
            if (cfg.mostly_slot)
                o.where = rng() % 3 ? Where::slot : static_cast<Where>(rng() % 4);
            else
                o.where = static_cast<Where>(rng() % 4);
            o.start = rng() % 3 == 0 ? (uint64_t{rng()} << 20) : 0;
        }
        if (depth < 3 && (code == C::guard || code == C::loop || code == C::branch)) {
            o.body = random_ops(rng, cfg, depth + 1, loops + (code == C::loop));
            if (code == C::branch)
                o.orelse = random_ops(rng, cfg, depth + 1, loops);
        }
        out.push_back(std::move(o));
    }
    return out;
}

} // namespace iterconf::gen
