// Random operation trees (a seeded shape generator for tests and fuzzers:
// the same seed gives the same tree). Trees are valid: brk only inside a
// loop (elsewhere it becomes ret), at most 4 ops per sequence, bodies up to
// depth 3, subprogram calls (not nested) whose bodies keep to their slot.
// Standard library only.
#pragma once

#include "gen/program.hpp"

#include <random>
#include <vector>

namespace iterconf::gen {

struct RandomOps {
    // new/next/destroy address: any Where, or (true) the slot itself two
    // times in three, to reach deeper into programs the verifier accepts.
    bool mostly_slot = false;
};

std::vector<Op> random_ops(std::mt19937& rng, const RandomOps& cfg = {}, int depth = 0,
                           int loops = 0);

} // namespace iterconf::gen
