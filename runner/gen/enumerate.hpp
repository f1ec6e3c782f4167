// The enumerator: every program of the model up to a bound, deduplicated
// by their text form, in a deterministic order (the same bound gives the
// same programs in the same order on every machine). Standard library only.
//
// Kinds: each kind k of the bound as (k, k), whose slot 1 is used only by
// two-slot programs, then with slots=2 the first kind K paired with each
// other kind as (K, k) (two-slot programs only). Adding a kind to the table
// appends its programs after those of the kinds before it, per op sequence.
#pragma once

#include "gen/program.hpp"

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace iterconf::gen {

// The address dimension: placed iterators (Program::at), one-slot programs
// of up to three new/next/destroy and two loops (addr_templates(), at most
// the bound's ops) at stack offsets chosen per kind (addr_offsets()),
// appended after the other programs.
enum class Addrs : uint8_t {
    none,  // addrs=0
    edges, // the edges of the slot computation (default): k_edge_offsets()
    all,   // every 8-byte-aligned offset from -520 to +8, plus the misaligned edges
};

struct Bound {
    int ops = 3;                // operations per program, counting those inside bodies
    int depth = 2;              // nesting of guard/loop/branch bodies
    int slots = 1;              // iterator slots used (1 or 2)
    bool tasks = true;          // vary the task source (programs that call task_vma new)
    bool wheres = true;         // vary the address handed to new/next/destroy
    bool calls = true;          // static subprograms and bpf_loop callbacks taking the iterator
    Addrs addrs = Addrs::edges; // placed iterators (only with wheres)
    // The iterator kinds (gen/kinds.hpp), in table order; empty: all of them.
    std::vector<Kind> kinds;
    // "ops=3,depth=2,slots=1,tasks=1,wheres=1,calls=1", then ",kinds=vma+num"
    // when kinds is not every kind and ",addrs=0|all" when not edges.
    std::string text() const;
};

// The offsets (from fp) the address dimension places an iterator of kind k
// at, ascending: every 8-byte-aligned offset from below the stack (-520)
// to above the frame (+8) with Addrs::all, the edges of the verifier's
// slot computation with Addrs::edges (the bottom of the stack, the highest
// offset the kind fits at, the first that does not, fp+0, fp+8), plus
// misaligned ones (4 past the bottom, the fit and the top).
std::vector<int16_t> addr_offsets(Kind k, Addrs a);

// The op sequences of the address dimension (text form), fewest ops first.
const std::vector<std::string>& addr_templates();

// Parses "ops=4,depth=2,slots=1,tasks=0,wheres=1,calls=0,kinds=vma+num,addrs=all"
// (any subset; kinds by token or name, joined by '+'; addrs 0, edges or
// all); the error text names the bad part, "" when ok.
std::string parse_bound(const std::string& s, Bound& out);

// Calls `visit` for each program in order; stops early when it returns false.
// Returns the number visited.
size_t enumerate(const Bound& b, const std::function<bool(const Program&)>& visit);

std::vector<Program> enumerate_all(const Bound& b);

} // namespace iterconf::gen
