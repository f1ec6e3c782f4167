#include "qemu/channel.hpp"
#include "qemu/console.hpp"
#include "qemu/initramfs.hpp"
#include "qemu/plan.hpp"
#include "qemu/qemu.hpp"

#include <cstdio>
#include <fstream>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace iterconf;

namespace {

std::string tmp_path(const char* name) {
    return ::testing::TempDir() + "/iterconf_" + std::to_string(getpid()) + "_" + name;
}

void write(const std::string& p, const std::string& data) {
    std::ofstream(p, std::ios::binary) << data;
}

} // namespace

TEST(Cpio, NewcLayout) {
    std::string p = tmp_path("a.cpio");
    ASSERT_TRUE(
        qemu::write_cpio(p, {{"bin", S_IFDIR | 0755, ""}, {"bin/x", S_IFREG | 0755, "hi"}}).ok());
    auto data = qemu::read_file(p);
    ASSERT_TRUE(data.ok());
    EXPECT_EQ(data->size() % 512, 0u);
    EXPECT_EQ(data->compare(0, 6, "070701"), 0);
    EXPECT_NE(data->find("bin/x"), std::string::npos);
    EXPECT_NE(data->find("TRAILER!!!"), std::string::npos);
    // Deterministic: the same entries give the same bytes.
    std::string q = tmp_path("b.cpio");
    ASSERT_TRUE(
        qemu::write_cpio(q, {{"bin", S_IFDIR | 0755, ""}, {"bin/x", S_IFREG | 0755, "hi"}}).ok());
    EXPECT_EQ(*qemu::read_file(q), *data);
    std::remove(p.c_str());
    std::remove(q.c_str());
}

TEST(KernelImage, RejectsNonBzImageAndTruncation) {
    std::string p = tmp_path("k");
    write(p, std::string(4096, 'x'));
    auto r = qemu::check_kernel_image(p);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().what.find("HdrS"), std::string::npos);
    // A header announcing more than the file holds.
    std::string img(0x1000, '\0');
    img[0x1f1] = 4;
    img.replace(0x202, 4, "HdrS");
    img[0x1f4] = 0x00;
    img[0x1f5] = 0x10; // syssize 0x1000 paragraphs = 64 KiB
    write(p, img);
    r = qemu::check_kernel_image(p);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().what.find("truncated"), std::string::npos);
    img.resize((4 + 1) * 512 + 0x1000 * 16);
    write(p, img);
    EXPECT_TRUE(qemu::check_kernel_image(p).ok());
    r = qemu::check_kernel_image(p + ".missing");
    EXPECT_FALSE(r.ok());
    std::remove(p.c_str());
}

TEST(Console, AttributesTheSplatToTheLastMarker) {
    auto s = qemu::ConsoleScanner::parse("# c\nKernel panic - not syncing\nBUG: \n", "deny.re");
    ASSERT_TRUE(s.ok());
    std::string con = "[    1.0] Run /init as init process\r\n"
                      "[    2.0] iterconf-agent: begin 0 a/b\n"
                      "[    2.1] iterconf-agent: begin 1 a/c\n"
                      "[    2.2] BUG: kernel NULL pointer dereference, address: 0\n"
                      "[    2.3] Kernel panic - not syncing: Fatal exception\n";
    auto sp = s->scan(con);
    ASSERT_TRUE(sp.has_value());
    EXPECT_EQ(sp->line, "[    2.2] BUG: kernel NULL pointer dereference, address: 0");
    EXPECT_EQ(sp->excerpt.rfind("[    2.1] iterconf-agent: begin 1 a/c", 0), 0u);
    EXPECT_FALSE(s->scan("[    1.0] all quiet\n").has_value());
    EXPECT_FALSE(qemu::ConsoleScanner::parse("# only comments\n", "deny.re").ok());
}

TEST(Console, ProjectPatternsFile) {
    auto s = qemu::ConsoleScanner::load(ITERCONF_SOURCE_DIR "/images/console/deny.re");
    ASSERT_TRUE(s.ok()) << s.error().message();
    EXPECT_TRUE(s->scan("[ 3.1] Kernel panic - not syncing: sysrq triggered crash\n"));
    EXPECT_TRUE(s->scan("[ 3.1] WARNING: CPU: 0 PID: 1 at kernel/bpf/verifier.c:123\n"));
    EXPECT_TRUE(s->scan("[ 3.1] watchdog: BUG: soft lockup - CPU#0 stuck for 22s!\n"));
    EXPECT_FALSE(s->scan("[ 3.1] iterconf-agent: begin 3 task_vma/x/y\n"));
}

