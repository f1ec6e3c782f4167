#include "expect/btf_tags.hpp"
#include "expect/spec.hpp"

#include <gtest/gtest.h>
#include <map>

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
                       "comment:3:test_expect_xlated=r0 = 0", "comment:4:test_expect_xlated=exit",
                       "comment:5:test_btf_path=x.o"});
    EXPECT_EQ(s.unchecked, (std::vector<std::string>{"test_expect_xlated", "test_btf_path"}));
    EXPECT_EQ(unchecked_text("test_expect_xlated"),
              "__xlated (the program after verifier rewrites is not compared)");
    // the unprivileged pass is a check of its own now (in guests)
    EXPECT_TRUE(s.unpriv.wanted);
    EXPECT_EQ(s.unpriv.success, false);
}

namespace {

// Everything a ProgramSpec says, as one string, to compare specs.
std::string dump(const ProgramSpec& s) {
    std::string out = "success=" + std::string(!s.success ? "-" : *s.success ? "1" : "0");
    out += " desc=" + s.description;
    for (const auto& m : s.msgs)
        out += std::string(" msg") + (m.negative ? "!" : "") + "=" + m.text;
    out += " retval=" + (s.retval ? s.retval->text : "-");
    out += " log_level=" + (s.log_level ? std::to_string(*s.log_level) : "-");
    out += " flags=" + std::to_string(s.prog_flags_set) + "/" + std::to_string(s.prog_flags_clear);
    out += " aux=" + std::to_string(s.auxiliary);
    out += " unpriv=" + std::to_string(s.unpriv.wanted) + "," +
           (!s.unpriv.success   ? "-"
            : *s.unpriv.success ? "1"
                                : "0") +
           "," + std::to_string(s.unpriv.caps);
    for (const auto& m : s.unpriv.msgs)
        out += std::string(" umsg") + (m.negative ? "!" : "") + "=" + m.text;
    for (const auto& a : s.archs)
        out += " arch=" + a;
    for (const auto& u : s.unchecked)
        out += " unchecked=" + u;
    return out;
}

} // namespace

// Contract 1: the three tag formats upstream bpf_misc.h has shipped give
// the same spec. The BTF order is shuffled where a counter gives the order.
TEST(Spec, EveryTagFormatGivesTheSameSpec) {
    // before 6.12: no counter; BTF order is the written order
    auto pre = parse_ok(
        {"comment:test_description=two in a row", "comment:test_expect_failure",
         "comment:test_expect_msg=R1 type=scalar",
         "comment:test_expect_not_msg=bpf_iter_num_destroy", "comment:test_expect_msg=R2{{[0-9]+}}",
         "comment:test_expect_msg_unpriv=unpriv one", "comment:test_expect_xlated=r0 = 1",
         "comment:test_expect_xlated=exit", "comment:test_retval=-1", "comment:test_log_level=2",
         "comment:test_prog_flags=BPF_F_TEST_STATE_FREQ", "comment:test_caps_unpriv=12|39",
         "comment:test_arch=X86_64"});
    // 6.12 .. 2026: the counter inside the value of the repeatable keys only
    auto mid = parse_ok(
        {"comment:test_expect_msg=17=R2{{[0-9]+}}", "comment:test_expect_xlated=21=exit",
         "comment:test_description=two in a row", "comment:test_expect_msg_unpriv=18=unpriv one",
         "comment:test_expect_msg=9=R1 type=scalar", "comment:test_retval=-1",
         "comment:test_expect_failure", "comment:test_expect_xlated=20=r0 = 1",
         "comment:test_expect_not_msg=12=bpf_iter_num_destroy", "comment:test_log_level=2",
         "comment:test_arch=X86_64", "comment:test_prog_flags=BPF_F_TEST_STATE_FREQ",
         "comment:test_caps_unpriv=12|39"});
    // 2026: the counter in front of every key
    auto now = parse_ok(
        {"comment:30:test_arch=X86_64", "comment:4:test_expect_msg=R2{{[0-9]+}}",
         "comment:2:test_expect_msg=R1 type=scalar", "comment:0:test_description=two in a row",
         "comment:7:test_expect_xlated=exit", "comment:1:test_expect_failure",
         "comment:3:test_expect_not_msg=bpf_iter_num_destroy",
         "comment:5:test_expect_msg_unpriv=unpriv one", "comment:6:test_expect_xlated=r0 = 1",
         "comment:8:test_retval=-1", "comment:9:test_log_level=2",
         "comment:10:test_prog_flags=BPF_F_TEST_STATE_FREQ", "comment:11:test_caps_unpriv=12|39"});
    const std::string want =
        "success=0 desc=two in a row msg=R1 type=scalar msg!=bpf_iter_num_destroy "
        "msg=R2{{[0-9]+}} retval=-1 log_level=2 flags=8/0 aux=0 unpriv=1,-," +
        std::to_string((1ull << 12) | (1ull << 39)) +
        " umsg=unpriv one arch=X86_64 unchecked=test_expect_xlated";
    EXPECT_EQ(dump(pre), want);
    EXPECT_EQ(dump(mid), want);
    EXPECT_EQ(dump(now), want);
}

