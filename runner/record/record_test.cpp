#include "record/json.hpp"
#include "record/record.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>

using namespace iterconf::record;

namespace {

Record sample() {
    Record r;
    r.case_id = "task_vma/double_new";
    r.program = "new_twice_same_slot";
    r.file = "cases/task_vma/double_new.bpf.c";
    r.description = "new() twice \"quoted\" <xml> & tab\t";
    r.kernel = "6.18.44-fc-v657";
    r.kernel_source = "host";
    r.verdict = Verdict::reject;
    r.expected = Verdict::reject;
    r.match = true;
    r.message = "expected uninitialized iter_task_vma as arg #0";
    r.expected_msgs = {"expected uninitialized iter_task_vma as {{(arg #[01]|R1)}}"};
    r.log_tail = {"5: (85) call bpf_iter_task_vma_new#64266", "\x01 ctl \\ back"};
    r.log_file = "logs/host/task_vma/double_new/new_twice_same_slot.log";
    r.insns_processed = 12;
    r.load_us = 1234;
    return r;
}

} // namespace

TEST(Record, VerdictStringsAreTheContractsOnes) {
    const char* names[] = {"accept", "reject", "unsupported", "load_error", "crash", "timeout"};
    for (int i = 0; i < 6; i++) {
        EXPECT_STREQ(to_string(static_cast<Verdict>(i)), names[i]);
        EXPECT_EQ(verdict_from_string(names[i]), static_cast<Verdict>(i));
    }
    EXPECT_FALSE(verdict_from_string("accepted").has_value());
}

TEST(Record, JsonRoundTrip) {
    Record r = sample();
    std::string line = to_json(r);
    EXPECT_EQ(line.find('\n'), std::string::npos);
    auto back = from_json(line);
    ASSERT_TRUE(back.ok()) << back.error().message();
    EXPECT_EQ(to_json(*back), line);
    EXPECT_EQ(back->description, r.description);
    EXPECT_EQ(back->log_tail, r.log_tail);
    EXPECT_EQ(back->verdict, Verdict::reject);
}

// What the guest agent sends: defaults left out, the same record read back;
// and the contract's fields are all in results.jsonl (to_json) even then.
TEST(Record, WireJsonLeavesOutDefaultsAndReadsBackTheSame) {
    Record full = sample();
    Record sparse = sample();
    sparse.file.clear();
    sparse.description.clear();
    sparse.log_tail.clear();
    sparse.log_file.clear();
    sparse.insns_processed = -1;
    sparse.load_us = 0;
    for (const Record& r : {full, sparse}) {
        std::string wire = to_wire_json(r);
        auto back = from_json(wire);
        ASSERT_TRUE(back.ok()) << back.error().message() << ": " << wire;
        EXPECT_EQ(to_json(*back), to_json(r));
    }
    std::string wire = to_wire_json(sparse);
    for (const char* left_out : {"\"file\"", "\"description\"", "\"log_tail\"", "\"reason\"",
                                 "\"insns_processed\"", "\"load_us\"", "\"status\""})
        EXPECT_EQ(wire.find(left_out), std::string::npos) << left_out << " in " << wire;
    EXPECT_LT(wire.size(), to_json(sparse).size());
    auto v = json::parse(to_json(*from_json(wire)));
    ASSERT_TRUE(v.ok());
    for (const char* k : {"file", "log_tail", "insns_processed", "load_us", "status"})
        EXPECT_TRUE(v->as_object()->count(k)) << k;
}

TEST(Record, ContractFieldsArePresent) {
    auto v = json::parse(to_json(sample()));
    ASSERT_TRUE(v.ok());
    for (const char* k : {"case", "program", "kernel", "kernel_source", "verdict", "expected",
                          "match", "message", "log_tail", "insns_processed", "load_us"})
        EXPECT_TRUE(v->as_object()->count(k)) << k;
}

TEST(Record, BadLinesAreErrors) {
    EXPECT_FALSE(from_json("").ok());
    EXPECT_FALSE(from_json("[]").ok());
    EXPECT_FALSE(from_json("{\"case\":1}").ok());
    std::string line = to_json(sample());
    std::string bad = line;
    bad.replace(bad.find("\"reject\""), 8, "\"rejected\"");
    auto r = from_json(bad);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().what.find("not a verdict"), std::string::npos);
    EXPECT_FALSE(from_json(line.substr(0, line.size() - 3)).ok());
}

// Numbers outside int64 (or fractions) are refused, not cast: the cast is
// undefined behaviour (found by fuzz_records).
TEST(Record, CountsMustBe64BitIntegers) {
    const std::string head = R"({"case":"c","program":"p","kernel":"k","verdict":"accept",)"
                             R"("expected":"accept","match":true,)";
    for (const char* v : {"1e300", "-1.5e19", "12.75", "9223372036854775808"}) {
        auto r = from_json(head + "\"insns_processed\":" + v + "}");
        ASSERT_FALSE(r.ok()) << v;
        EXPECT_NE(r.error().what.find("not a 64-bit integer"), std::string::npos) << v;
    }
    auto r = from_json(head + "\"insns_processed\":-9223372036854775808,\"load_us\":1e3}");
    ASSERT_TRUE(r.ok()) << r.error().message();
    EXPECT_EQ(r->insns_processed, INT64_MIN);
    EXPECT_EQ(r->load_us, 1000);
}

