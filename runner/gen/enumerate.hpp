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

struct Bound {
    int ops = 3;        // operations per program, counting those inside bodies
    int depth = 2;      // nesting of guard/loop/branch bodies
    int slots = 1;      // iterator slots used (1 or 2)
    bool tasks = true;  // vary the task source (programs that call task_vma new)
    bool wheres = true; // vary the address handed to new/next/destroy
    bool calls = true;  // static subprograms and bpf_loop callbacks taking the iterator
    // The iterator kinds (gen/kinds.hpp), in table order; empty: all of them.
    std::vector<Kind> kinds;
    // "ops=3,depth=2,slots=1,tasks=1,wheres=1,calls=1", then ",kinds=vma+num"
    // when kinds is not every kind.
    std::string text() const;
};

// Parses "ops=4,depth=2,slots=1,tasks=0,wheres=1,calls=0,kinds=vma+num" (any
// subset; kinds by token or name, joined by '+'); the error text names the
// bad part, "" when ok.
std::string parse_bound(const std::string& s, Bound& out);

// Calls `visit` for each program in order; stops early when it returns false.
// Returns the number visited.
size_t enumerate(const Bound& b, const std::function<bool(const Program&)>& visit);

std::vector<Program> enumerate_all(const Bound& b);

} // namespace iterconf::gen
