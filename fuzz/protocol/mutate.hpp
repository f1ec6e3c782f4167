// Protocol-level mutations of a program of the model, for fuzz_protocol's
// custom mutator: one random edit of the op tree (insert, delete, wrap in a
// loop/guard/branch/subprogram/callback, unwrap, duplicate, swap, change a
// code, slot, address, start, the task or the kinds). Deterministic for a given rng state; the
// result is always valid (brk outside a loop becomes ret) and within the
// decoder's limits (gen/decode.hpp), so encode() keeps all of it.
#pragma once

#include "gen/program.hpp"

#include <random>

namespace iterconf::fuzz {

void mutate(gen::Program& p, std::mt19937& rng);

} // namespace iterconf::fuzz
