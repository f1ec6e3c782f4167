// Delta debugging over the op tree: the smallest program still showing some
// property (for fuzz_protocol: the same model/kernel disagreement). Standard
// library only; the property is a predicate, so the kernel stays out of it.
#pragma once

#include "gen/program.hpp"

#include <cstddef>
#include <functional>

namespace iterconf::gen {

struct MinimizeStats {
    size_t tries = 0; // predicate calls
    size_t steps = 0; // candidates kept
};

// Greedy to a fixpoint: tries each one-step simplification and keeps the
// first candidate for which `keep` holds, until none does. Steps, largest
// first:
//   - drop an op (with its bodies), or a run of half / a quarter / ... of a
//     sequence (ddmin's chunks);
//   - replace a guard / loop / branch by its body (or a branch by its else
//     arm), or empty a body or an else arm;
//   - move every op of slot 1 to slot 0;
//   - simplify: task -> current_btf, kinds -> k_default_kind, where -> slot,
//     start -> 0.
// Each kept step makes the program strictly smaller (ops, then non-default
// fields), so it ends. `keep` is called only on valid programs (brk in a
// body taken out of its loop becomes ret), never on `p` itself, which is
// assumed to satisfy it. Deterministic for a deterministic `keep`.
Program minimize(const Program& p, const std::function<bool(const Program&)>& keep,
                 MinimizeStats* stats = nullptr);

} // namespace iterconf::gen
