#include "load/iter_kinds.hpp"

#include <algorithm>
#include <bpf/btf.h>
#include <cstring>
#include <map>

namespace iterconf::load {

namespace {

constexpr std::string_view k_prefix = "bpf_iter_";

enum class Role { new_, new_impl, next, destroy };

// "bpf_iter_css_task_new" -> ("css_task", new_). Longest suffix first.
bool split_name(std::string_view fn, std::string& kind, Role& role) {
    static constexpr struct {
        std::string_view suffix;
        Role role;
    } k_roles[] = {{"_new_impl", Role::new_impl},
                   {"_destroy", Role::destroy},
                   {"_next", Role::next},
                   {"_new", Role::new_}};
    if (fn.substr(0, k_prefix.size()) != k_prefix)
        return false;
    fn.remove_prefix(k_prefix.size());
    for (const auto& r : k_roles)
        if (fn.size() > r.suffix.size() && fn.substr(fn.size() - r.suffix.size()) == r.suffix) {
            kind = std::string(fn.substr(0, fn.size() - r.suffix.size()));
            role = r.role;
            return true;
        }
    return false;
}

// The struct name the first parameter of FUNC `id` points to ("" if none).
std::string first_param_struct(const struct btf* btf, const struct btf_type* fn) {
    const struct btf_type* proto = btf__type_by_id(btf, fn->type);
    if (!proto || !btf_is_func_proto(proto) || btf_vlen(proto) < 1)
        return "";
    const struct btf_param* p = btf_params(proto);
    const struct btf_type* t = btf__type_by_id(btf, p[0].type);
    if (!t || !btf_is_ptr(t))
        return "";
    int32_t id = btf__resolve_type(btf, t->type); // skips const/volatile/typedef
    t = id > 0 ? btf__type_by_id(btf, static_cast<uint32_t>(id)) : nullptr;
    if (!t || !btf_is_struct(t))
        return "";
    const char* name = btf__name_by_offset(btf, t->name_off);
    return name ? name : "";
}

} // namespace

std::string FoundKind::funcs() const {
    std::string out;
    auto add = [&out](bool has, const char* part) {
        if (has)
            out += (out.empty() ? "" : "/") + std::string(part);
    };
    add(has_new, "new");
    add(has_new_impl, "new_impl");
    add(has_next, "next");
    add(has_destroy, "destroy");
    return "bpf_iter_" + name + "_" + out;
}

std::string FoundKind::missing() const {
    std::string out;
    if (!has_new && !has_new_impl)
        out = "new";
    if (!has_next)
        out += (out.empty() ? "" : ", ") + std::string("next");
    if (!has_destroy)
        out += (out.empty() ? "" : ", ") + std::string("destroy");
    return out;
}

const FoundKind* KindReport::find(const std::string& name) const {
    for (const auto& f : found)
        if (f.name == name)
            return &f;
    return nullptr;
}

std::vector<const FoundKind*> KindReport::unknown() const {
    std::vector<const FoundKind*> out;
    for (const auto& f : found)
        if (!f.known && f.complete())
            out.push_back(&f);
    return out;
}

KindReport discover_kinds(const struct btf* btf) {
    std::map<std::string, FoundKind> by_name;
    uint32_t n = btf__type_cnt(btf);
    for (uint32_t id = 1; id < n; id++) {
        const struct btf_type* t = btf__type_by_id(btf, id);
        if (!t || !btf_is_func(t))
            continue;
        const char* name = btf__name_by_offset(btf, t->name_off);
        std::string kind;
        Role role;
        if (!name || !split_name(name, kind, role) || kind.empty())
            continue;
        // Registration requires the iterator as the first argument: this
        // leaves out bpf_iter_* functions of the seq-file iterators.
        if (first_param_struct(btf, t) != "bpf_iter_" + kind)
            continue;
        FoundKind& f = by_name[kind];
        f.name = kind;
        switch (role) {
        case Role::new_:
            f.has_new = true;
            break;
        case Role::new_impl:
            f.has_new_impl = true;
            break;
        case Role::next:
            f.has_next = true;
            break;
        case Role::destroy:
            f.has_destroy = true;
            break;
        }
    }
    KindReport r;
    for (auto& entry : by_name) {
        FoundKind& f = entry.second;
        f.known = gen::find_known_kind(f.name);
        int32_t sid = btf__find_by_name_kind(btf, ("bpf_iter_" + f.name).c_str(), BTF_KIND_STRUCT);
        if (sid > 0) {
            int64_t size = btf__resolve_size(btf, static_cast<uint32_t>(sid));
            f.size = size >= 0 ? size : -1;
        }
        r.found.push_back(f);
    }
    for (const auto& k : gen::known_kinds())
        if (!r.find(k.name))
            r.absent.push_back(&k);
    return r;
}

std::vector<std::string> kind_warnings(const KindReport& r, const std::string& kernel) {
    std::vector<std::string> out;
    std::string where = "kernel '" + kernel + "': iterator kind '";
    for (const auto& f : r.found) {
        std::string size = f.size >= 0 ? std::to_string(f.size) + " bytes" : "no struct";
        if (!f.complete())
            out.push_back(where + f.name + "' is partial: " + f.funcs() + " without " +
                          f.missing());
        else if (!f.known)
            out.push_back(where + f.name + "' (" + f.funcs() + ", " + size +
                          ") is unknown to the kind table");
        else if (f.size_mismatch())
            out.push_back(where + f.name + "' is " + size + ", the kind table says " +
                          std::to_string(f.known->size));
    }
    return out;
}

const gen::KnownKind* kind_of_kfunc(const std::string& func) {
    std::string kind;
    Role role;
    if (!split_name(func, kind, role))
        return nullptr;
    return gen::find_known_kind(kind);
}

std::string missing_kinds_reason(const std::vector<std::string>& missing,
                                 const std::function<bool(const std::string&)>& has) {
    std::string out;
    std::vector<const gen::KnownKind*> seen;
    for (const auto& func : missing) {
        const gen::KnownKind* k = kind_of_kfunc(func);
        if (!k || std::find(seen.begin(), seen.end(), k) != seen.end())
            continue;
        seen.push_back(k);
        std::string base = "bpf_iter_" + std::string(k->name);
        if (has(base + "_new") || has(base + "_next") || has(base + "_destroy") ||
            (k->new_impl && has(base + "_new_impl")))
            continue;
        std::string since = k->since.str();
        if (since.size() > 2 && since.substr(since.size() - 2) == ".0")
            since.resize(since.size() - 2);
        out += (out.empty() ? "" : "; ") + std::string("iterator kind ") + k->name +
               " missing from kernel BTF (" +
               (k->module ? "module " + std::string(k->module) : "since " + since) + ")";
    }
    return out;
}

} // namespace iterconf::load
