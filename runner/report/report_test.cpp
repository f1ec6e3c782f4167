// The report page's data and escaping (runner/report). The page's script is
// checked in a browser by the cli.report_* tests.
#include "record/json.hpp"
#include "report/report.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>

namespace fs = std::filesystem;
using namespace iterconf;

namespace {

record::Record rec(const std::string& prog, const std::string& kernel, bool match) {
    record::Record r;
    r.case_id = "task_vma/fixture";
    r.program = prog;
    r.file = "fixture.bpf.o";
    r.kernel = "6.12.117";
    r.kernel_source = kernel;
    r.verdict = record::Verdict::reject;
    r.expected = match ? record::Verdict::reject : record::Verdict::accept;
    r.match = match;
    r.message = "Unreleased reference id=2";
    r.log_tail = {"0: (85) call bpf_iter_task_vma_new", "Unreleased reference id=2"};
    return r;
}

// The JSON document of a page.
record::json::Object data_of(const std::string& page) {
    const std::string open = "<script id=\"data\" type=\"application/json\">";
    auto a = page.find(open);
    EXPECT_NE(a, std::string::npos);
    a += open.size();
    auto b = page.find("</script>", a);
    auto v = record::json::parse(page.substr(a, b - a));
    EXPECT_TRUE(v) << (v ? "" : v.error().what);
    return v && v->as_object() ? *v->as_object() : record::json::Object{};
}

std::string tmpdir(const std::string& name) {
    auto d = fs::temp_directory_path() / ("iterconf_report_test_" + name);
    fs::remove_all(d);
    fs::create_directories(d);
    return d.string();
}

} // namespace

TEST(Report, ScriptJsonStringCannotCloseTheScript) {
    std::string s = report::script_json_string("a</script><!--\"\\\n\x01&\xe2\x80\xa8z");
    EXPECT_EQ(s.find('<'), std::string::npos);
    EXPECT_EQ(s.find('>'), std::string::npos);
    EXPECT_EQ(s, "\"a\\u003c/script\\u003e\\u003c!--\\\"\\\\\\n\\u0001\\u0026\\u2028z\"");
    auto v = record::json::parse(s);
    ASSERT_TRUE(v);
    EXPECT_EQ(*v->as_string(), "a</script><!--\"\\\n\x01&\xe2\x80\xa8z");
}

