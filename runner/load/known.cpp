#include "load/known.hpp"

#include "common/embed.hpp"

#include <algorithm>
#include <bpf/btf.h>
#include <cstdio>
#include <cstdlib>

// images/kfuncs.txt and images/lsm_hooks.txt, embedded by the assembler
// (ITERCONF_IMAGES_DIR from CMake; OBJECT_DEPENDS rebuilds this file when a
// list changes), so the static guest agent needs no file beside it.
ITERCONF_EMBED_IMAGE(iterconf_kfunc_list, "kfuncs.txt")
ITERCONF_EMBED_IMAGE(iterconf_lsm_hook_list, "lsm_hooks.txt")

namespace iterconf::load {

namespace {

std::vector<std::string_view> words(std::string_view line) {
    std::vector<std::string_view> out;
    size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r'))
            i++;
        size_t j = i;
        while (j < line.size() && line[j] != ' ' && line[j] != '\t' && line[j] != '\r')
            j++;
        if (j > i)
            out.push_back(line.substr(i, j - i));
        i = j;
    }
    return out;
}

bool is_name(std::string_view s) {
    if (s.empty() || (s[0] >= '0' && s[0] <= '9'))
        return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_';
    });
}

} // namespace

Result<std::vector<KnownKfunc>> parse_kfunc_list(std::string_view text, const std::string& where) {
    std::vector<KnownKfunc> out;
    size_t n = 0;
    for (std::string_view line : split_lines(text)) {
        n++;
        if (size_t hash = line.find('#'); hash != std::string_view::npos)
            line = line.substr(0, hash);
        auto w = words(line);
        if (w.empty())
            continue;
        auto bad = [&](const std::string& what) {
            return make_error(ErrorKind::input, where + ":" + std::to_string(n), what,
                              "each line is 'name first [last]'");
        };
        if (w.size() < 2 || w.size() > 3)
            return bad("expected 2 or 3 words, got " + std::to_string(w.size()));
        if (!is_name(w[0]))
            return bad("'" + printable(w[0]) + "' is not a C identifier");
        out.push_back({std::string(w[0]), std::string(w[1]),
                       w.size() == 3 ? std::string(w[2]) : std::string()});
    }
    std::sort(out.begin(), out.end(),
              [](const KnownKfunc& a, const KnownKfunc& b) { return a.name < b.name; });
    for (size_t i = 1; i < out.size(); i++)
        if (out[i].name == out[i - 1].name)
            return make_error(ErrorKind::input, where,
                              "kfunc '" + out[i].name + "' is listed twice");
    return out;
}

namespace {

std::vector<KnownKfunc> builtin_list(const char* begin, const char* end, const char* where) {
    auto r = parse_kfunc_list(std::string_view(begin, static_cast<size_t>(end - begin)), where);
    if (!r || r->empty()) {
        // A build-time input: the build is broken, not the user's case.
        std::fprintf(stderr, "iterconf: error: %s\n",
                     r ? (std::string(where) + ": empty list").c_str()
                       : r.error().message().c_str());
        std::abort();
    }
    return std::move(*r);
}

} // namespace

const std::vector<KnownKfunc>& known_kfuncs() {
    static const auto list =
        builtin_list(iterconf_kfunc_list, iterconf_kfunc_list_end, "images/kfuncs.txt (built in)");
    return list;
}

const std::vector<KnownKfunc>& known_lsm_hooks() {
    static const auto list = builtin_list(iterconf_lsm_hook_list, iterconf_lsm_hook_list_end,
                                          "images/lsm_hooks.txt (built in)");
    return list;
}

const KnownKfunc* find_known_kfunc(std::string_view name, const std::vector<KnownKfunc>& list) {
    auto it = std::lower_bound(list.begin(), list.end(), name,
                               [](const KnownKfunc& k, std::string_view n) { return k.name < n; });
    return it != list.end() && it->name == name ? &*it : nullptr;
}

size_t edit_distance(std::string_view a, std::string_view b) {
    // Three rows of the optimal-string-alignment table.
    std::vector<size_t> prev2(b.size() + 1), prev(b.size() + 1), cur(b.size() + 1);
    for (size_t j = 0; j <= b.size(); j++)
        prev[j] = j;
    for (size_t i = 1; i <= a.size(); i++) {
        cur[0] = i;
        for (size_t j = 1; j <= b.size(); j++) {
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                cur[j] = std::min(cur[j], prev2[j - 2] + 1);
        }
        std::swap(prev2, prev);
        std::swap(prev, cur);
    }
    return prev[b.size()];
}