TEST(Record, JsonlWriterFlushesEachLine) {
    auto dir = std::filesystem::temp_directory_path() / "iterconf-record-test";
    std::filesystem::create_directories(dir);
    std::string path = (dir / "results.jsonl").string();
    JsonlWriter w;
    ASSERT_TRUE(w.open(path).ok());
    ASSERT_TRUE(w.write(sample()).ok());
    // readable before close: an interrupted run keeps what it has
    auto got = read_jsonl(path);
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(got->size(), 1u);
    ASSERT_TRUE(w.write(sample()).ok());
    w.close();
    EXPECT_EQ(read_jsonl(path)->size(), 2u);
    std::ofstream(path, std::ios::app) << "{broken\n";
    auto bad = read_jsonl(path);
    ASSERT_FALSE(bad.ok());
    EXPECT_NE(bad.error().where.find("results.jsonl:3"), std::string::npos);
    std::filesystem::remove_all(dir);
}

TEST(Record, JunitHasOneSuitePerKernelAndFailures) {
    Record ok = sample();
    Record bad = sample();
    bad.program = "other";
    bad.match = false;
    bad.verdict = Verdict::accept;
    bad.reason = "expected reject, got accept";
    Record unsup = sample();
    unsup.program = "u";
    unsup.kernel = "6.1.0-40-cloud-amd64";
    unsup.kernel_source = "debian-6.1";
    unsup.verdict = unsup.expected = Verdict::unsupported;
    unsup.missing_kfuncs = {"bpf_iter_task_vma_new"};
    unsup.message = "kfunc bpf_iter_task_vma_new missing from kernel BTF";
    std::string x = to_junit({ok, bad, unsup}, 1.5);
    EXPECT_NE(x.find("tests=\"3\" failures=\"1\""), std::string::npos);
    EXPECT_NE(x.find("<testsuite name=\"host:6.18.44-fc-v657\" tests=\"2\" failures=\"1\""),
              std::string::npos);
    EXPECT_NE(x.find("<testsuite name=\"debian-6.1:6.1.0-40-cloud-amd64\" tests=\"1\" "
                     "failures=\"0\" skipped=\"1\""),
              std::string::npos);
    EXPECT_NE(x.find("<failure message=\"expected reject, got accept\""), std::string::npos);
    EXPECT_NE(x.find("<skipped message=\"unsupported: kfunc bpf_iter_task_vma_new missing from "
                     "kernel BTF\"/>"),
              std::string::npos);
    Record esc = bad;
    esc.reason = "message '\"x\" <y>' not found";
    std::string e = to_junit({esc}, 0);
    EXPECT_NE(e.find("message=\"message &apos;&quot;x&quot; &lt;y&gt;&apos; not found\""),
              std::string::npos);
    EXPECT_EQ(x.find("\x01"), std::string::npos);
}

TEST(Record, TableAndSummary) {
    Record ok = sample();
    Record bad = sample();
    bad.program = "other";
    bad.match = false;
    bad.reason = "message 'x' not found in the verifier log (in order)";
    auto s = summarize({ok, bad});
    EXPECT_EQ(s.total, 2u);
    EXPECT_EQ(s.matched, 1u);
    EXPECT_EQ(s.mismatched, 1u);
    EXPECT_EQ(s.by_verdict[1], 2u);
    std::string t = to_table({ok, bad}, false);
    EXPECT_NE(t.find("task_vma/double_new/other"), std::string::npos);
    EXPECT_NE(t.find("FAIL"), std::string::npos);
    EXPECT_NE(summary_line(s, 2.0).find("2 programs: 1 matched, 1 mismatched"), std::string::npos);
    EXPECT_NE(summary_line(s, 2.0).find("1.0 verdicts/s"), std::string::npos);
}

// `unchecked` (contract 2 addition): kept through JSONL, shown in JUnit and
// in the table; a record without it reads back with an empty list.
TEST(Record, UncheckedExpectationsAreKeptAndShown) {
    Record r = sample();
    r.verdict = r.expected = Verdict::accept;
    r.unchecked = {"__retval (host: programs are never run on the host)",
                   "__xlated (the program after verifier rewrites is not compared)"};
    std::string line = to_json(r);
    auto back = from_json(line);
    ASSERT_TRUE(back.ok()) << back.error().message();
    EXPECT_EQ(back->unchecked, r.unchecked);
    auto plain = from_json(to_json(sample()));
    ASSERT_TRUE(plain.ok());
    EXPECT_TRUE(plain->unchecked.empty());
    EXPECT_NE(to_json(sample()).find("\"unchecked\":[]"), std::string::npos);

    std::string x = to_junit({r, sample()}, 1.0);
    EXPECT_NE(x.find("<property name=\"unchecked\" value=\"__retval (host: programs are never "
                     "run on the host)\"/>"),
              std::string::npos)
        << x;
    EXPECT_NE(x.find("<system-out>not checked:"), std::string::npos) << x;
    EXPECT_EQ(x.find("<failure"), std::string::npos) << x; // unchecked is not a failure

    Record other = sample();
    other.program = "other";
    other.unchecked = {r.unchecked[0]};
    std::string t = to_table({r, other, sample()}, false);
    EXPECT_NE(t.find("ok*"), std::string::npos) << t;
    EXPECT_NE(t.find("* 2 programs with unchecked expectations:\n"
                     "    __retval (host: programs are never run on the host): 2\n"
                     "    __xlated (the program after verifier rewrites is not compared): 1\n"),
              std::string::npos)
        << t;
    EXPECT_EQ(to_table({sample()}, false).find("unchecked"), std::string::npos);
}
