#include "judge/judge.hpp"

#include <cerrno>
#include <gtest/gtest.h>

using namespace iterconf;

namespace {

expect::ProgramSpec spec_of(std::vector<std::string> tags) {
    auto s = expect::parse_program_tags("p", std::move(tags), "x.bpf.c: prog 'p'");
    EXPECT_TRUE(s.ok());
    return *s;
}

record::Record rec(record::Verdict v) {
    record::Record r;
    r.case_id = "task_vma/c";
    r.program = "p";
    r.verdict = v;
    return r;
}

} // namespace

TEST(Judge, RejectWithMessageInOrder) {
    auto spec = spec_of({"comment:0:test_expect_failure", "comment:1:test_expect_msg=a{{[0-9]}}"});
    auto r = rec(record::Verdict::reject);
    judge::judge(r, spec, {{6, 12, 0}}, "x\nfoo a7 bar\n");
    EXPECT_TRUE(r.match) << r.reason;
    EXPECT_EQ(r.expected, record::Verdict::reject);
    r = rec(record::Verdict::reject);
    judge::judge(r, spec, {{6, 12, 0}}, "nothing\n");
    EXPECT_FALSE(r.match);
    EXPECT_NE(r.reason.find("not found"), std::string::npos);
}

TEST(Judge, VerdictMismatchAndUnsupported) {
    auto spec = spec_of({"comment:0:test_expect_failure"});
    auto r = rec(record::Verdict::accept);
    judge::judge(r, spec, {{6, 12, 0}}, "");
    EXPECT_FALSE(r.match);
    EXPECT_EQ(r.reason, "expected reject, got accept");
    r = rec(record::Verdict::unsupported);
    judge::judge(r, spec, {{6, 1, 0}}, "");
    EXPECT_TRUE(r.match);
    EXPECT_EQ(r.expected, record::Verdict::unsupported);
}

TEST(Judge, CrashIsAMismatch) {
    auto spec = spec_of({"comment:0:test_expect_success"});
    auto r = rec(record::Verdict::crash);
    r.message = "Kernel panic - not syncing: sysrq triggered crash";
    judge::judge(r, spec, {{6, 12, 0}}, "");
    EXPECT_FALSE(r.match);
    EXPECT_EQ(r.reason,
              "expected accept, got crash: Kernel panic - not syncing: sysrq triggered crash");
}

TEST(KnownBugs, ParseAndApply) {
    auto kb = judge::KnownBugs::parse(R"(# comment
[[bug]]
program = "task_vma/c/*"
kernels = ">=6.12 <6.13"
reason = "verifier accepts a stale pointer"
link = "https://example.org/bug"
)",
                                      "kb.toml");
    ASSERT_TRUE(kb.ok()) << kb.error().message();
    ASSERT_EQ(kb->entries().size(), 1u);
    // What iterconf report shows of an entry.
    EXPECT_EQ(kb->entries()[0].link, "https://example.org/bug");
    EXPECT_EQ(kb->entries()[0].kernels.text, ">=6.12 <6.13");
    EXPECT_FALSE(kb->entries()[0].sometimes);
    EXPECT_FALSE(judge::KnownBugs::parse("[[bug]]\nprogram = 3\n", "kb.toml"));
    auto r = rec(record::Verdict::accept);
    r.match = false;
    kb->apply(r, {{6, 12, 107}});
    EXPECT_EQ(r.known_bug, "verifier accepts a stale pointer (https://example.org/bug)");
    EXPECT_STREQ(r.status(), "known");
    EXPECT_FALSE(r.failed());
    r.match = true; // the bug no longer reproduces: XPASS
    EXPECT_STREQ(r.status(), "fixed");
    EXPECT_TRUE(r.failed());
    auto other = rec(record::Verdict::accept);
    kb->apply(other, {{7, 2, 0}});
    EXPECT_TRUE(other.known_bug.empty());
}

