#include "expect/spec.hpp"

#include <gtest/gtest.h>

using namespace iterconf::expect;

namespace {

ProgramSpec parse_ok(std::vector<std::string> tags) {
    auto r = parse_program_tags("p", std::move(tags), "x.bpf.c: prog 'p'");
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message());
    return r.ok() ? std::move(*r) : ProgramSpec{};
}

std::string parse_err(std::vector<std::string> tags) {
    auto r = parse_program_tags("p", std::move(tags), "x.bpf.c: prog 'p'");
    EXPECT_FALSE(r.ok());
    return r.ok() ? "" : r.error().message();
}

KernelVersion kv(const char* s) {
    return *parse_release(s);
}

} // namespace

TEST(Spec, OrderFollowsCounterNotBtfOrder) {
    auto s = parse_ok({"comment:7:test_expect_msg=second", "comment:3:test_expect_failure",
                       "comment:5:test_expect_msg=first", "comment:2:test_description=d"});
    ASSERT_EQ(s.msgs.size(), 2u);
    EXPECT_EQ(s.msgs[0].text, "first");
    EXPECT_EQ(s.msgs[1].text, "second");
    EXPECT_EQ(s.success, false);
    EXPECT_EQ(s.description, "d");
}

TEST(Spec, UpstreamCounterlessTagsAndOtherDeclTags) {
    auto s = parse_ok({"comment:test_expect_failure", "comment:test_expect_msg=a=b", "kfunc_tag",
                       "comment:test_log_level=2"});
    EXPECT_EQ(s.success, false);
    ASSERT_EQ(s.msgs.size(), 1u);
    EXPECT_EQ(s.msgs[0].text, "a=b"); // only the first '=' splits
    EXPECT_EQ(s.log_level, 2);
}

TEST(Spec, NoVerdictMeansUpstreamDefault) {
    auto s = parse_ok({"comment:1:test_description=x"});
    EXPECT_FALSE(s.success.has_value());
    EXPECT_TRUE(resolve(s, kv("6.18")).success);
}

TEST(Spec, UnknownAndMalformedAnnotationsAreErrors) {
    EXPECT_NE(
        parse_err({"comment:1:test_expect_mgs=x"}).find("unknown annotation 'test_expect_mgs='"),
        std::string::npos);
    EXPECT_NE(parse_err({"comment:1:test_expect_success", "comment:2:test_expect_failure"})
                  .find("both __success and __failure"),
              std::string::npos);
    EXPECT_NE(parse_err({"comment:1:test_expect_msg"}).find("needs a value"), std::string::npos);
    EXPECT_NE(parse_err({"comment:1:test_expect_success=1"}).find("takes no value"),
              std::string::npos);
    EXPECT_NE(parse_err({"comment:1:test_expect_msg=a{{b"}).find("unterminated '{{'"),
              std::string::npos);
    EXPECT_NE(parse_err({"comment:1:test_expect_msg={{(}}"}).find("bad regex"), std::string::npos);
    EXPECT_NE(parse_err({"comment:1:iterconf_kver_msg=>=6.9 text"}).find("expected '[<range>]"),
              std::string::npos);
    EXPECT_NE(parse_err({"comment:1:iterconf_kver_msg=[6.9]text"}).find("bad kernel version range"),
              std::string::npos);
    EXPECT_NE(parse_err({"comment:1:iterconf_kver_failure=soon"}).find("__kver_failure"),
              std::string::npos);
    EXPECT_NE(parse_err({"comment:1:test_prog_flags=BPF_F_NOPE"}).find("unknown flag"),
              std::string::npos);
    EXPECT_NE(parse_err({"comment:1:test_log_level=x"}).find("__log_level"), std::string::npos);
    // the error names the file and program
    EXPECT_EQ(parse_err({"comment:1:bogus"}).rfind("x.bpf.c: prog 'p': ", 0), 0u);
}

TEST(Spec, UpstreamKeysWeDoNotCheckAreListed) {
    auto s = parse_ok({"comment:1:test_expect_success", "comment:2:test_expect_failure_unpriv",
                       "comment:3:test_expect_xlated=r0 = 0"});
    EXPECT_EQ(s.unchecked,
              (std::vector<std::string>{"test_expect_failure_unpriv", "test_expect_xlated"}));
}

TEST(Spec, FlagsSetAndClear) {
    auto s = parse_ok({"comment:1:test_prog_flags=BPF_F_SLEEPABLE",
                       "comment:2:test_prog_flags=!BPF_F_TEST_STATE_FREQ",
                       "comment:3:test_prog_flags=0x40"});
    EXPECT_EQ(s.prog_flags_set, 16u | 0x40u);
    EXPECT_EQ(s.prog_flags_clear, 8u);
}

