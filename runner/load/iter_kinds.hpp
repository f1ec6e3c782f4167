// The open-coded iterator kinds of a kernel, discovered from its BTF and
// matched to the known-kinds table (gen/kind_table.hpp): issue 16 item 1.
//
// A kind is what the kernel registers (btf_check_iter_kfuncs): FUNCs named
// bpf_iter_<kind>_{new,next,destroy} whose first parameter points to
// `struct bpf_iter_<kind>`. `new` may also be `bpf_iter_<kind>_new_impl`
// (KF_IMPLICIT_ARGS, scx_dsq on 7.2+). A kind the table does not know is
// reported by name, never dropped; so are a partial triple and a struct
// size that differs from the table.
#pragma once

#include "gen/kind_table.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

struct btf;

namespace iterconf::load {

struct FoundKind {
    std::string name;          // "task_vma"
    bool has_new = false;      // bpf_iter_<name>_new
    bool has_new_impl = false; // bpf_iter_<name>_new_impl
    bool has_next = false;
    bool has_destroy = false;
    int64_t size = -1;                     // of struct bpf_iter_<name>; -1: no such struct
    const gen::KnownKind* known = nullptr; // its table row; nullptr: unknown kind

    bool complete() const { return (has_new || has_new_impl) && has_next && has_destroy; }
    bool size_mismatch() const { return known && size >= 0 && size != known->size; }
    // "bpf_iter_foo_new/next/destroy" of what exists; "missing next, destroy".
    std::string funcs() const;
    std::string missing() const;
};

struct KindReport {
    // Every kind with at least one of its kfuncs, by name: complete or
    // partial, known or unknown.
    std::vector<FoundKind> found;
    // Known kinds with none of their kfuncs.
    std::vector<const gen::KnownKind*> absent;

    const FoundKind* find(const std::string& name) const;
    // Complete kinds the table does not know.
    std::vector<const FoundKind*> unknown() const;
};

KindReport discover_kinds(const struct btf* btf);

// "kernel 'host': iterator kind 'foo' (bpf_iter_foo_new/next/destroy, 16
// bytes) is unknown to the kind table" for each unknown kind; a partial
// triple or a size mismatch with the table likewise. No lines: nothing to say.
std::vector<std::string> kind_warnings(const KindReport& r, const std::string& kernel);

// For `unsupported` reasons: the known kind whose kfunc `func` is
// (bpf_iter_<kind>_{new,new_impl,next,destroy}), or nullptr.
const gen::KnownKind* kind_of_kfunc(const std::string& func);

// The reason an `unsupported` record gives first when whole iterator kinds
// are missing: "iterator kind css_task missing from kernel BTF (since 6.7)"
// (a module's kind: "(module bpf_testmod)") for each known kind some kfunc
// of `missing` belongs to and of which `has` finds none of new, next and
// destroy, joined by "; ", in the order of `missing`; "" when there is none.
std::string missing_kinds_reason(const std::vector<std::string>& missing,
                                 const std::function<bool(const std::string&)>& has);

} // namespace iterconf::load
