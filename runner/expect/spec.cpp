#include "expect/spec.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <string_view>

namespace iterconf::expect {

namespace {

constexpr std::string_view k_hint = "see cases/README.md for the annotation vocabulary";

// Upstream keys iterconf knows but never checks, with what it says about
// each (ProgramSpec::unchecked, unchecked_text()). Together with the keys
// parse_program_tags() handles, these are all the keys any version of
// upstream's bpf_misc.h has written (checked against its history: 6.3
// through the 2026 tag-ordering rework).
struct UncheckedKey {
    std::string_view key;
    std::string_view text;
};
constexpr UncheckedKey k_unchecked_keys[] = {
    {"test_expect_xlated", "__xlated (the program after verifier rewrites is not compared)"},
    {"test_expect_xlated_unpriv",
     "__xlated_unpriv (the program after verifier rewrites is not compared)"},
    {"test_jited", "__jited (the JITed code is not compared)"},
    {"test_jited_unpriv", "__jited_unpriv (the JITed code is not compared)"},
    {"test_expect_stderr", "__stderr (the program's BPF stderr stream is not read)"},
    {"test_expect_stderr_unpriv", "__stderr_unpriv (the program's BPF stderr stream is not read)"},
    {"test_expect_stdout", "__stdout (the program's BPF stdout stream is not read)"},
    {"test_expect_stdout_unpriv", "__stdout_unpriv (the program's BPF stdout stream is not read)"},
    {"load_mode", "__load_if_JITed/__load_if_no_JITed (loaded whether or not the JIT is on)"},
    {"test_btf_path", "__btf_path (the custom BTF file is not used)"},
    {"test_btf_func_path", "__btf_func_path (the custom BTF file is not used)"},
    {"test_linear_size", "__linear_size (test runs use a linear skb)"},
    {"test_kconfig", "__kconfig_check (judged whatever the kernel's configuration)"},
    {"test_skip", "__skip (upstream reports it skipped; iterconf loads and judges it)"},
};

// Keys whose value carried "<__COUNTER__>=" from 6.12 until the 2026 format
// moved the counter in front of the key (upstream's skip_dynamic_pfx()).
constexpr std::string_view k_counted_keys[] = {
    "test_expect_msg",        "test_expect_not_msg",        "test_expect_regex",
    "test_expect_msg_unpriv", "test_expect_not_msg_unpriv", "test_expect_regex_unpriv",
    "test_expect_xlated",     "test_expect_xlated_unpriv",  "test_jited",
    "test_jited_unpriv",      "test_expect_stderr",         "test_expect_stderr_unpriv",
    "test_expect_stdout",     "test_expect_stdout_unpriv",
};

template <typename Range> bool contains(const Range& r, std::string_view k) {
    return std::find(std::begin(r), std::end(r), k) != std::end(r);
}

// The length of "<digits>=" at the start of v, or 0.
size_t counter_prefix(std::string_view v) {
    size_t d = 0;
    while (d < v.size() && std::isdigit(static_cast<unsigned char>(v[d])))
        d++;
    return d > 0 && d < v.size() && v[d] == '=' ? d + 1 : 0;
}

// POSIX's RE_DUP_MAX: the largest count a {m,n} may give.
constexpr long k_re_dup_max = 255;

// Characters escaped in the literal parts. ']' and '}' are left alone: with
// '[' and '{' escaped they are ordinary, and libstdc++ refuses "\]" and
// "\}" as invalid escapes (so __msg("a[0]") did not compile).
bool is_ere_special(char c) {
    return std::string_view(".[{()\\*+?^$|").find(c) != std::string_view::npos;
}

struct Tag {
    long order;   // __COUNTER__ value, or position for counterless tags
    size_t index; // position in BTF, to keep sorting stable
    std::string key;
    std::optional<std::string> value;
};

// The largest repetition count {m,n} in the ERE part `re` (outside bracket
// expressions and escapes), saturating at 100000. libstdc++'s regex
// compiler reads counts into a long without checking for overflow
// (undefined behaviour; found by fuzz_spec), so big ones must not reach it.
long max_repeat_count(std::string_view re) {
    long most = 0;
    for (size_t i = 0; i < re.size(); i++) {
        if (re[i] == '\\') {
            i++;
        } else if (re[i] == '[') {
            // A bracket expression: ']' right after '[' or '[^' is literal.
            size_t j = i + 1;
            if (j < re.size() && re[j] == '^')
                j++;
            if (j < re.size() && re[j] == ']')
                j++;
            while (j < re.size() && re[j] != ']')
                j++;
            i = j;
        } else if (re[i] == '{') {
            long n = 0;
            for (size_t j = i + 1;
                 j < re.size() && (std::isdigit(static_cast<unsigned char>(re[j])) || re[j] == ',');
                 j++) {
                n = re[j] == ',' ? 0 : std::min(n * 10 + (re[j] - '0'), 100000L);
                most = std::max(most, n);
            }
        }
    }
    return most;
}

} // namespace

Result<MsgPattern> compile_pattern(const std::string& text) {
    MsgPattern p;
    p.text = text;
    // BTF strings end at NUL, so no real annotation holds one; std::regex
    // refuses it ("Unexpected null character").
    if (text.find('\0') != std::string::npos)
        return make_error(ErrorKind::input, "",
                          "NUL character in message '" + printable(text) + "'",
                          "a message is text up to its first NUL; drop the NUL");
    size_t i = 0;
    std::string run; // the literal text since the last {{ }}
    auto end_run = [&] {
        if (run.size() > p.needle.size())
            p.needle = run;
        run.clear();
    };
    while (i < text.size()) {
        if (text.compare(i, 2, "{{") == 0) {
            end_run();
            size_t end = text.find("}}", i + 2);
            if (end == std::string::npos)
                return make_error(ErrorKind::input, "",
                                  "unterminated '{{' in message '" + printable(text) + "'",
                                  "close the regex with '}}'");
            std::string re = text.substr(i + 2, end - i - 2);
            if (max_repeat_count(re) > k_re_dup_max)
                return make_error(ErrorKind::input, "",
                                  "repetition count over " + std::to_string(k_re_dup_max) +
                                      " in message '" + printable(text) + "'",
                                  "POSIX regexes allow {m,n} up to RE_DUP_MAX (255)");
            p.regex += "(" + re + ")";
            i = end + 2;
        } else {
            if (is_ere_special(text[i]))
                p.regex += '\\';
            p.regex += text[i];
            run += text[i];
            i++;
        }
    }
    end_run();
    try {
        p.re = std::regex(p.regex, std::regex::extended);
    } catch (const std::regex_error& e) {
        return make_error(ErrorKind::input, "",
                          "bad regex in message '" + printable(text) + "': " + e.what(),
                          "write a POSIX extended regex inside {{ }}");
    }
    return p;
}

std::optional<uint32_t> prog_flag_value(const std::string& name) {
    static const std::pair<std::string_view, uint32_t> k_flags[] = {
        {"BPF_F_STRICT_ALIGNMENT", 1u << 0},   {"BPF_F_ANY_ALIGNMENT", 1u << 1},
        {"BPF_F_TEST_RND_HI32", 1u << 2},      {"BPF_F_TEST_STATE_FREQ", 1u << 3},
        {"BPF_F_SLEEPABLE", 1u << 4},          {"BPF_F_XDP_HAS_FRAGS", 1u << 5},
        {"BPF_F_XDP_DEV_BOUND_ONLY", 1u << 6}, {"BPF_F_TEST_REG_INVARIANTS", 1u << 7},
    };
    for (const auto& [n, v] : k_flags)
        if (n == name)
            return v;
    uint32_t v = 0;
    const char* b = name.data();
    const char* e = b + name.size();
    int base = 10;
    if (name.size() > 2 && name[0] == '0' && (name[1] == 'x' || name[1] == 'X')) {
        b += 2;
        base = 16;
    }
    auto [ptr, ec] = std::from_chars(b, e, v, base);
    if (ec == std::errc() && ptr == e && b != e)
        return v;
    return std::nullopt;
}

namespace {

// "4|12" or "CAP_BPF|CAP_NET_ADMIN" (__caps_unpriv) -> bit mask.
std::optional<uint64_t> parse_caps(std::string_view v) {
    static const std::pair<std::string_view, int> k_caps[] = {
        {"CAP_NET_ADMIN", 12}, {"CAP_SYS_ADMIN", 21}, {"CAP_PERFMON", 38}, {"CAP_BPF", 39}};
    uint64_t mask = 0;
    while (true) {
        size_t bar = v.find('|');
        std::string_view tok = v.substr(0, bar);
        while (!tok.empty() && tok.front() == ' ')
            tok.remove_prefix(1);
        while (!tok.empty() && tok.back() == ' ')
            tok.remove_suffix(1);
        int cap = -1;
        for (const auto& [n, c] : k_caps)
            if (n == tok)
                cap = c;
        if (cap < 0) {
            auto [p, ec] = std::from_chars(tok.data(), tok.data() + tok.size(), cap);
            if (ec != std::errc() || p != tok.data() + tok.size() || cap <= 0 || cap > 63)
                return std::nullopt;
        }
        mask |= 1ull << cap;
        if (bar == std::string_view::npos)
            return mask;
        v.remove_prefix(bar + 1);
    }
}

} // namespace

Result<Retval> parse_retval(const std::string& text) {
    // Upstream's named values: before 2025 test_loader resolved INT_MIN,
    // POINTER_VALUE (then 0xcafe4all) and TEST_DATA_LEN by name; since then
    // bpf_misc.h expands the macros (POINTER_VALUE 0xbadcafe) and writes
    // INT_MIN as _INT_MIN. The XDP and TC actions are enum constants, which
    // the preprocessor leaves as names.
    static const std::pair<std::string_view, int64_t> k_named[] = {
        {"INT_MIN", INT32_MIN}, {"_INT_MIN", INT32_MIN}, {"POINTER_VALUE", 0xcafe4a},
        {"TEST_DATA_LEN", 64},  {"XDP_ABORTED", 0},      {"XDP_DROP", 1},
        {"XDP_PASS", 2},        {"XDP_TX", 3},           {"XDP_REDIRECT", 4},
        {"TC_ACT_UNSPEC", -1},  {"TC_ACT_OK", 0},        {"TC_ACT_RECLASSIFY", 1},
        {"TC_ACT_SHOT", 2},     {"TC_ACT_PIPE", 3},      {"TC_ACT_STOLEN", 4},
        {"TC_ACT_REDIRECT", 7},
    };
    for (const auto& [n, v] : k_named)
        if (n == text)
            return Retval{text, static_cast<uint32_t>(v)};
    std::string_view t = text;
    bool neg = !t.empty() && t[0] == '-';
    if (neg)
        t.remove_prefix(1);
    int base = 10;
    if (t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) {
        t.remove_prefix(2);
        base = 16;
    }
    uint64_t v = 0;
    auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v, base);
    if (t.empty() || ec != std::errc() || p != t.data() + t.size() || v > 0xffffffffull)
        return make_error(ErrorKind::input, "",
                          "__retval: expected a number, got '" + printable(text) + "'");
    uint32_t u = static_cast<uint32_t>(v);
    return Retval{text, neg ? 0u - u : u};
}