TEST(Spec, KverVerdictAndMessagesResolvePerKernel) {
    auto s = parse_ok({"comment:1:test_expect_failure", "comment:2:iterconf_kver_success=<6.13",
                       "comment:3:test_expect_msg=always",
                       "comment:4:iterconf_kver_msg=[>=6.12.5 <7.1]arg #0",
                       "comment:5:iterconf_kver_msg=[>=7.1]R1"});
    auto old = resolve(s, kv("6.12.4"));
    EXPECT_TRUE(old.success);
    ASSERT_EQ(old.msgs.size(), 1u);
    auto mid = resolve(s, kv("6.12.117"));
    EXPECT_TRUE(mid.success);
    ASSERT_EQ(mid.msgs.size(), 2u);
    EXPECT_EQ(mid.msgs[1]->text, "arg #0");
    auto now = resolve(s, kv("7.3.0"));
    EXPECT_FALSE(now.success);
    ASSERT_EQ(now.msgs.size(), 2u);
    EXPECT_EQ(now.msgs[1]->text, "R1");
}

TEST(Spec, PatternLiteralsAreEscapedAndRegexPartsAreNot) {
    auto p = compile_pattern("R0 invalid mem access 'scalar' (x.y)");
    ASSERT_TRUE(p.ok());
    EXPECT_TRUE(std::regex_search("9: R0 invalid mem access 'scalar' (x.y) ok", p->re));
    EXPECT_FALSE(std::regex_search("R0 invalid mem access 'scalar' (xzy)", p->re));
    auto q = compile_pattern("expected an initialized iter_task_vma as {{(arg #[01]|R1)}}");
    ASSERT_TRUE(q.ok());
    EXPECT_TRUE(std::regex_search("expected an initialized iter_task_vma as arg #0", q->re));
    EXPECT_TRUE(std::regex_search("expected an initialized iter_task_vma as R1", q->re));
    EXPECT_FALSE(std::regex_search("expected an initialized iter_task_vma as arg #2", q->re));
}

TEST(Spec, MessagesMatchInOrderWithinLines) {
    const std::string log = "0: R1=ctx()\n"
                            "Unreleased reference id=1 alloc_insn=5\n"
                            "BPF_EXIT instruction in main prog would lead to reference leak\n"
                            "processed 8 insns (limit 1000000)\n";
    auto a = *compile_pattern("Unreleased reference id={{[0-9]+}}");
    auto b = *compile_pattern("would lead to reference leak");
    auto c = *compile_pattern("processed");
    EXPECT_TRUE(match_log({&a, &b, &c}, log).ok);
    auto out = match_log({&b, &a}, log);
    EXPECT_FALSE(out.ok);
    EXPECT_EQ(out.failed, 1u);
    // two patterns on one line: the second must come after the first
    auto x = *compile_pattern("reference");
    auto y = *compile_pattern("alloc_insn");
    EXPECT_TRUE(match_log({&x, &y}, log).ok);
    auto z = *compile_pattern("Unreleased");
    EXPECT_FALSE(match_log({&y, &z}, log).ok);
    // a regex never spans lines
    auto span = *compile_pattern("alloc_insn=5{{.}}BPF_EXIT");
    EXPECT_FALSE(match_log({&span}, log).ok);
    EXPECT_TRUE(match_log({}, log).ok);
}

TEST(Spec, NegativePatternsApplyBetweenPositives) {
    const std::string log = "start\nbad thing\nmiddle\nend\n";
    auto a = *compile_pattern("start");
    auto b = *compile_pattern("middle");
    auto c = *compile_pattern("end");
    auto bad = *compile_pattern("bad thing");
    bad.negative = true;
    EXPECT_FALSE(match_log({&a, &bad, &b}, log).ok);
    EXPECT_TRUE(match_log({&b, &bad, &c}, log).ok);
    EXPECT_FALSE(match_log({&bad}, log).ok);
    EXPECT_TRUE(match_log({&b, &bad}, log).ok);
}

// Counts over RE_DUP_MAX never reach std::regex: libstdc++ reads them into
// a long without an overflow check (found by fuzz_spec). Literal braces and
// braces inside a bracket expression are not counts.
// ']' and '}' in literal text are literal (libstdc++ refuses "\]" and "\}").
TEST(Spec, LiteralClosingBracketsAndBraces) {
    auto p = compile_pattern("R1=map_value(map=a[0],ks=4) x{1000} }]");
    ASSERT_TRUE(p.ok()) << p.error().message();
    std::vector<const MsgPattern*> one{&*p};
    EXPECT_TRUE(match_log(one, "1: R1=map_value(map=a[0],ks=4) x{1000} }] tail\n").ok);
    EXPECT_FALSE(match_log(one, "1: R1=map_value(map=a0,ks=4) x{1000} }]\n").ok);
}

TEST(Spec, RepetitionCountsAreBounded) {
    EXPECT_TRUE(compile_pattern("R{{[0-9]{1,255}[a-z]}} x{1000}").ok());
    EXPECT_TRUE(compile_pattern("{{a{2,3}[{9999]\\{99999}x}}").ok());
    for (const char* bad : {"{{a{256}}}", "{{a{1,99999999999999999999}}}", "{{(b{0,300})}}"}) {
        auto p = compile_pattern(bad);
        ASSERT_FALSE(p.ok()) << bad;
        EXPECT_NE(p.error().what.find("repetition count over 255"), std::string::npos) << bad;
    }
}