TEST(Console, ScanFromTheMarkerOfTheProgramInFlight) {
    auto s = qemu::ConsoleScanner::parse("BUG: \nKernel panic - not syncing\n", "deny.re");
    ASSERT_TRUE(s.ok());
    std::string con = "[1] iterconf-agent: begin 3 a/b\n"
                      "[2] BUG: sleeping function called from invalid context\n"
                      "[3] iterconf-agent: begin 7 a/c\n"
                      "[4] Kernel panic - not syncing: Fatal exception\n";
    EXPECT_EQ(s->scan(con)->line, "[2] BUG: sleeping function called from invalid context");
    auto sp = s->scan(con, 60, "iterconf-agent: begin 7 ");
    ASSERT_TRUE(sp.has_value());
    EXPECT_EQ(sp->line, "[4] Kernel panic - not syncing: Fatal exception");
    EXPECT_EQ(sp->excerpt.rfind("[3] iterconf-agent: begin 7 a/c", 0), 0u);
}

// The agent's lines read back; anything else on the channel is an error,
// so that run_guest fails closed instead of misreading it.
TEST(Channel, ReadsTheAgentsLinesAndRefusesOthers) {
    auto h = qemu::parse_channel_line(
        R"(HELLO {"kernel":"6.12.57+deb13-cloud-amd64","uptime":3.5,"programs":105,"start":2})");
    ASSERT_TRUE(h.ok()) << h.error().message();
    EXPECT_EQ(h->kind, qemu::ChannelLine::Kind::hello);
    EXPECT_EQ(h->release, "6.12.57+deb13-cloud-amd64");
    EXPECT_EQ(h->programs, 105u);
    EXPECT_EQ(h->start, 2u);
    auto r = qemu::parse_channel_line("REC 7 {\"case\":\"c\"}\r");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->index, 7u);
    EXPECT_EQ(r->text, "{\"case\":\"c\"}");
    auto f = qemu::parse_channel_line("FATAL garbage");
    ASSERT_TRUE(f.ok());
    EXPECT_NE(f->what.find("unreadable FATAL line"), std::string::npos);
    for (const char* bad :
         {"REC -1 {}", "BEGIN x", "REC 18446744073709551615 {}", "LOG 2", "DONE now",
          R"(DONE {"phases":{"load":1}})", R"(DONE {"phases":[["load",-1]]})",
          R"(DONE {"phases":[["",1]]})", R"(DONE {"phases":[["load"]]})",
          R"(HELLO {"kernel":"k","programs":-1})", R"(HELLO {"programs":1})", "FLOOR 1.2", ""}) {
        auto l = qemu::parse_channel_line(bad);
        ASSERT_FALSE(l.ok()) << bad;
        EXPECT_NE(l.error().what.find("bad line on the result channel"), std::string::npos);
    }
}

// DONE carries the agent's seconds per phase (for --bench), or nothing.
TEST(Channel, DoneCarriesTheAgentsPhases) {
    auto plain = qemu::parse_channel_line("DONE");
    ASSERT_TRUE(plain.ok());
    EXPECT_TRUE(plain->phases.empty());
    qemu::ChannelLine d;
    d.kind = qemu::ChannelLine::Kind::done;
    d.phases.add("load", 1.5);
    d.phases.add("channel", 0.25);
    d.phases.add("load", 0.5);
    std::string text = qemu::format_channel_line(d);
    EXPECT_EQ(text, R"(DONE {"phases":[["load",2],["channel",0.25]]})");
    auto back = qemu::parse_channel_line(text);
    ASSERT_TRUE(back.ok()) << back.error().message();
    EXPECT_EQ(back->kind, qemu::ChannelLine::Kind::done);
    EXPECT_EQ(back->phases.list(), d.phases.list());
}

// What the agent writes: HELLO's uptime as /proc/uptime has it (the
// shortest text that reads back to the same number), every line parseable.
TEST(Channel, WritesWhatItReads) {
    qemu::ChannelLine h;
    h.kind = qemu::ChannelLine::Kind::hello;
    h.release = "6.12.57+deb13-cloud-amd64";
    h.uptime = 3.25;
    h.programs = 105;
    h.start = 0;
    EXPECT_EQ(
        qemu::format_channel_line(h),
        R"(HELLO {"kernel":"6.12.57+deb13-cloud-amd64","uptime":3.25,"programs":105,"start":0})");
    qemu::ChannelLine f;
    f.kind = qemu::ChannelLine::Kind::fatal;
    f.where = "guest";
    f.what = "no \"plan\"\n";
    auto back = qemu::parse_channel_line(qemu::format_channel_line(f));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(back->what, f.what);
    EXPECT_EQ(back->where, "guest");
}