Result<LeakCheck> parse_leak_check(const std::string& text) {
    LeakCheck l;
    std::string_view t = text;
    if (t.starts_with("zombie ")) {
        l.zombie = true;
        t.remove_prefix(7);
    }
    auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), l.runs);
    if (t.empty() || ec != std::errc() || p != t.data() + t.size() || l.runs < 1 || l.runs > 100000)
        return make_error(ErrorKind::input, "",
                          "expected '[zombie ]N' with N in 1..100000, got '" + printable(text) +
                              "'");
    return l;
}

const char* current_arch() {
#if defined(__x86_64__)
    return "X86_64";
#elif defined(__i386__)
    return "X86_32";
#elif defined(__aarch64__)
    return "ARM64";
#elif defined(__riscv) && __riscv_xlen == 64
    return "RISCV64";
#elif defined(__s390x__)
    return "s390x";
#elif defined(__loongarch__)
    return "LOONGARCH";
#else
    return "unknown";
#endif
}

bool runs_on_arch(const ProgramSpec& spec, const std::string& arch) {
    return spec.archs.empty() || contains(spec.archs, arch);
}

std::string unchecked_text(const std::string& key) {
    for (const auto& u : k_unchecked_keys)
        if (u.key == key)
            return std::string(u.text);
    return key;
}

