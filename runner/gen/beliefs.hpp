// The state-embedding oracle's data (after SEV, "Validating the eBPF
// Verifier via State Embedding", OSDI'24): what the verifier believes, at
// chosen points of a generated program, about the register that holds an
// iterator's next() result (r6 for slot 0, r7 for slot 1: emit_bpf.hpp).
//
// The reference model computes the beliefs of an accepted program
// (model::beliefs(), the union over every state its walk reaches a point
// in); emit_bpf(p, &beliefs) compiles each definite one into the program as
// a run-time check that counts a violation in a map instead of acting on it;
// the guest agent runs the program and reads the counts back; a violated
// belief is a `divergence` (judge/generated.cpp). Standard library only.
//
// Points are the program's ops in pre-order (an op, then its body, then its
// orelse), numbered from 0 (Program::text() order); the ops that are points:
//   next, loop    R0 right after the next() call (the loop: before its NULL test)
//   guard         v[slot] before the test
//   read, write   v[slot] before the access
#pragma once

#include "gen/program.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace iterconf::gen {

enum class Belief : uint8_t {
    unknown,   // not a point, or the states disagree (NULL on one, non-NULL on another)
    null,      // the constant 0 in every state: a drained iterator's next(), never assigned
    nonnull,   // a non-NULL pointer (or a scalar known to be non-zero) in every state
    unreached, // no state reaches the point: the verifier takes it for dead code
};
const char* to_string(Belief b);

struct Beliefs {
    std::vector<Belief> at; // by point (pre-order op index); missing: unknown
    Belief of(size_t point) const { return point < at.size() ? at[point] : Belief::unknown; }
    bool operator==(const Beliefs&) const = default;
};

// Points past this many carry no check (the map holds this many).
inline constexpr size_t k_max_points = 48;
// The beliefs map (gen::MapKind::beliefs): one array entry of u64 words:
// [0] a scratch word, [1] runs (the main program's entry adds 1), then per
// point p [2 + 3p] scratch, [3 + 3p] violations, [4 + 3p] times reached.
inline constexpr uint32_t k_beliefs_value_size = 8 * (2 + 3 * k_max_points);
inline constexpr int32_t k_beliefs_runs_off = 8;
inline constexpr int32_t point_off(size_t p) {
    return static_cast<int32_t>(16 + 24 * p);
}

// Whether an op code is a point.
bool is_point(Op::Code c);
// Every op in pre-order, with its place: "ops[1].body[0] next0".
struct PointOp {
    const Op* op;
    std::string where;
};
std::vector<PointOp> preorder(const Program& p);

// The definite beliefs (null, nonnull, unreached) at points below
// k_max_points: what emit_bpf embeds.
size_t embedded_points(const Beliefs& b);

// Fault injection for the oracle's own test: the first definite belief
// turned into a wrong one (null <-> nonnull; unreached -> nonnull), so that
// a run of the program must report it violated if the point is reached.
// Returns false if there is no definite belief to falsify.
bool falsify_first(Beliefs& b);

} // namespace iterconf::gen
