#include "protocol/mutate.hpp"

#include "gen/decode.hpp"
#include "gen/random.hpp"

#include <array>
#include <span>
#include <vector>

namespace iterconf::fuzz {

namespace {

using gen::Op;
using C = Op::Code;
using Seq = std::vector<Op>;

// A sequence of the tree with its nesting depth.
struct SeqAt {
    Seq* seq;
    int depth;
};

void sequences(Seq& ops, int depth, std::vector<SeqAt>& out) {
    out.push_back({&ops, depth});
    for (auto& o : ops) {
        sequences(o.body, depth + 1, out);
        sequences(o.orelse, depth + 1, out);
    }
}

template <typename T> T pick(std::span<const T> v, std::mt19937& rng) {
    return v[rng() % v.size()];
}

Op random_op(std::mt19937& rng, int depth) {
    // One op from random_ops' distribution, with a small body when compound.
    for (;;) {
        auto ops = gen::random_ops(rng, gen::RandomOps{.mostly_slot = true}, depth + 1, 1);
        if (!ops.empty())
            return ops.front();
    }
}

} // namespace

void mutate(gen::Program& p, std::mt19937& rng) {
    std::vector<SeqAt> seqs;
    sequences(p.ops, 0, seqs);
    SeqAt at = seqs[rng() % seqs.size()];
    Seq& s = *at.seq;
    size_t n = s.size();
    size_t i = n ? rng() % n : 0;
    switch (rng() % 12) {
    case 0: // insert
    case 1:
        s.insert(s.begin() + static_cast<long>(n ? rng() % (n + 1) : 0), random_op(rng, at.depth));
        break;
    case 2: // delete
        if (n)
            s.erase(s.begin() + static_cast<long>(i));
        break;
    case 3: { // wrap a run in a loop, guard, branch, subprogram or callback
        if (!n)
            break;
        size_t len = 1 + rng() % (n - i);
        Op w;
        w.code = std::array{C::loop, C::guard, C::branch, C::call, C::bpfloop}[rng() % 5];
        w.slot = rng() % 2;
        w.body.assign(s.begin() + static_cast<long>(i), s.begin() + static_cast<long>(i + len));
        if (w.code == C::branch && rng() % 2)
            std::swap(w.body, w.orelse);
        s.erase(s.begin() + static_cast<long>(i), s.begin() + static_cast<long>(i + len));
        s.insert(s.begin() + static_cast<long>(i), std::move(w));
        break;
    }
    case 4: { // unwrap
        if (!n)
            break;
        Seq inner = rng() % 2 ? s[i].orelse : s[i].body;
        s.erase(s.begin() + static_cast<long>(i));
        s.insert(s.begin() + static_cast<long>(i), inner.begin(), inner.end());
        break;
    }
    case 5: // duplicate
        if (n)
            s.insert(s.begin() + static_cast<long>(i), Op(s[i]));
        break;
    case 6: // swap with the next op
        if (i + 1 < n)
            std::swap(s[i], s[i + 1]);
        break;
    case 7: // another code, same slot
        if (n) {
            s[i].code = pick(gen::all_codes(), rng);
            if ((s[i].code == C::guard || s[i].code == C::loop || s[i].code == C::call ||
                 s[i].code == C::bpfloop) &&
                s[i].body.empty() && rng() % 2)
                s[i].body.push_back(random_op(rng, at.depth + 1));
        }
        break;
    case 8: // the other slot
        if (n)
            s[i].slot ^= 1;
        break;
    case 9: // another address, or start
        if (n) {
            if (s[i].code == C::new_ && rng() % 2)
                s[i].start =
                    rng() % 4 ? pick(gen::all_starts(), rng) : (uint64_t{rng()} << 32 | rng());
            else
                s[i].where = pick(gen::all_wheres(), rng);
        }
        break;
    case 10:
        p.task = pick(gen::all_tasks(), rng);
        break;
    case 11:
        p.kinds[rng() % 2] = pick(gen::all_kinds(), rng);
        break;
    }
    // Valid again, by the decoder's own rules (gen/decode.hpp): encode()
    // writes the tree's bytes and decode() reads them as it reads any input
    // (brk outside a loop becomes ret, a subprogram's body uses its slot,
    // bodies past k_max_depth and ops past k_max_ops are cut, ...).
    p = gen::decode(gen::encode(p));
}

} // namespace iterconf::fuzz
