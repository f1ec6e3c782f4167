#include "diff/diff.hpp"
#include "record/json.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>

namespace iterconf::diff {
namespace {

using record::Record;
using record::Verdict;

Record rec(const std::string& prog, Verdict v, bool match, const std::string& msg = "",
           int64_t insns = 12, const std::string& kernel = "debian-7.2") {
    Record r;
    r.case_id = "task_vma/t";
    r.program = prog;
    r.kernel = kernel == "debian-6.12" ? "6.12.117+deb13-cloud-amd64" : "7.2.13+deb14-cloud-amd64";
    r.kernel_source = kernel;
    r.verdict = v;
    r.expected = match ? v : Verdict::reject;
    r.match = match;
    r.message = msg;
    r.insns_processed = insns;
    r.log_tail = {"1: (85) call bpf_iter_task_vma_next#3", msg, "processed 2 insns"};
    return r;
}

Run run_of(const std::vector<Record>& rs, const std::string& path = "base.jsonl") {
    std::string text;
    for (const auto& r : rs)
        text += record::to_json(r) + "\n";
    auto run = parse_run(text, path, "");
    EXPECT_TRUE(run.ok()) << (run.ok() ? "" : run.error().message());
    return *run;
}

Diff cmp(const std::vector<Record>& b, const std::vector<Record>& n, Options o = {}) {
    auto d = compare(run_of(b), run_of(n, "new.jsonl"), o);
    EXPECT_TRUE(d.ok()) << (d.ok() ? "" : d.error().message());
    return *d;
}

const std::string k_msg = "expected an initialized iter_task_vma as arg #0";

TEST(DiffCompare, IdenticalRunsListNothing) {
    std::vector<Record> rs = {rec("a", Verdict::reject, true, k_msg),
                              rec("b", Verdict::accept, true)};
    Diff d = cmp(rs, rs);
    EXPECT_TRUE(d.entries.empty());
    EXPECT_EQ(d.compared, 2u);
    EXPECT_EQ(exit_code(d), 0);
    EXPECT_EQ(to_table(d, {}), "0 of 2 programs changed (debian-7.2); no regressions\n");
}

TEST(DiffCompare, WordingChangeIsListedButNoRegression) {
    Diff d = cmp({rec("a", Verdict::reject, true, k_msg)},
                 {rec("a", Verdict::reject, true, "expected an initialized iter_task_vma as R1")});
    ASSERT_EQ(d.entries.size(), 1u);
    EXPECT_EQ(d.entries[0].changes, std::vector<Change>{Change::message});
    EXPECT_FALSE(d.entries[0].regression);
    EXPECT_EQ(exit_code(d), 0);
}

TEST(DiffCompare, MatchedThenMismatchIsARegression) {
    Diff d = cmp({rec("a", Verdict::reject, true, k_msg)}, {rec("a", Verdict::accept, false, "")});
    ASSERT_EQ(d.entries.size(), 1u);
    // the message went with the verdict: not listed twice
    EXPECT_EQ(d.entries[0].changes, (std::vector<Change>{Change::verdict, Change::result}));
    EXPECT_TRUE(d.entries[0].regression);
    EXPECT_EQ(exit_code(d), 1);
}

TEST(DiffCompare, MissingInNewIsARegressionNewInNewIsNot) {
    Diff d = cmp({rec("a", Verdict::reject, true, k_msg)}, {rec("b", Verdict::accept, true)});
    ASSERT_EQ(d.entries.size(), 2u);
    EXPECT_EQ(d.entries[0].changes, std::vector<Change>{Change::only_base});
    EXPECT_TRUE(d.entries[0].regression);
    EXPECT_EQ(d.entries[1].changes, std::vector<Change>{Change::only_new});
    EXPECT_FALSE(d.entries[1].regression);
    EXPECT_EQ(d.regressions, 1u);
}

TEST(DiffCompare, AMismatchInBaseCannotRegress) {
    Diff d = cmp({rec("a", Verdict::accept, false)}, {rec("a", Verdict::load_error, false, "x")});
    ASSERT_EQ(d.entries.size(), 1u);
    EXPECT_FALSE(d.entries[0].regression);
    Diff gone = cmp({rec("a", Verdict::accept, false)}, {});
    EXPECT_EQ(gone.regressions, 0u);
}

TEST(DiffCompare, NewCrashIsARegressionEvenWhenAKnownBug) {
    Record c = rec("a", Verdict::crash, false, "[    2.6] WARNING: CPU: 0 PID: 136 at x", -1);
    c.known_bug = "verifier WARN (link)";
    Diff d = cmp({rec("a", Verdict::reject, true, k_msg)}, {c});
    ASSERT_EQ(d.entries.size(), 1u);
    EXPECT_EQ(d.entries[0].changes, (std::vector<Change>{Change::crash, Change::result}));
    EXPECT_TRUE(d.entries[0].regression);
    // the way back (a crash that is gone) is listed and is no regression
    Diff back = cmp({c}, {rec("a", Verdict::reject, true, k_msg)});
    ASSERT_EQ(back.entries.size(), 1u);
    EXPECT_FALSE(back.entries[0].regression);
}

TEST(DiffCompare, ConsoleTimestampsAndPidsAreNoChange) {
    Record a =
        rec("a", Verdict::crash, false, "[    2.628124] WARNING: CPU: 0 PID: 136 at v.c:1", -1);
    Record b =
        rec("a", Verdict::crash, false, "[    4.790176] WARNING: CPU: 1 PID: 142 at v.c:1", -1);
    a.known_bug = b.known_bug = "known";
    EXPECT_TRUE(cmp({a}, {b}).entries.empty());
    b.message = "[    4.790176] WARNING: CPU: 1 PID: 142 at v.c:2";
    EXPECT_EQ(cmp({a}, {b}).entries.size(), 1u);
    EXPECT_EQ(normalize_message("[    2.628124] WARNING: CPU: 0 PID: 136 at x"),
              "WARNING: CPU: N PID: N at x");
    EXPECT_EQ(normalize_message("R1 invalid mem access"), "R1 invalid mem access");
}

TEST(DiffCompare, InsnsBeyondTheThresholdOnly) {
    auto listed = [](int64_t from, int64_t to, double pct) {
        Options o;
        o.insns_threshold = pct;
        Diff d = cmp({rec("a", Verdict::accept, true, "", from)},
                     {rec("a", Verdict::accept, true, "", to)}, o);
        return !d.entries.empty();
    };
    EXPECT_FALSE(listed(100, 110, 10)); // exactly 10%: not beyond
    EXPECT_TRUE(listed(100, 111, 10));
    EXPECT_TRUE(listed(100, 89, 10));
    EXPECT_FALSE(listed(100, 89, 20));
    EXPECT_TRUE(listed(100, 101, 0));
    EXPECT_FALSE(listed(100, 100, 0));
    EXPECT_TRUE(listed(0, 5, 10));
    EXPECT_FALSE(listed(-1, 50, 10)); // no count on one side
    // an unsupported program's count (0: the verifier never ran) is no count
    Diff d = cmp({rec("a", Verdict::unsupported, true, "", 0)},
                 {rec("a", Verdict::accept, true, "", 45)});
    ASSERT_EQ(d.entries.size(), 1u);
    EXPECT_EQ(d.entries[0].changes, std::vector<Change>{Change::verdict});
}

TEST(DiffCompare, KnownBugFixedIsListedNotARegression) {
    Record k = rec("a", Verdict::accept, false);
    k.known_bug = "bug";
    Record f = rec("a", Verdict::reject, true, k_msg);
    f.known_bug = "bug";
    Diff d = cmp({k}, {f});
    ASSERT_EQ(d.entries.size(), 1u);
    EXPECT_EQ(d.entries[0].changes, (std::vector<Change>{Change::verdict, Change::result}));
    EXPECT_FALSE(d.entries[0].regression);
}

TEST(DiffKernels, OneKernelEachIsPairedWhateverItsName) {
    Diff d = cmp({rec("a", Verdict::reject, true, k_msg, 12, "debian-6.12")},
                 {rec("a", Verdict::reject, true, k_msg, 12, "debian-7.2")});
    EXPECT_TRUE(d.entries.empty());
    ASSERT_EQ(d.pairs.size(), 1u);
    EXPECT_EQ(d.pairs[0].base, "debian-6.12");
    EXPECT_EQ(d.pairs[0].nu, "debian-7.2");
}

TEST(DiffKernels, SeveralKernelsPairByName) {
    std::vector<Record> b = {rec("a", Verdict::reject, true, k_msg, 12, "debian-6.12"),
                             rec("a", Verdict::reject, true, k_msg, 12, "debian-7.2")};
    std::vector<Record> n = {rec("a", Verdict::reject, true, k_msg, 12, "debian-7.2"),
                             rec("a", Verdict::reject, true, k_msg, 12, "host")};
    Diff d = cmp(b, n);
    ASSERT_EQ(d.pairs.size(), 3u);
    ASSERT_EQ(d.entries.size(), 2u);
    EXPECT_EQ(d.entries[0].base_kernel, "debian-6.12");
    EXPECT_EQ(d.entries[0].changes, std::vector<Change>{Change::only_base});
    EXPECT_EQ(d.entries[1].new_kernel, "host");
    EXPECT_EQ(d.entries[1].changes, std::vector<Change>{Change::only_new});
}

TEST(DiffKernels, TwoKernelsOfOneRun) {
    diff::Run both = run_of({rec("a", Verdict::reject, true, k_msg, 12, "debian-6.12"),
                             rec("a", Verdict::reject, true, "R1", 12, "debian-7.2")});
    Options o;
    o.base_kernel = "debian-6.12";
    o.new_kernel = "7.2.13+deb14-cloud-amd64"; // uname -r works too
    auto d = compare(both, both, o);
    ASSERT_TRUE(d.ok()) << d.error().message();
    ASSERT_EQ(d->entries.size(), 1u);
    EXPECT_EQ(d->entries[0].changes, std::vector<Change>{Change::message});
    o.new_kernel = "debian-7.3";
    auto bad = compare(both, both, o);
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(
        bad.error().message(),
        "base.jsonl: no records of kernel 'debian-7.3'; its kernels: debian-6.12, debian-7.2");
}

TEST(DiffInput, BadLinesNameFileAndLine) {
    std::string good = record::to_json(rec("a", Verdict::accept, true)) + "\n";
    auto garbage = parse_run(good + "not json\n", "r.jsonl", "");
    ASSERT_FALSE(garbage.ok());
    EXPECT_EQ(garbage.error().where, "r.jsonl:2");
    auto missing =
        parse_run(good + "{\"case\":\"c\",\"program\":\"p\",\"kernel\":\"k\"}\n", "r.jsonl", "");
    ASSERT_FALSE(missing.ok());
    EXPECT_NE(missing.error().what.find("record has no 'verdict'"), std::string::npos)
        << missing.error().what;
    auto twice = parse_run(good + "\n" + good, "r.jsonl", "");
    ASSERT_FALSE(twice.ok());
    EXPECT_EQ(twice.error().message(),
              "r.jsonl:3: program 'task_vma/t/a' on kernel 'debian-7.2' appears twice (first on "
              "line 1); a run has one record per program and kernel; give each run an --out of "
              "its own");
    // the same program on two kernels is no duplicate
    std::string other = record::to_json(rec("a", Verdict::accept, true, "", 1, "debian-6.12"));
    EXPECT_TRUE(parse_run(good + other + "\n", "r.jsonl", "").ok());
}

TEST(DiffInput, LoadRunTakesADirOrAFile) {
    auto dir = std::filesystem::path(::testing::TempDir()) / "iterconf-diff-load";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir / "logs");
    auto none = load_run(dir.string());
    ASSERT_FALSE(none.ok());
    EXPECT_NE(none.error().what.find("no results.jsonl"), std::string::npos);
    std::ofstream(dir / "results.jsonl")
        << record::to_json(rec("a", Verdict::accept, true)) << "\n";
    auto from_dir = load_run(dir.string());
    ASSERT_TRUE(from_dir.ok()) << from_dir.error().message();
    EXPECT_EQ(from_dir->dir, dir.string());
    auto from_file = load_run((dir / "results.jsonl").string());
    ASSERT_TRUE(from_file.ok());
    EXPECT_EQ(from_file->dir, dir.string());
    EXPECT_FALSE(load_run((dir / "nope").string()).ok());
    std::ofstream(dir / "bin.jsonl") << std::string("\x7f"
                                                    "ELF\0\0",
                                                    6);
    auto bin = load_run((dir / "bin.jsonl").string());
    ASSERT_FALSE(bin.ok());
    EXPECT_NE(bin.error().what.find("binary"), std::string::npos);
    std::filesystem::remove_all(dir);
}

TEST(DiffExcerpt, ErrorLineWithContextFromTheLogFile) {
    auto dir = std::filesystem::path(::testing::TempDir()) / "iterconf-diff-excerpt";
    std::filesystem::create_directories(dir / "logs");
    std::ofstream(dir / "logs" / "a.log") << "0: r1 = r10\n1: r1 += -8\n2: r2 = 0\n"
                                             "3: call bpf_iter_task_vma_next#3\n"
                                          << k_msg << "\nprocessed 4 insns\n";
    Record r = rec("a", Verdict::reject, true, k_msg);
    r.log_file = "logs/a.log";
    Excerpt x = excerpt(r, dir.string(), 2);
    EXPECT_EQ(x.source, "logs/a.log");
    ASSERT_EQ(x.lines, (std::vector<std::string>{"2: r2 = 0", "3: call bpf_iter_task_vma_next#3",
                                                 k_msg, "processed 4 insns"}));
    EXPECT_EQ(x.error_line, 2);
    // accepted: the last lines
    Record ok = rec("b", Verdict::accept, true);
    ok.log_file = "logs/a.log";
    Excerpt y = excerpt(ok, dir.string(), 1);
    EXPECT_EQ(y.lines, (std::vector<std::string>{k_msg, "processed 4 insns"}));
    EXPECT_EQ(y.error_line, -1);
    // a log file that is gone: the record's log_tail, said so
    r.log_file = "logs/gone.log";
    Excerpt z = excerpt(r, dir.string(), 3);
    EXPECT_EQ(z.source, "log_tail");
    EXPECT_EQ(z.note, "logs/gone.log not readable");
    EXPECT_EQ(z.error_line, 1);
    std::filesystem::remove_all(dir);
}

TEST(DiffFormat, JsonlHasOneObjectPerChangeAndASummary) {
    Diff d = cmp({rec("a", Verdict::reject, true, k_msg), rec("b", Verdict::accept, true)},
                 {rec("a", Verdict::accept, false, "", 40), rec("b", Verdict::accept, true)});
    std::string j = to_jsonl(d, {});
    std::vector<std::string> lines;
    for (auto l : split_lines(j))
        lines.emplace_back(l);
    ASSERT_EQ(lines.size(), 4u) << j; // verdict, result, insns, summary
    EXPECT_NE(lines[0].find("\"change\":\"verdict\",\"regression\":true"), std::string::npos);
    EXPECT_NE(lines[2].find("\"change\":\"insns\""), std::string::npos);
    EXPECT_EQ(lines[3].rfind("{\"type\":\"summary\"", 0), 0u);
    EXPECT_NE(lines[3].find("\"regressions\":1"), std::string::npos);
    for (const auto& l : lines)
        EXPECT_TRUE(record::json::parse(l).ok()) << l;
}

TEST(DiffFormat, MarkdownHasSummaryTableAndDetails) {
    Diff d =
        cmp({rec("a", Verdict::reject, true, k_msg)}, {rec("a", Verdict::reject, true, "R1 | x")});
    std::string m = to_markdown(d, {});
    EXPECT_EQ(m.rfind("**iterconf diff**: 1 of 1 program changed", 0), 0u) << m;
    EXPECT_NE(m.find("| | program | verdict | result | insns | changes |\n|---|"),
              std::string::npos);
    EXPECT_NE(m.find("| | `task_vma/t/a` | reject | ok | 12 | message |"), std::string::npos);
    EXPECT_NE(m.find("<details>"), std::string::npos);
    EXPECT_NE(m.find("- NEW: `R1 \\| x`"), std::string::npos) << m;
}

TEST(DiffFormat, MarkdownPutsRegressionsFirstAndFitsAComment) {
    std::vector<Record> b, n;
    for (int i = 0; i < 2000; i++) {
        std::string p = "p" + std::to_string(1000 + i);
        b.push_back(rec(p, Verdict::reject, true, k_msg));
        n.push_back(rec(p, Verdict::reject, true, i == 1999 ? "" : "R1", 12));
        if (i == 1999)
            n.back().verdict = Verdict::accept, n.back().match = false;
    }
    Diff d = cmp(b, n);
    ASSERT_EQ(d.entries.size(), 2000u);
    std::string m = to_markdown(d, {});
    EXPECT_LT(m.size(), 65536u);
    // the one regression (the last program) is the first row
    EXPECT_NE(m.find("|---|---|---|---|---|---|\n| **regression** | `task_vma/t/p2999`"),
              std::string::npos);
    EXPECT_NE(m.find(" more rows left out to keep the comment under GitHub's 65536 characters"),
              std::string::npos);
    EXPECT_NE(m.find(" more excerpts left out"), std::string::npos);
    EXPECT_EQ(m.substr(m.size() - 11), "</details>\n");
}

} // namespace
} // namespace iterconf::diff