namespace {

std::vector<qemu::Plan> every_kind() {
    return {qemu::Plan::for_cases(
                {{"/cases/a b.bpf.o", "task_vma/a", "p\"1"}, {"/cases/c.bpf.o", "num/c", "p2"}}),
            qemu::Plan::for_generated("ops=2,depth=2"),
            qemu::Plan::for_inputs("/cases/inputs", "/home/u/fuzz corpus\t1"),
            qemu::Plan::for_bounds("/cases/bounds")};
}

} // namespace

// One plan of each kind reads back to itself, and the kinds are in the
// table's order (Kind i is row i).
TEST(Plan, RoundTripsEveryKind) {
    auto plans = every_kind();
    ASSERT_EQ(plans.size(), qemu::k_plan_kinds);
    for (size_t i = 0; i < plans.size(); i++) {
        EXPECT_EQ(static_cast<size_t>(plans[i].kind), i);
        std::string text = qemu::encode_plan(plans[i]);
        auto back = qemu::decode_plan(text, "/iterconf/plan");
        ASSERT_TRUE(back.ok()) << text << back.error().message();
        EXPECT_TRUE(*back == plans[i]) << text;
        EXPECT_EQ(qemu::encode_plan(*back), text);
    }
    EXPECT_EQ(qemu::encode_plan(qemu::Plan::for_generated("ops=1")),
              "iterconf-plan 1\nkind \"generated\"\nbound \"ops=1\"\nshard \"1/1\"\nend\n");
    EXPECT_EQ(qemu::to_string(qemu::Plan::Kind::bounds), std::string("bounds"));
}

// Anything but a whole plan is one error line naming the plan (and the line).
TEST(Plan, RefusesMalformedPlans) {
    const std::string h = "iterconf-plan 1\n";
    const std::pair<std::string, const char*> bad[] = {
        {"", "empty plan"},
        {"@generated\tops=1\t-\n", "not a plan: '@generated\\tops=1\\t-'"},
        {"iterconf-plan 2\nkind \"cases\"\nend\n", "plan format 'iterconf-plan 2'"},
        {h + "end\n", "line 2: 'end' before the 'kind' line"},
        {h + "item [\"a\",\"b\",\"c\"]\n", "line 2: the second line is the 'kind' line"},
        {h + "kind \"bits\"\nend\n", "unknown kind 'bits'; the kinds are cases, generated"},
        {h + "kind cases\nend\n", "line 2: 'kind': bad JSON"},
        {h + "kind \"cases\"\nkind \"cases\"\nend\n", "line 3: a second 'kind' line"},
        {h + "kind \"cases\"\nitem [\"a\",\"b\"]\nend\n", "line 3: an item is"},
        {h + "kind \"cases\"\nitem [\"a\",\"\",\"c\"]\nend\n", "three non-empty strings"},
        {h + "kind \"cases\"\nitem [\"a\",\"b\",\"c\"]\n", "no 'end' line"},
        {h + "kind \"cases\"\nend\nend\n", "line 4: text after 'end'"},
        {h + "kind \"cases\"\nbound \"x\"\nend\n", "'cases' plans have no 'bound'"},
        {h + "kind \"cases\"\nfoo \"x\"\nend\n", "unknown field 'foo'"},
        {h + "kind \"generated\"\nitem [\"a\",\"b\",\"c\"]\nend\n",
         "'generated' plans have no items"},
        {h + "kind \"generated\"\nend\n", "'generated' plans need 'bound'"},
        {h + "kind \"generated\"\nbound \"\"\nend\n", "'bound' is a non-empty JSON string"},
        {h + "kind \"generated\"\nbound 3\nend\n", "'bound' is a non-empty JSON string"},
        {h + "kind \"generated\"\nbound \"a\"\nbound \"a\"\nend\n", "a second 'bound'"},
        {h + "kind \"inputs\"\ndir \"/cases/inputs\"\nend\n", "'inputs' plans need 'source'"},
        {h + "kind\n", "no value after 'kind'"},
    };
    for (const auto& [text, want] : bad) {
        auto p = qemu::decode_plan(text, "/iterconf/plan");
        ASSERT_FALSE(p.ok()) << text;
        EXPECT_EQ(p.error().where, "/iterconf/plan");
        EXPECT_NE(p.error().what.find(want), std::string::npos)
            << text << " -> " << p.error().message();
        EXPECT_EQ(p.error().message().find('\n'), std::string::npos);
    }
}