// A generated program's id is a hash: the workload matches the globs
// against "generated/<program text>" instead (cli/generated.cpp).
TEST(KnownBugs, ApplyMatchesAGivenId) {
    auto kb =
        judge::KnownBugs::parse("[[bug]]\nprogram = \"generated/* at=0 | new1 destroy1@other\"\n"
                                "kernels = \"<6.18\"\nreason = \"fp+0\"\nlink = \"l\"\n",
                                "kb.toml");
    ASSERT_TRUE(kb.ok()) << kb.error().message();
    auto r = rec(record::Verdict::crash);
    r.case_id = "generated";
    r.program = "g2fce0e23604e53c1";
    kb->apply(r, {{6, 12, 117}}); // by r.id(): the hash matches nothing
    EXPECT_TRUE(r.known_bug.empty());
    kb->apply(r, {{6, 12, 117}},
              "generated/task=current_btf kinds=num,num at=-8 | new1 destroy1@other");
    EXPECT_TRUE(r.known_bug.empty());
    kb->apply(r, {{6, 12, 117}},
              "generated/task=current_btf kinds=num,num at=0 | new1 destroy1@other");
    EXPECT_EQ(r.known_bug, "fp+0 (l)");
}

// divergence = "<glob>": only a record whose verdict matched and one of
// whose divergences matches is covered; one without is not (never fixed).
TEST(KnownBugs, DivergenceEntriesCoverViolatedBeliefsOnly) {
    auto kb = judge::KnownBugs::parse(
        "[[bug]]\nprogram = \"generated/* kinds=css* | *\"\nkernels = \">=6.12\"\n"
        "divergence = \"* next0: believed NULL, *\"\nreason = \"restarts\"\nlink = \"l\"\n",
        "kb.toml");
    ASSERT_TRUE(kb.ok()) << kb.error().message();
    const std::string id = "generated/task=current_btf kinds=css | new0 loop0{} next0 destroy0";
    auto r = rec(record::Verdict::accept);
    r.case_id = "generated";
    r.match = true;
    kb->apply(r, {{7, 2, 13}}, id); // no divergence: not covered, not `fixed`
    EXPECT_TRUE(r.known_bug.empty());
    r.match = false;
    r.reason = "divergence: ops[2] next0: believed NULL, violated 4 times in 4 runs";
    r.divergences = {"ops[2] next0: believed NULL, violated 4 times in 4 runs"};
    kb->apply(r, {{6, 1, 0}}, id); // outside the range
    EXPECT_TRUE(r.known_bug.empty());
    kb->apply(r, {{7, 2, 13}}, id);
    EXPECT_EQ(r.known_bug, "restarts (l)");
    EXPECT_STREQ(r.status(), "known");
    // Another belief, or a verdict mismatch beside it, stays a mismatch.
    auto other = r;
    other.known_bug.clear();
    other.divergences = {"ops[1] guard0: believed non-NULL, violated 1 times in 4 runs"};
    kb->apply(other, {{7, 2, 13}}, id);
    EXPECT_TRUE(other.known_bug.empty());
    auto verdict = r;
    verdict.known_bug.clear();
    verdict.reason = "expected accept, the kernel rejected";
    kb->apply(verdict, {{7, 2, 13}}, id);
    EXPECT_TRUE(verdict.known_bug.empty());
}

// reproduces = "sometimes": a mismatch is known, a match is plain ok (not
// fixed), since the bug depends on what the kernel's memory holds.
TEST(KnownBugs, SometimesExplainsAMismatchOnly) {
    auto kb = judge::KnownBugs::parse("[[bug]]\nprogram = \"a/*\"\nkernels = \"<6.18\"\n"
                                      "reason = \"r\"\nlink = \"l\"\nreproduces = \"sometimes\"\n",
                                      "kb.toml");
    ASSERT_TRUE(kb.ok()) << kb.error().message();
    auto crashed = rec(record::Verdict::crash);
    crashed.case_id = "a";
    crashed.match = false;
    kb->apply(crashed, {{6, 12, 117}});
    EXPECT_STREQ(crashed.status(), "known");
    EXPECT_FALSE(crashed.failed());
    auto clean = rec(record::Verdict::accept);
    clean.case_id = "a";
    clean.match = true;
    kb->apply(clean, {{6, 12, 117}});
    EXPECT_TRUE(clean.known_bug.empty());
    EXPECT_STREQ(clean.status(), "ok");
    EXPECT_FALSE(clean.failed());
    auto bad = judge::KnownBugs::parse("[[bug]]\nprogram = \"a\"\nkernels = \"<6.18\"\n"
                                       "reason = \"r\"\nlink = \"l\"\nreproduces = \"often\"\n",
                                       "kb.toml");
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().where, "kb.toml:6");
}