TEST(Report, HtmlEscape) {
    EXPECT_EQ(report::html_escape("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
}

TEST(Report, RunPageCarriesTheMatrixAndEscapesRecordText) {
    report::Input in;
    in.dir = "out";
    auto bad = rec("leak", "host", false);
    bad.message = "</script><script>alert(1)</script>";
    bad.reason = "expected accept, got reject";
    in.run.records = {rec("ok_one", "host", true), rec("ok_one", "debian-7.2", true), bad,
                      rec("leak", "debian-7.2", true)};
    in.kernels = {
        {"debian-7.2",
         {{"source", "debian-7.2"}, {"version", "7.2.13-1"}, {"bzimage_sha256", "a142"}}}};
    report::Stats st;
    std::string page = report::render(in, report::Options{}, &st);
    EXPECT_EQ(page.find("alert(1)</script>"), std::string::npos);
    EXPECT_EQ(st.programs, 2u);
    EXPECT_EQ(st.kernels, 2u);
    EXPECT_EQ(st.cells, 4u);
    auto d = data_of(page);
    const auto& progs = *d.at("programs").as_array();
    // The program with a mismatch comes first.
    ASSERT_EQ(progs.size(), 2u);
    EXPECT_EQ(*(*progs[0].as_array())[0].as_string(), "task_vma/fixture/leak");
    const auto& cells = *d.at("cells").as_array();
    ASSERT_EQ(cells.size(), 2u * 2 * 4);
    // row 0 (leak), kernel 0 (host): verdict reject (1), expected accept (0), mismatch (1)
    EXPECT_EQ(*cells[0].as_number(), 1 + 1 + 8 * 0 + 64 * 1);
    const auto& strings = *d.at("strings").as_array();
    EXPECT_EQ(*strings[static_cast<size_t>(*cells[1].as_number())].as_string(),
              "</script><script>alert(1)</script>");
    // row 0, kernel 1 (debian-7.2): ok reject
    EXPECT_EQ(*cells[4].as_number(), 1 + 1 + 8 * 1);
    const auto& kernels = *d.at("kernels").as_array();
    ASSERT_EQ(kernels.size(), 2u);
    const auto& k1 = *kernels[1].as_object();
    EXPECT_EQ(*k1.at("name").as_string(), "debian-7.2");
    EXPECT_EQ(*k1.at("meta").as_object()->at("version").as_string(), "7.2.13-1");
    // counts: total, ok, mismatch
    EXPECT_EQ(*(*kernels[0].as_object()->at("n").as_array())[2].as_number(), 1);
    EXPECT_EQ(*(*k1.at("n").as_array())[1].as_number(), 2);
}

TEST(Report, LargeRunKeepsTheDetailsOfNotOkProgramsOnly) {
    report::Input in;
    in.run.records = {rec("ok_one", "host", true), rec("bad", "host", false)};
    report::Options o;
    o.ok_tail_budget = 10; // smaller than the ok program's tail
    report::Stats st;
    auto d = data_of(report::render(in, o, &st));
    EXPECT_FALSE(st.ok_tails);
    EXPECT_EQ(st.details, 1u);
    const auto& cells = *d.at("cells").as_array();
    EXPECT_GE(*cells[3].as_number(), 0);  // bad (first row) has details
    EXPECT_EQ(*cells[7].as_number(), -1); // ok_one has none
    o.ok_tail_budget = 1 << 20;
    report::render(in, o, &st);
    EXPECT_TRUE(st.ok_tails);
    EXPECT_EQ(st.details, 2u);
}

TEST(Report, FullLogOfAMismatchFromLogs) {
    std::string dir = tmpdir("fulllog");
    fs::create_directories(dir + "/logs/host");
    std::ofstream(dir + "/logs/host/bad.log") << "line 1\nthe whole log\n";
    {
        std::ofstream f(dir + "/results.jsonl");
        auto r = rec("bad", "host", false);
        r.log_file = "logs/host/bad.log";
        f << record::to_json(r) << "\n";
    }
    fs::create_directories(dir + "/kernels");
    std::ofstream(dir + "/kernels/host.meta") << "source=host\nrelease=6.18\n";
    auto in = report::load(dir);
    ASSERT_TRUE(in) << in.error().what;
    EXPECT_EQ(in->kind, report::Kind::run);
    ASSERT_EQ(in->kernels.size(), 1u);
    EXPECT_EQ(in->kernels[0].meta.at("release"), "6.18");
    report::Stats st;
    auto d = data_of(report::render(*in, report::Options{}, &st));
    EXPECT_EQ(st.full_logs, 1u);
    const auto& det = *(*d.at("details").as_array())[0].as_object();
    EXPECT_EQ(*det.at("fl").as_string(), "line 1\nthe whole log\n");
}

TEST(Report, LoadErrors) {
    std::string dir = tmpdir("empty");
    auto in = report::load(dir);
    ASSERT_FALSE(in);
    EXPECT_EQ(in.error().where, dir);
    EXPECT_NE(in.error().what.find("no results.jsonl"), std::string::npos);
    EXPECT_FALSE(report::load(dir + "/nonexistent"));
    std::ofstream(dir + "/results.jsonl") << "not json\n";
    in = report::load(dir);
    ASSERT_FALSE(in);
    EXPECT_NE(in.error().where.find("results.jsonl:1"), std::string::npos);
}

TEST(Report, MutationCampaign) {
    auto in = report::load(std::string(ITERCONF_TESTDATA) + "/report/mutate");
    ASSERT_TRUE(in) << in.error().what;
    EXPECT_EQ(in->kind, report::Kind::mutate);
    ASSERT_EQ(in->mutants.size(), 5u);
    auto s = report::score_of(in->mutants);
    EXPECT_EQ(s.killed, 3u);
    EXPECT_EQ(s.denominator(), 4u);
    EXPECT_DOUBLE_EQ(s.pct(), 75.0);
    auto d = data_of(report::render(*in, report::Options{}));
    EXPECT_EQ(*d.at("score").as_object()->at("pct").as_string(), "75.0");
    EXPECT_EQ(*d.at("campaign").as_object()->at("source").as_string(), "debian-src:7.2");
}