Result<ProgramSpec> parse_program_tags(const std::string& name, std::vector<std::string> raw,
                                       const std::string& where) {
    ProgramSpec spec;
    spec.name = name;

    std::vector<Tag> tags;
    for (size_t i = 0; i < raw.size(); i++) {
        std::string_view s = raw[i];
        if (!s.starts_with("comment:"))
            continue;
        s.remove_prefix(8);
        Tag t;
        t.index = i;
        t.order = -1;
        size_t d = 0;
        while (d < s.size() && std::isdigit(static_cast<unsigned char>(s[d])))
            d++;
        if (d > 0 && d < s.size() && s[d] == ':') {
            std::from_chars(s.data(), s.data() + d, t.order);
            s.remove_prefix(d + 1);
        }
        size_t eq = s.find('=');
        t.key = std::string(s.substr(0, eq));
        if (eq != std::string_view::npos)
            t.value = std::string(s.substr(eq + 1));
        tags.push_back(std::move(t));
    }
    // The 6.12 format: each repeatable key's value starts with "<N>=". A
    // program is read that way when all its counterless tags of such keys
    // do, so an older message that happens to start with digits and '='
    // still parses as written unless every message of its program does.
    bool counted = false;
    for (const Tag& t : tags) {
        if (t.order >= 0 || !contains(k_counted_keys, t.key))
            continue;
        if (!t.value || !counter_prefix(*t.value)) {
            counted = false;
            break;
        }
        counted = true;
    }
    if (counted) {
        for (Tag& t : tags) {
            if (t.order >= 0 || !contains(k_counted_keys, t.key))
                continue;
            size_t n = counter_prefix(*t.value);
            std::from_chars(t.value->data(), t.value->data() + n - 1, t.order);
            t.value->erase(0, n);
        }
    }
    std::stable_sort(tags.begin(), tags.end(), [](const Tag& a, const Tag& b) {
        return a.order != b.order ? a.order < b.order : a.index < b.index;
    });

    auto bad = [&](const std::string& what) {
        return make_error(ErrorKind::input, where, what, std::string(k_hint));
    };
    auto need_value = [&](const Tag& t) -> Result<std::string> {
        if (!t.value)
            return bad("annotation '" + printable(t.key) + "' needs a value");
        return *t.value;
    };
    auto no_value = [&](const Tag& t) -> Result<void> {
        if (t.value)
            return bad("annotation '" + printable(t.key) +
                       "' takes no value (got '=" + printable(*t.value) + "')");
        return {};
    };
    auto with_where = [&](Error e, const std::string& key) {
        e.where = where;
        e.what = key + ": " + e.what;
        return e;
    };

    bool priv = false;
    for (const Tag& t : tags) {
        const std::string& k = t.key;
        if (k == "test_expect_success" || k == "test_expect_failure") {
            ITERCONF_TRY(no_value(t));
            bool success = k == "test_expect_success";
            if (spec.success && *spec.success != success)
                return bad("both __success and __failure");
            spec.success = success;
        } else if (k == "test_expect_success_unpriv" || k == "test_expect_failure_unpriv") {
            ITERCONF_TRY(no_value(t));
            bool success = k == "test_expect_success_unpriv";
            if (spec.unpriv.success && *spec.unpriv.success != success)
                return bad("both __success_unpriv and __failure_unpriv");
            spec.unpriv.success = success;
            spec.unpriv.wanted = true;
        } else if (k == "test_expect_msg" || k == "test_expect_not_msg" ||
                   k == "test_expect_regex" || k == "test_expect_msg_unpriv" ||
                   k == "test_expect_not_msg_unpriv" || k == "test_expect_regex_unpriv") {
            ITERCONF_TRY_ASSIGN(std::string v, need_value(t));
            if (v.empty())
                return bad("empty message in '" + k + "'");
            if (k.starts_with("test_expect_regex"))
                v = "{{" + v + "}}";
            auto p = compile_pattern(v);
            if (!p)
                return with_where(p.take_error(), k);
            p->negative = k.starts_with("test_expect_not_msg");
            if (k.ends_with("_unpriv")) {
                spec.unpriv.msgs.push_back(std::move(*p));
                spec.unpriv.wanted = true;
            } else {
                spec.msgs.push_back(std::move(*p));
            }
        } else if (k == "iterconf_kver_msg") {
            ITERCONF_TRY_ASSIGN(std::string v, need_value(t));
            size_t close = v.find(']');
            if (v.empty() || v[0] != '[' || close == std::string::npos)
                return bad("iterconf_kver_msg: expected '[<range>]<message>', got '" +
                           printable(v) + "'");
            auto range = parse_range(std::string_view(v).substr(1, close - 1));
            if (!range)
                return with_where(range.take_error(), "__kver_msg");
            std::string text = v.substr(close + 1);
            if (text.empty())
                return bad("__kver_msg: empty message");
            auto p = compile_pattern(text);
            if (!p)
                return with_where(p.take_error(), "__kver_msg");
            p->range = std::move(*range);
            spec.msgs.push_back(std::move(*p));
        } else if (k == "iterconf_kver_success" || k == "iterconf_kver_failure") {
            ITERCONF_TRY_ASSIGN(std::string v, need_value(t));
            auto range = parse_range(v);
            if (!range)
                return with_where(range.take_error(), k == "iterconf_kver_success"
                                                          ? "__kver_success"
                                                          : "__kver_failure");
            spec.kver_verdicts.push_back({std::move(*range), k == "iterconf_kver_success"});
        } else if (k == "test_description") {
            ITERCONF_TRY_ASSIGN(spec.description, need_value(t));
        } else if (k == "test_retval" || k == "test_retval_unpriv") {
            ITERCONF_TRY_ASSIGN(std::string v, need_value(t));
            auto r = parse_retval(v);
            if (!r)
                return with_where(r.take_error(),
                                  k == "test_retval" ? "__retval" : "__retval_unpriv");
            if (k == "test_retval") {
                spec.retval = std::move(*r);
            } else {
                spec.unpriv.retval = std::move(*r);
                spec.unpriv.wanted = true;
            }
        } else if (k == "iterconf_leak_check") {
            ITERCONF_TRY_ASSIGN(std::string v, need_value(t));
            auto l = parse_leak_check(v);
            if (!l)
                return with_where(l.take_error(), "__leak_check");
            spec.leak_check = *l;
        } else if (k == "test_log_level") {
            ITERCONF_TRY_ASSIGN(std::string v, need_value(t));
            int lvl = -1;
            auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), lvl);
            if (ec != std::errc() || p != v.data() + v.size() || lvl < 0 || lvl > 7)
                return bad("__log_level: expected 0..7, got '" + printable(v) + "'");
            spec.log_level = lvl;
        } else if (k == "test_log_always") {
            // upstream prints the log even on success; iterconf always keeps it
            ITERCONF_TRY(no_value(t));
        } else if (k == "test_prog_flags") {
            ITERCONF_TRY_ASSIGN(std::string v, need_value(t));
            bool clear = !v.empty() && v[0] == '!';
            auto f = prog_flag_value(clear ? v.substr(1) : v);
            if (!f)
                return bad("__flag: unknown flag '" + printable(v) + "'");
            (clear ? spec.prog_flags_clear : spec.prog_flags_set) |= *f;
        } else if (k == "test_auxiliary" || k == "test_auxiliary_unpriv") {
            ITERCONF_TRY(no_value(t));
            spec.auxiliary = true;
            if (k == "test_auxiliary_unpriv") {
                spec.unpriv.auxiliary = true;
                spec.unpriv.wanted = true;
            }
        } else if (k == "test_caps_unpriv") {
            ITERCONF_TRY_ASSIGN(std::string v, need_value(t));
            auto caps = parse_caps(v);
            if (!caps)
                return bad("__caps_unpriv: expected capability numbers joined by '|', got '" +
                           printable(v) + "'");
            spec.unpriv.caps |= *caps;
            spec.unpriv.wanted = true;
        } else if (k == "test_arch") {
            ITERCONF_TRY_ASSIGN(std::string v, need_value(t));
            static constexpr std::string_view k_archs[] = {"X86_64",  "X86_32", "ARM64",
                                                           "RISCV64", "s390x",  "LOONGARCH"};
            if (!contains(k_archs, v))
                return bad("__arch: unknown architecture '" + printable(v) +
                           "' (upstream names: X86_64, X86_32, ARM64, RISCV64, s390x, LOONGARCH)");
            if (!contains(spec.archs, v))
                spec.archs.push_back(v);
        } else if (std::any_of(std::begin(k_unchecked_keys), std::end(k_unchecked_keys),
                               [&](const UncheckedKey& u) { return u.key == k; })) {
            if (!contains(spec.unchecked, k))
                spec.unchecked.push_back(k);
        } else {
            return bad("unknown annotation '" + printable(k) + (t.value ? "=" : "") + "'");
        }
        // the keys that make test_loader run the privileged pass
        static constexpr std::string_view k_priv_keys[] = {
            "test_expect_success", "test_expect_failure",   "test_expect_msg",
            "test_expect_not_msg", "test_expect_regex",     "test_expect_xlated",
            "test_jited",          "test_retval",           "test_auxiliary",
            "iterconf_kver_msg",   "iterconf_kver_success", "iterconf_kver_failure",
            "iterconf_leak_check"};
        priv |= contains(k_priv_keys, k);
    }
    spec.unpriv_only = spec.unpriv.wanted && !priv;
    return spec;
}