TEST(KnownBugs, ErrorsNameTheLine) {
    auto kb = judge::KnownBugs::parse("[[bug]]\nprogram = \"x\"\nkernels = \"~6\"\n", "kb.toml");
    ASSERT_FALSE(kb.ok());
    EXPECT_EQ(kb.error().where, "kb.toml:3");
    kb = judge::KnownBugs::parse("[[bug]]\nprogram = \"x\"\n", "kb.toml");
    ASSERT_FALSE(kb.ok());
    EXPECT_NE(kb.error().what.find("kernels"), std::string::npos);
    kb = judge::KnownBugs::parse("[[bug]]\ncolour = \"x\"\n", "kb.toml");
    ASSERT_FALSE(kb.ok());
    EXPECT_NE(kb.error().what.find("unknown key"), std::string::npos);
}

// The file's own example puts a comment after a value; escapes other than
// \" and \\ are refused rather than read as the letter after the backslash.
TEST(KnownBugs, CommentsAfterValuesAndEscapes) {
    auto kb = judge::KnownBugs::parse(
        "[[bug]]  # one entry\nprogram = \"a/b/c\"   # glob over the test id\n"
        "kernels = \">=6.12 <6.12.110\"\t# range\n"
        "reason = \"says \\\"no\\\" \\\\ \"\nlink = \"l\"#x\n",
        "kb.toml");
    ASSERT_TRUE(kb.ok()) << kb.error().message();
    ASSERT_EQ(kb->entries().size(), 1u);
    EXPECT_EQ(kb->entries()[0].program, "a/b/c");
    EXPECT_EQ(kb->entries()[0].reason, "says \"no\" \\ ");
    for (const char* bad : {"reason = \"a\\nb\"", "reason = \"x\\\"", "reason = \"x\" y"}) {
        kb = judge::KnownBugs::parse(std::string("[[bug]]\n") + bad + "\n", "kb.toml");
        ASSERT_FALSE(kb.ok()) << bad;
        EXPECT_EQ(kb.error().where, "kb.toml:2") << bad;
    }
}

TEST(Judge, UncheckedEntriesPerPlace) {
    auto spec =
        spec_of({"comment:0:test_expect_success", "comment:1:test_retval=0",
                 "comment:2:test_expect_xlated=r0 = 0", "comment:3:test_expect_failure_unpriv"});
    auto host = judge::unchecked_entries(spec, judge::Place::host);
    EXPECT_EQ(host, (std::vector<std::string>{
                        "__xlated (the program after verifier rewrites is not compared)",
                        "__retval (host: programs are never run on the host)",
                        "__*_unpriv (host: programs are loaded unprivileged only in guests)"}));
    auto guest = judge::unchecked_entries(spec, judge::Place::guest);
    EXPECT_EQ(guest, (std::vector<std::string>{
                         "__xlated (the program after verifier rewrites is not compared)"}));
    // a program expected to fail never runs: its __retval is moot
    EXPECT_EQ(judge::unchecked_entries(spec, judge::Place::host, false).size(), 2u);
    EXPECT_TRUE(
        judge::unchecked_entries(spec_of({"comment:0:test_expect_success"}), judge::Place::host)
            .empty());
}

