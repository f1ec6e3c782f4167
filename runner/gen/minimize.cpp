#include "gen/minimize.hpp"

#include <algorithm>
#include <vector>

namespace iterconf::gen {

namespace {

using C = Op::Code;
using Seq = std::vector<Op>;

// Every sequence of the tree, in pre-order (the top level first).
void sequences(Seq& ops, std::vector<Seq*>& out) {
    out.push_back(&ops);
    for (auto& o : ops) {
        sequences(o.body, out);
        sequences(o.orelse, out);
    }
}

// Every op of the tree, in pre-order.
void all_ops(Seq& ops, std::vector<Op*>& out) {
    for (auto& o : ops) {
        out.push_back(&o);
        all_ops(o.body, out);
        all_ops(o.orelse, out);
    }
}

// brk that now sits outside any loop becomes ret (the decoder's rule).
void fix_breaks(Seq& ops, bool in_loop) {
    for (auto& o : ops) {
        if (o.code == C::brk && !in_loop)
            o.code = C::ret;
        fix_breaks(o.body, in_loop || o.code == C::loop);
        fix_breaks(o.orelse, in_loop);
    }
}

// All one-step simplifications of `p`, largest first, each a valid program.
std::vector<Program> candidates(const Program& p) {
    std::vector<Program> out;
    auto emit = [&](Program c) {
        fix_breaks(c.ops, false);
        if (c.validate().empty() && !(c == p))
            out.push_back(std::move(c));
    };
    // Runs of a sequence: halves, quarters, ..., single ops.
    {
        Program base = p;
        std::vector<Seq*> seqs;
        sequences(base.ops, seqs);
        for (size_t si = 0; si < seqs.size(); si++) {
            size_t n = seqs[si]->size();
            for (size_t chunk = n; chunk >= 1; chunk /= 2) {
                for (size_t at = 0; at < n; at += chunk) {
                    Program c = p;
                    std::vector<Seq*> cs;
                    sequences(c.ops, cs);
                    Seq& s = *cs[si];
                    s.erase(s.begin() + static_cast<long>(at),
                            s.begin() + static_cast<long>(std::min(n, at + chunk)));
                    emit(std::move(c));
                }
                if (chunk == 1)
                    break;
            }
        }
    }
    // A compound op replaced by one of its arms, or an arm emptied.
    {
        Program base = p;
        std::vector<Seq*> seqs;
        sequences(base.ops, seqs);
        for (size_t si = 0; si < seqs.size(); si++)
            for (size_t i = 0; i < seqs[si]->size(); i++) {
                const Op& o = (*seqs[si])[i];
                if (o.code != C::guard && o.code != C::loop && o.code != C::branch)
                    continue;
                for (int arm = 0; arm < (o.code == C::branch ? 2 : 1); arm++) {
                    Program c = p;
                    std::vector<Seq*> cs;
                    sequences(c.ops, cs);
                    Seq& s = *cs[si];
                    Seq inner = arm ? s[i].orelse : s[i].body;
                    s.erase(s.begin() + static_cast<long>(i));
                    s.insert(s.begin() + static_cast<long>(i), inner.begin(), inner.end());
                    emit(std::move(c));
                }
                for (int arm = 0; arm < 2; arm++) {
                    Program c = p;
                    std::vector<Seq*> cs;
                    sequences(c.ops, cs);
                    (arm ? (*cs[si])[i].orelse : (*cs[si])[i].body).clear();
                    emit(std::move(c));
                }
            }
    }
    // Slot 1 folded onto slot 0.
    if (p.uses_slot1()) {
        Program c = p;
        std::vector<Op*> ops;
        all_ops(c.ops, ops);
        for (Op* o : ops)
            o->slot = 0;
        c.kinds[1] = k_default_kind;
        emit(std::move(c));
    }
    // Fields back to their defaults.
    if (p.task != Task::current_btf) {
        Program c = p;
        c.task = Task::current_btf;
        emit(std::move(c));
    }
    for (int s = 0; s < 2; s++)
        if (p.kinds[s] != k_default_kind) {
            Program c = p;
            c.kinds[s] = k_default_kind;
            emit(std::move(c));
        }
    {
        Program base = p;
        std::vector<Op*> ops;
        all_ops(base.ops, ops);
        for (size_t i = 0; i < ops.size(); i++) {
            if (ops[i]->where != Where::slot) {
                Program c = p;
                std::vector<Op*> cs;
                all_ops(c.ops, cs);
                cs[i]->where = Where::slot;
                emit(std::move(c));
            }
            if (ops[i]->start != 0) {
                Program c = p;
                std::vector<Op*> cs;
                all_ops(c.ops, cs);
                cs[i]->start = 0;
                emit(std::move(c));
            }
        }
    }
    return out;
}

} // namespace

Program minimize(const Program& p, const std::function<bool(const Program&)>& keep,
                 MinimizeStats* stats) {
    MinimizeStats st;
    Program cur = p;
    for (bool progress = true; progress;) {
        progress = false;
        for (auto& c : candidates(cur)) {
            st.tries++;
            if (keep(c)) {
                cur = std::move(c);
                st.steps++;
                progress = true;
                break;
            }
        }
    }
    if (stats)
        *stats = st;
    return cur;
}

} // namespace iterconf::gen