// The 6.12 bug: "comment:test_expect_msg=0=<msg>" kept "0=" in the message.
TEST(Spec, SixTwelveCounterIsNotPartOfTheMessage) {
    auto s = parse_ok({"comment:test_expect_failure", "comment:test_expect_msg=1=b",
                       "comment:test_expect_msg=0=a=x"});
    ASSERT_EQ(s.msgs.size(), 2u);
    EXPECT_EQ(s.msgs[0].text, "a=x");
    EXPECT_EQ(s.msgs[1].text, "b");
    for (const char* k : {"test_expect_stderr", "test_expect_stdout_unpriv", "test_jited_unpriv"}) {
        auto u = parse_ok({std::string("comment:") + k + "=3=text"});
        EXPECT_EQ(u.unchecked, (std::vector<std::string>{k}));
    }
    // before 6.12 a message may itself start with digits and '=': it stays
    // whole unless every message of the program has that form
    auto old = parse_ok({"comment:test_expect_msg=1=one", "comment:test_expect_msg=plain"});
    ASSERT_EQ(old.msgs.size(), 2u);
    EXPECT_EQ(old.msgs[0].text, "1=one");
    EXPECT_EQ(old.msgs[1].text, "plain");
}

// Every key any upstream bpf_misc.h has written parses; a key none has is
// still an error.
TEST(Spec, EveryUpstreamKeyIsKnown) {
    const std::vector<std::string> all = {"comment:0:test_expect_success",
                                          "comment:1:test_expect_success_unpriv",
                                          "comment:2:test_expect_msg=a",
                                          "comment:3:test_expect_not_msg=b",
                                          "comment:4:test_expect_regex=c.",
                                          "comment:5:test_expect_msg_unpriv=d",
                                          "comment:6:test_expect_not_msg_unpriv=e",
                                          "comment:7:test_expect_regex_unpriv=f.",
                                          "comment:8:test_description=g",
                                          "comment:9:test_retval=0xbadcafe",
                                          "comment:10:test_retval_unpriv=1",
                                          "comment:11:test_log_level=4",
                                          "comment:12:test_log_always",
                                          "comment:13:test_prog_flags=BPF_F_SLEEPABLE",
                                          "comment:14:test_auxiliary_unpriv",
                                          "comment:15:test_caps_unpriv=CAP_BPF",
                                          "comment:16:test_arch=ARM64",
                                          "comment:17:test_arch=X86_64",
                                          "comment:18:test_expect_xlated=h",
                                          "comment:19:test_expect_xlated_unpriv=i",
                                          "comment:20:test_jited=j",
                                          "comment:21:test_jited_unpriv=k",
                                          "comment:22:test_expect_stderr=l",
                                          "comment:23:test_expect_stderr_unpriv=m",
                                          "comment:24:test_expect_stdout=n",
                                          "comment:25:test_expect_stdout_unpriv=o",
                                          "comment:26:load_mode=jited",
                                          "comment:27:test_btf_path=p",
                                          "comment:28:test_btf_func_path=q",
                                          "comment:29:test_linear_size=64",
                                          "comment:30:test_skip=r",
                                          "comment:31:test_kconfig=CONFIG_SMP=y",
                                          "comment:32:test_auxiliary"};
    auto s = parse_ok(all);
    EXPECT_EQ(s.unchecked.size(), 14u);
    for (const auto& k : s.unchecked)
        EXPECT_NE(unchecked_text(k), k) << k; // each has its line
    EXPECT_EQ(s.archs, (std::vector<std::string>{"ARM64", "X86_64"}));
    EXPECT_TRUE(runs_on_arch(s, "X86_64"));
    EXPECT_FALSE(runs_on_arch(s, "RISCV64"));
    EXPECT_EQ(s.unpriv.caps, 1ull << 39);
    EXPECT_TRUE(s.unpriv.auxiliary && s.auxiliary);
    EXPECT_NE(parse_err({"comment:1:test_expect_stdrr=x"}).find("unknown annotation"),
              std::string::npos);
    EXPECT_NE(parse_err({"comment:1:test_arch=PDP11"}).find("unknown architecture"),
              std::string::npos);
    EXPECT_NE(parse_err({"comment:1:test_caps_unpriv=CAP_CHOWN"}).find("__caps_unpriv"),
              std::string::npos);
    EXPECT_NE(parse_err({"comment:1:test_log_always=1"}).find("takes no value"), std::string::npos);
}