TEST(Judge, RetvalFromATestRun) {
    auto spec = spec_of({"comment:0:test_expect_success", "comment:1:test_retval=TEST_DATA_LEN"});
    auto accepted = [&] {
        auto r = rec(record::Verdict::accept);
        judge::judge(r, spec, {{6, 12, 0}}, "");
        EXPECT_TRUE(r.match);
        return r;
    };
    auto r = accepted();
    judge::judge_retval(r, *spec.retval, {.ran = true, .retval = 64});
    EXPECT_TRUE(r.match) << r.reason;
    EXPECT_TRUE(r.unchecked.empty());

    r = accepted();
    judge::judge_retval(r, *spec.retval, {.ran = true, .retval = 0xffffffffu});
    EXPECT_FALSE(r.match);
    EXPECT_EQ(r.reason, "__retval: expected TEST_DATA_LEN = 64, the program returned -1");

    r = accepted();
    judge::judge_retval(r, *spec.retval, {.ran = true, .err = EINVAL});
    EXPECT_FALSE(r.match);
    EXPECT_NE(r.reason.find("BPF_PROG_TEST_RUN failed: Invalid argument"), std::string::npos);

    r = accepted();
    judge::judge_retval(r, *spec.retval,
                        {.not_run = "program type tracing has no BPF_PROG_TEST_RUN here"});
    EXPECT_TRUE(r.match);
    EXPECT_EQ(r.unchecked, (std::vector<std::string>{
                               "__retval (program type tracing has no BPF_PROG_TEST_RUN here)"}));

    // rejected programs are not run: nothing to add
    auto rej = rec(record::Verdict::reject);
    judge::judge(rej, spec, {{6, 12, 0}}, "");
    std::string before = rej.reason;
    judge::judge_retval(rej, *spec.retval, {.ran = true, .retval = 1});
    EXPECT_EQ(rej.reason, before);
}

TEST(Judge, LeakCheckUncheckedOnTheHost) {
    auto spec = spec_of({"comment:0:test_expect_success", "comment:1:iterconf_leak_check=256"});
    EXPECT_EQ(
        judge::unchecked_entries(spec, judge::Place::host),
        (std::vector<std::string>{"__leak_check (host: programs are never run on the host)"}));
    EXPECT_TRUE(judge::unchecked_entries(spec, judge::Place::guest).empty());
}

TEST(Judge, LeakThresholdRule) {
    judge::LeakRun run;
    run.ran = true;
    run.runs = 256;
    run.child_anon_kib = run.child_file_kib = 256; // 64 MiB leaked by 256 runs: limit 16 MiB
    run.before = {100000, 5000, 20000, 300};
    run.after = run.before;
    EXPECT_TRUE(judge::leak_excess(run).empty());
    run.after.anon_kib += 16384; // exactly at the limit: not a leak
    run.after.shmem_kib += 8000; // below the floor
    run.after.sunreclaim_kib += 2048;
    run.after.task_objects += 64;
    EXPECT_TRUE(judge::leak_excess(run).empty());
    run.after.anon_kib += 1;
    run.after.task_objects += 1;
    auto e = judge::leak_excess(run);
    ASSERT_EQ(e.size(), 2u);
    EXPECT_EQ(e[0].counter, "AnonPages");
    EXPECT_EQ(e[0].delta, 16385);
    EXPECT_EQ(e[0].limit, 16384);
    EXPECT_EQ(e[1].counter, "task_struct objects");
    EXPECT_EQ(e[1].limit, 64);
    // small runs never go below the noise floors; absent counters are skipped
    run = {.ran = true, .runs = 4, .child_anon_kib = 16, .child_file_kib = 16};
    run.before = {0, 0, 0, -1};
    run.after = {8192, 8193, 2049, 100};
    e = judge::leak_excess(run);
    ASSERT_EQ(e.size(), 2u);
    EXPECT_EQ(e[0].counter, "Shmem");
    EXPECT_EQ(e[1].counter, "SUnreclaim");
    EXPECT_EQ(e[1].limit, 2048);
}