ProgramSpec unpriv_spec(const ProgramSpec& spec) {
    ProgramSpec u = spec;
    if (spec.unpriv.success) {
        u.success = spec.unpriv.success;
        u.kver_verdicts.clear();
    }
    if (!spec.unpriv.msgs.empty())
        u.msgs = spec.unpriv.msgs;
    if (spec.unpriv.retval)
        u.retval = spec.unpriv.retval;
    u.unpriv = UnprivSpec{};
    u.unpriv_only = false;
    return u;
}

Expectation resolve(const ProgramSpec& spec, const KernelVersion& k) {
    Expectation e;
    e.success = spec.success.value_or(true);
    for (const auto& kv : spec.kver_verdicts) {
        if (kv.range.contains(k)) {
            e.success = kv.success;
            break;
        }
    }
    for (const auto& m : spec.msgs)
        if (!m.range || m.range->contains(k))
            e.msgs.push_back(&m);
    return e;
}

namespace {

struct Pos {
    size_t line = 0;
    size_t col = 0;
};

// Finds p at or after `from` and before `to`; on success sets match begin/end.
bool find_in(const std::vector<std::string_view>& lines, const MsgPattern& p, Pos from, Pos to,
             Pos& mbegin, Pos& mend) {
    const std::regex& re = p.re;
    for (size_t l = from.line; l < lines.size() && l <= to.line; l++) {
        std::string_view line = lines[l];
        size_t c0 = l == from.line ? std::min(from.col, line.size()) : 0;
        size_t c1 = l == to.line ? std::min(to.col, line.size()) : line.size();
        if (c1 < c0)
            continue;
        if (!p.needle.empty() && line.substr(c0, c1 - c0).find(p.needle) == std::string_view::npos)
            continue;
        std::match_results<std::string_view::const_iterator> m;
        auto flags =
            c0 > 0 ? std::regex_constants::match_prev_avail : std::regex_constants::match_default;
        if (std::regex_search(line.begin() + c0, line.begin() + c1, m, re, flags)) {
            mbegin = {l, c0 + static_cast<size_t>(m.position(0))};
            mend = {l, mbegin.col + static_cast<size_t>(m.length(0))};
            return true;
        }
    }
    return false;
}

} // namespace

MatchOutcome match_log(const std::vector<const MsgPattern*>& msgs, const std::string& log) {
    auto lines = split_lines(log);
    const Pos end_of_log{lines.empty() ? 0 : lines.size() - 1, std::string::npos};
    Pos cur;
    std::vector<size_t> pending_neg; // negatives waiting for the next positive
    auto check_negatives = [&](Pos to) -> std::optional<size_t> {
        for (size_t i : pending_neg) {
            Pos b, e;
            if (find_in(lines, *msgs[i], cur, to, b, e))
                return i;
        }
        pending_neg.clear();
        return std::nullopt;
    };
    for (size_t i = 0; i < msgs.size(); i++) {
        if (msgs[i]->negative) {
            pending_neg.push_back(i);
            continue;
        }
        Pos b, e;
        if (!find_in(lines, *msgs[i], cur, end_of_log, b, e))
            return {false, i};
        if (auto bad = check_negatives(b))
            return {false, *bad};
        cur = e;
    }
    if (auto bad = check_negatives(end_of_log))
        return {false, *bad};
    return {};
}

} // namespace iterconf::expect