TEST(Spec, RetvalValuesUpstreamAllows) {
    auto v = [](const char* t) {
        auto r = parse_retval(t);
        EXPECT_TRUE(r.ok()) << t;
        return r.ok() ? r->value : 0xdeadu;
    };
    EXPECT_EQ(v("0"), 0u);
    EXPECT_EQ(v("42"), 42u);
    EXPECT_EQ(v("-1"), 0xffffffffu);
    EXPECT_EQ(v("0xbadcafe"), 0xbadcafeu);
    EXPECT_EQ(v("0xffffffff"), 0xffffffffu);
    EXPECT_EQ(v("INT_MIN"), 0x80000000u);
    EXPECT_EQ(v("_INT_MIN"), 0x80000000u);
    EXPECT_EQ(v("POINTER_VALUE"), 0xcafe4au); // test_loader's 0xcafe4all before 2025
    EXPECT_EQ(v("TEST_DATA_LEN"), 64u);
    EXPECT_EQ(v("XDP_PASS"), 2u);
    EXPECT_EQ(v("TC_ACT_SHOT"), 2u);
    for (const char* bad : {"", "x", "0x", "1 ", "0x100000000", "SOME_MACRO"})
        EXPECT_FALSE(parse_retval(bad).ok()) << bad;
    EXPECT_NE(parse_err({"comment:1:test_retval=nope"}).find("__retval"), std::string::npos);
}

TEST(Spec, LeakCheck) {
    auto s = parse_ok({"comment:1:test_expect_success", "comment:2:iterconf_leak_check=2000"});
    ASSERT_TRUE(s.leak_check);
    EXPECT_EQ(*s.leak_check, (LeakCheck{2000, false}));
    s = parse_ok({"comment:1:test_expect_success", "comment:2:iterconf_leak_check=zombie 7"});
    EXPECT_EQ(*s.leak_check, (LeakCheck{7, true}));
    EXPECT_FALSE(parse_ok({"comment:1:test_expect_success"}).leak_check);
    for (const char* bad :
         {"", "0", "100001", "-3", "zombie", "zombie ", "dead 5", "5 zombie", "5x"})
        EXPECT_FALSE(parse_leak_check(bad).ok()) << bad;
    EXPECT_NE(parse_err({"comment:1:iterconf_leak_check=many"}).find("__leak_check"),
              std::string::npos);
    EXPECT_NE(parse_err({"comment:1:iterconf_leak_check"}).find("iterconf_leak_check"),
              std::string::npos);
}

TEST(Spec, UnprivSpecDefaultsToThePrivilegedOne) {
    auto s = parse_ok({"comment:1:test_expect_success", "comment:2:test_expect_msg=priv",
                       "comment:3:test_retval=7", "comment:4:test_caps_unpriv=CAP_NET_ADMIN"});
    auto u = unpriv_spec(s);
    EXPECT_EQ(u.success, true);
    ASSERT_EQ(u.msgs.size(), 1u);
    EXPECT_EQ(u.msgs[0].text, "priv");
    EXPECT_EQ(u.retval->value, 7u);
    EXPECT_FALSE(u.unpriv.wanted);
    auto t = parse_ok({"comment:1:test_expect_success", "comment:2:test_expect_failure_unpriv",
                       "comment:3:test_expect_msg_unpriv=unpriv", "comment:4:test_retval=7",
                       "comment:5:test_retval_unpriv=-13"});
    auto v = unpriv_spec(t);
    EXPECT_EQ(v.success, false);
    ASSERT_EQ(v.msgs.size(), 1u);
    EXPECT_EQ(v.msgs[0].text, "unpriv");
    EXPECT_EQ(v.retval->text, "-13");
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

// The fixtures runner/testdata/formats/{pre_6_12,v6_12,v2026}.bpf.c hold the
// same programs with tags in the three formats, compiled by clang: every
// program parses to the same spec in all three.
TEST(Spec, FixtureObjectsInEveryFormatGiveTheSameSpecs) {
    std::map<std::string, std::string> first;
    for (const char* f : {"pre_6_12", "v6_12", "v2026"}) {
        std::string obj = std::string(ITERCONF_TESTDATA_OBJ) + "/" + f + ".bpf.o";
        auto tags = read_func_tags(obj);
        ASSERT_TRUE(tags.ok()) << tags.error().message();
        std::map<std::string, std::string> specs;
        for (const auto& [prog, t] : *tags) {
            auto s = parse_program_tags(prog, t, obj);
            ASSERT_TRUE(s.ok()) << s.error().message();
            specs[prog] = dump(*s);
        }
        EXPECT_EQ(specs.size(), 11u) << f;
        EXPECT_EQ(specs["null_map_value"],
                  "success=0 desc=map value used without a NULL check "
                  "msg=R0 invalid mem access 'map_value_or_null' "
                  "msg!=this text is never in a verifier log msg=processed {{[0-9]+}} insns "
                  "retval=- log_level=- flags=0/0 aux=0 unpriv=0,-,0")
            << f;
        EXPECT_EQ(specs["xdp_passes"].find("retval=XDP_PASS") != std::string::npos, true) << f;
        if (first.empty())
            first = specs;
        else
            EXPECT_EQ(specs, first) << f;
    }
}