TEST(Judge, LeakFailsTheRecord) {
    auto spec = spec_of({"comment:0:test_expect_success", "comment:1:iterconf_leak_check=256"});
    auto accepted = [&] {
        auto r = rec(record::Verdict::accept);
        judge::judge(r, spec, {{7, 2, 0}}, "");
        return r;
    };
    judge::LeakRun run{.ran = true, .runs = 256, .child_anon_kib = 256, .child_file_kib = 256};
    run.before = {100000, 5000, 20000, -1};
    run.after = {100000 + 65536, 5000, 20100, -1};
    auto r = accepted();
    judge::judge_leak(r, run);
    EXPECT_FALSE(r.match);
    EXPECT_EQ(r.reason,
              "leak: AnonPages +64.0 MiB (limit 16.0 MiB) after 256 walks of live children");
    run.after = run.before;
    r = accepted();
    judge::judge_leak(r, run);
    EXPECT_TRUE(r.match) << r.reason;
    run.error = "fork: Cannot allocate memory";
    r = accepted();
    judge::judge_leak(r, run);
    EXPECT_EQ(r.reason, "__leak_check: fork: Cannot allocate memory");
    r = accepted();
    judge::judge_leak(r, {.not_run = "guest: __leak_check runs syscall programs only"});
    EXPECT_TRUE(r.match);
    EXPECT_EQ(r.unchecked, (std::vector<std::string>{
                               "__leak_check (guest: __leak_check runs syscall programs only)"}));
}

TEST(Judge, UnprivMismatchFailsTheRecord) {
    auto r = rec(record::Verdict::accept);
    r.match = true;
    auto u = rec(record::Verdict::accept);
    u.match = false;
    u.reason = "expected reject, got accept";
    u.unchecked = {"__retval_unpriv (x)"};
    judge::merge_unpriv(r, u);
    EXPECT_FALSE(r.match);
    EXPECT_EQ(r.reason, "unpriv: expected reject, got accept");
    EXPECT_EQ(r.unchecked, u.unchecked);
    auto ok = rec(record::Verdict::reject);
    ok.match = true;
    auto r2 = rec(record::Verdict::accept);
    r2.match = true;
    judge::merge_unpriv(r2, ok);
    EXPECT_TRUE(r2.match);
}

// Only *_unpriv verdicts: test_loader runs no privileged pass, so the
// privileged verdict is no expectation (the unprivileged one is, in guests).
TEST(Judge, UnprivOnlyHasNoPrivilegedExpectation) {
    auto spec = spec_of(
        {"comment:0:test_expect_failure_unpriv", "comment:1:test_expect_msg_unpriv=R0 leaks addr"});
    EXPECT_TRUE(spec.unpriv_only);
    for (auto v : {record::Verdict::accept, record::Verdict::reject}) {
        auto r = rec(v);
        judge::judge(r, spec, {{6, 12, 0}}, "");
        EXPECT_TRUE(r.match) << r.reason;
    }
    auto u = expect::unpriv_spec(spec);
    EXPECT_FALSE(u.unpriv_only);
    auto r = rec(record::Verdict::accept);
    judge::judge(r, u, {{6, 12, 0}}, "");
    EXPECT_FALSE(r.match); // the unprivileged pass must reject
    EXPECT_FALSE(spec_of({"comment:0:test_expect_success", "comment:1:test_expect_failure_unpriv"})
                     .unpriv_only);
}

// The project's own list parses (the binary carries this file built in;
// unit.Assets.BuiltInFilesAreTheSourceTrees checks that they are the same).
TEST(KnownBugs, TheProjectsListParses) {
    auto kb = judge::KnownBugs::load(std::string(ITERCONF_SOURCE_DIR) + "/images/known-bugs.toml");
    ASSERT_TRUE(kb.ok()) << kb.error().message();
    EXPECT_FALSE(kb->entries().empty());
    EXPECT_NE(kb->entries()[0].where.find("images/known-bugs.toml:"), std::string::npos);
}