std::string closest_kfunc(std::string_view name, const std::vector<KnownKfunc>& list) {
    size_t limit = std::min<size_t>(3, name.size() / 6);
    size_t best = limit + 1;
    std::string out;
    for (const auto& k : list) {
        size_t d = edit_distance(name, k.name);
        if (d < best) {
            best = d;
            out = k.name;
        }
    }
    return out;
}

namespace {

// "present in 6.1 or earlier", "added after 6.1 (present in 6.12)", plus
// ", not in the vmlinux of kernels after 7.2" (dropped, or built as a module
// there); the list's columns are facts about the surveyed kernels' BTF.
std::string first_seen(const KnownKfunc& k) {
    if (k.first.starts_with("module:"))
        return "in module " + k.first.substr(7);
    std::string s;
    if (k.first.starts_with("<="))
        s = "present in " + k.first.substr(2) + " or earlier";
    else if (size_t dash = k.first.find('-'); dash != std::string::npos)
        s = "added after " + k.first.substr(0, dash) + " (present in " + k.first.substr(dash + 1) +
            ")";
    else
        s = "present in " + k.first;
    if (!k.last.empty())
        s += ", not in the vmlinux of kernels after " + k.last;
    return s;
}

} // namespace

std::string known_kfunc_span(const KnownKfunc& k) {
    return "a known kfunc, " + first_seen(k);
}

Result<void> check_kfunc_known(std::string_view name, const std::string& where,
                               const std::vector<KnownKfunc>& list) {
    if (find_known_kfunc(name, list))
        return {};
    std::string near = closest_kfunc(name, list);
    return make_error(ErrorKind::input, where,
                      "kfunc '" + printable(name) + "' is known to no kernel",
                      near.empty() ? "check the name; a kfunc newer than images/kfuncs.txt needs "
                                     "a line there (see its header)"
                                   : "did you mean '" + near + "'?");
}

SectionName split_section(const std::string& section) {
    std::string_view s = section;
    if (s.starts_with("?"))
        s.remove_prefix(1); // SEC("?lsm/...") is not loaded by default, same target
    size_t slash = s.find('/');
    if (slash == std::string_view::npos)
        return {std::string(s), ""};
    return {std::string(s.substr(0, slash)), std::string(s.substr(slash + 1))};
}

AttachCheck check_attach_target(const struct btf* kernel_btf, const std::string& section,
                                const std::vector<KnownKfunc>& lsm_hooks) {
    AttachCheck c;
    if (section.find('/') == std::string::npos)
        return c;
    auto [kind, target] = split_section(section);
    int btf_kind = BTF_KIND_FUNC;
    if (kind == "lsm" || kind == "lsm.s" || kind == "lsm_cgroup")
        c.btf_name = "bpf_lsm_" + target;
    else if (kind == "fentry" || kind == "fexit" || kind == "fmod_ret" || kind == "fentry.s" ||
             kind == "fexit.s" || kind == "fmod_ret.s")
        c.btf_name = target;
    else if (kind == "tp_btf") {
        c.btf_name = "btf_trace_" + target;
        btf_kind = BTF_KIND_TYPEDEF;
    } else
        return c;
    if (target.empty() || target.find(':') != std::string::npos)
        return c; // "fentry/" (set at run time) or a module target ("fentry/mod:func")
    if (kernel_btf && btf__find_by_name_kind(kernel_btf, c.btf_name.c_str(), btf_kind) > 0) {
        c.state = AttachTarget::present;
        return c;
    }
    c.state = AttachTarget::absent_unknown;
    if (c.btf_name.starts_with("bpf_lsm_") && kernel_btf) {
        const KnownKfunc* hook = find_known_kfunc(target, lsm_hooks);
        if (!hook)
            return c; // a misspelled hook stays a load_error (a mismatch)
        // Does this kernel have BPF LSM at all? Every bpf_lsm_* function is
        // built from kernel/bpf/bpf_lsm.c, which CONFIG_BPF_LSM gates.
        bool bpf_lsm = false;
        for (__u32 id = 1, n = btf__type_cnt(kernel_btf); id < n && !bpf_lsm; id++) {
            const struct btf_type* t = btf__type_by_id(kernel_btf, id);
            if (btf_is_func(t) && std::string_view(btf__name_by_offset(kernel_btf, t->name_off))
                                      .starts_with("bpf_lsm_"))
                bpf_lsm = true;
        }
        c.state = AttachTarget::absent_known;
        c.reason = "attach target " + c.btf_name + " absent from kernel BTF " +
                   (bpf_lsm ? "(a known LSM hook, " + first_seen(*hook) + ")"
                            : std::string("(CONFIG_BPF_LSM?)"));
    }
    return c;
}

} // namespace iterconf::load
