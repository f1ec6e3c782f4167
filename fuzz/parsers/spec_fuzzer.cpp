// fuzz_spec: annotation decl-tag strings -> a program's expectations
// (expect/spec: parse_program_tags, compile_pattern, resolve, match_log).
//
// Input: one decl-tag string per line ("comment:<n>:test_expect_msg=...").
// Invariants:
//  - errors are one printable line and carry the `where` we gave;
//  - a __msg without {{ }} is literal: it compiles, whatever its characters;
//    its pattern matches a log whose one line is that text, and matches it
//    when the text is preceded by other text;
//  - the __COUNTER__ prefix orders tags: when every tag has a distinct
//    counter, reversing the tags gives the same expectations;
//  - resolve() picks the first __kver_* verdict whose range holds, else the
//    plain verdict, and keeps exactly the messages whose range holds.
#include "check.hpp"
#include "expect/spec.hpp"

#include <cstdint>
#include <set>
#include <string>

using namespace iterconf::expect;
using namespace iterconf::fuzz;

namespace {

const std::string k_where = "cases/fuzz.bpf.c: prog 'p'";

// The same expectations, field by field (regex objects aside).
bool same(const ProgramSpec& a, const ProgramSpec& b) {
    if (a.description != b.description || a.success != b.success || a.retval != b.retval ||
        a.log_level != b.log_level || a.prog_flags_set != b.prog_flags_set ||
        a.prog_flags_clear != b.prog_flags_clear || a.auxiliary != b.auxiliary ||
        a.unchecked != b.unchecked || a.msgs.size() != b.msgs.size() ||
        a.kver_verdicts.size() != b.kver_verdicts.size())
        return false;
    for (size_t i = 0; i < a.msgs.size(); i++)
        if (a.msgs[i].text != b.msgs[i].text || a.msgs[i].regex != b.msgs[i].regex ||
            a.msgs[i].negative != b.msgs[i].negative ||
            a.msgs[i].range.has_value() != b.msgs[i].range.has_value() ||
            (a.msgs[i].range && a.msgs[i].range->text != b.msgs[i].range->text))
            return false;
    for (size_t i = 0; i < a.kver_verdicts.size(); i++)
        if (a.kver_verdicts[i].range.text != b.kver_verdicts[i].range.text ||
            a.kver_verdicts[i].success != b.kver_verdicts[i].success)
            return false;
    return true;
}

// The counter of "comment:<n>:..." or -1.
long counter(const std::string& tag) {
    if (tag.rfind("comment:", 0) != 0)
        return -1;
    size_t d = 8;
    long n = 0;
    while (d < tag.size() && tag[d] >= '0' && tag[d] <= '9' && n < 100000000)
        n = n * 10 + (tag[d++] - '0');
    return d > 8 && d < tag.size() && tag[d] == ':' && n < 100000000 ? n : -1;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size > 4096)
        return 0; // std::regex compiles recursively; see compile_pattern's limit
    std::string text(reinterpret_cast<const char*>(data), size);
    std::vector<std::string> tags = split_lines(text);

    // Literal text (no {{ }}) always compiles, whatever characters it has
    // except NUL (refused with an error: BTF strings cannot hold one).
    for (const auto& t : tags) {
        size_t eq = t.find("test_expect_msg=");
        if (eq == std::string::npos)
            continue;
        std::string v = t.substr(eq + 16);
        if (v.find("{{") != std::string::npos)
            continue;
        if (v.find('\0') != std::string::npos) {
            auto p = compile_pattern(v);
            PARSERS_CHECK(!p.ok(), "a literal with a NUL compiled");
            continue;
        }
        auto p = compile_pattern(v);
        PARSERS_CHECK(p.ok(), "literal '" + v + "' does not compile: " +
                                  (p ? std::string() : p.error().message()));
    }

    auto spec = parse_program_tags("p", tags, k_where);
    if (!spec) {
        check_error_line(spec.error(), "parse_program_tags");
        PARSERS_CHECK(spec.error().where == k_where, spec.error().message());
        return 0;
    }
    PARSERS_CHECK(spec->name == "p", spec->name);

    // Literal messages match themselves, wherever they sit on the line.
    for (const auto& m : spec->msgs) {
        if (m.text.find("{{") != std::string::npos)
            continue;
        MsgPattern positive = m;
        positive.negative = false;
        std::vector<const MsgPattern*> one{&positive};
        PARSERS_CHECK(match_log(one, m.text).ok,
                      "literal '" + m.text + "' (regex '" + m.regex + "') does not match itself");
        PARSERS_CHECK(match_log(one, "0: R1=ctx() " + m.text + "\n").ok,
                      "literal '" + m.text + "' not found after a prefix");
        // A negative pattern fails on the log that has its text.
        MsgPattern negative = m;
        negative.negative = true;
        std::vector<const MsgPattern*> neg{&negative};
        PARSERS_CHECK(!match_log(neg, m.text).ok, "__not_msg '" + m.text + "' passed");
    }

    // Tag order comes from the counters, not from the BTF order.
    std::set<long> counters;
    bool distinct = true;
    for (const auto& t : tags) {
        if (t.rfind("comment:", 0) != 0)
            continue;
        long c = counter(t);
        distinct = distinct && c >= 0 && counters.insert(c).second;
    }
    if (distinct) {
        std::vector<std::string> rev(tags.rbegin(), tags.rend());
        auto again = parse_program_tags("p", rev, k_where);
        PARSERS_CHECK(again.ok() && same(*spec, *again), "reversed tags give other expectations");
    }

    // resolve() on a few kernels, against the rules written out here.
    for (KernelVersion k : {KernelVersion{{6, 1, 0}}, KernelVersion{{6, 12, 57}},
                            KernelVersion{{7, 3, 0}}, KernelVersion{{0, 0, 0}}}) {
        Expectation e = resolve(*spec, k);
        bool want = spec->success.value_or(true);
        for (const auto& kv : spec->kver_verdicts)
            if (kv.range.contains(k)) {
                want = kv.success;
                break;
            }
        PARSERS_CHECK(e.success == want, k.str());
        size_t n = 0;
        for (const auto& m : spec->msgs)
            if (!m.range || m.range->contains(k)) {
                PARSERS_CHECK(n < e.msgs.size() && e.msgs[n] == &m, k.str());
                n++;
            }
        PARSERS_CHECK(n == e.msgs.size(), k.str());
    }
    return 0;
}
