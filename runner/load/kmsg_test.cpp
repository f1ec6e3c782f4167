// The kernel-log watcher (load/kmsg) on recorded kmsg text: golden files
// runner/testdata/kmsg/*.txt with "# EXPECT: crash|clean|overrun" headers
// (and MESSAGE / PID / LOST for the first hit and the records lost), the
// record format's corners, what a check does to an outcome and a record,
// and a watcher reading a file instead of the kernel log.
#include "common/splat.hpp"
#include "load/kmsg.hpp"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <sstream>
#include <unistd.h>

using namespace iterconf;
namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p) {
    std::ifstream in(p);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// "# KEY: value" of a fixture, or "".
std::string header(const std::string& text, const std::string& key) {
    std::istringstream in(text);
    std::string line, tag = "# " + key + ": ";
    while (std::getline(in, line))
        if (line.rfind(tag, 0) == 0)
            return line.substr(tag.size());
    return "";
}

const char* status_name(load::KmsgCheck::Status s) {
    switch (s) {
    case load::KmsgCheck::Status::clean:
        return "clean";
    case load::KmsgCheck::Status::splat:
        return "crash";
    case load::KmsgCheck::Status::overrun:
        return "overrun";
    case load::KmsgCheck::Status::unavailable:
        return "unavailable";
    }
    return "?";
}

} // namespace

TEST(Splat, BuiltinIsDenyRe) {
    auto file = SplatPatterns::load(ITERCONF_SOURCE_DIR "/images/console/deny.re");
    ASSERT_TRUE(file.ok()) << file.error().message();
    const auto& b = SplatPatterns::builtin();
    EXPECT_EQ(b.size(), file->size());
    for (const char* l :
         {"verifier bug: backtracking misuse(1)", "WARNING: CPU: 1 PID: 2 at x", "BUG: KASAN: x",
          "Oops: general protection fault", "Kernel panic - not syncing: Fatal exception",
          "UBSAN: shift-out-of-bounds in x", "KASAN: slab-use-after-free in x"}) {
        ASSERT_NE(b.match(l), nullptr) << l;
        EXPECT_EQ(*b.match(l), *file->match(l)) << l;
    }
    EXPECT_EQ(b.match("audit: type=1334 audit(1.2:3): prog-id=4 op=LOAD"), nullptr);
}

TEST(Kmsg, GoldenFiles) {
    size_t n = 0, crash = 0, clean = 0, overrun = 0;
    for (const auto& e : fs::directory_iterator(ITERCONF_TESTDATA "/kmsg")) {
        if (e.path().extension() != ".txt")
            continue;
        n++;
        SCOPED_TRACE(e.path().filename().string());
        std::string text = slurp(e.path());
        std::string want = header(text, "EXPECT");
        ASSERT_TRUE(want == "crash" || want == "clean" || want == "overrun")
            << "needs a '# EXPECT: crash|clean|overrun' header";
        auto c = load::check_kmsg_text(text, SplatPatterns::builtin());
        EXPECT_STREQ(status_name(c.status), want.c_str()) << c.excerpt;
        crash += want == "crash";
        clean += want == "clean";
        overrun += want == "overrun";
        if (want == "crash") {
            ASSERT_FALSE(c.hits.empty());
            EXPECT_EQ(c.hits.front().line, header(text, "MESSAGE"));
            // The excerpt holds the first hit, with its timestamp.
            EXPECT_NE(c.excerpt.find("] " + c.hits.front().line + "\n"), std::string::npos)
                << c.excerpt;
            EXPECT_TRUE(c.unchecked().empty());
        } else {
            EXPECT_TRUE(c.hits.empty());
        }
        if (std::string pid = header(text, "PID"); !pid.empty()) {
            EXPECT_EQ(c.pid, std::stol(pid));
        }
        if (std::string lost = header(text, "LOST"); !lost.empty()) {
            EXPECT_EQ(c.lost, std::stoull(lost));
            EXPECT_EQ(c.unchecked(), "kmsg (overrun: " + lost + " records lost during the load)");
        }
    }
    EXPECT_GE(n, 8u);
    EXPECT_GE(crash, 1u);
    EXPECT_GE(clean, 1u);
    EXPECT_GE(overrun, 1u);
}

TEST(Kmsg, VerifierBugExcerpt) {
    auto c = load::check_kmsg_text(slurp(ITERCONF_TESTDATA "/kmsg/verifier_bug_6_18.txt"),
                                   SplatPatterns::builtin());
    ASSERT_TRUE(c.crashed());
    // Both the "verifier bug:" and the "WARNING:" line hit; the first names it.
    ASSERT_EQ(c.hits.size(), 2u);
    EXPECT_EQ(c.hits[0].pattern, "verifier bug");
    EXPECT_EQ(c.hits[1].pattern, "WARNING: ");
    // It starts 3 lines before the first hit: here at the audit line.
    EXPECT_EQ(c.excerpt.rfind("[ 9876.512004] audit: type=1334", 0), 0u) << c.excerpt;
    EXPECT_NE(c.excerpt.find("__mark_chain_precision+0x1a0e/0x1d40"), std::string::npos);
    EXPECT_NE(c.excerpt.find("---[ end trace"), std::string::npos);
    // Bounded: a long report is cut, and says so.
    load::KmsgScan scan(SplatPatterns::builtin());
    scan.feed("4,1,1,-;x\n4,2,2,-;y\n4,3,3,-;z\n4,4,4,-;WARNING: CPU: 0 PID: 1 at a\n4,5,5,-;w\n"
              "4,6,6,-;v\n");
    auto b = scan.finish(3);
    EXPECT_EQ(b.excerpt, "[    0.000001] x\n[    0.000002] y\n[    0.000003] z\n"
                         "[... 3 more kernel-log lines ...]\n");
}

TEST(Kmsg, ParseRecordFormat) {
    size_t bad = 0;
    auto rs = load::parse_kmsg("12,7,1500000,-;a\\x0ab\\x5cc\n SUBSYSTEM=pci\n DEVICE=+pci:0\n"
                               "4,8,1500001,c,more;cont\nnot a record\n 6,9,1,-;orphan?\n"
                               "x,1,1,-;bad prio\n",
                               &bad);
    ASSERT_EQ(rs.size(), 2u);
    EXPECT_EQ(rs[0].level, 4); // prio 12 = facility 1 (user), level 4
    EXPECT_EQ(rs[0].seq, 7u);
    EXPECT_EQ(rs[0].usec, 1500000u);
    EXPECT_EQ(rs[0].flags, '-');
    EXPECT_EQ(rs[0].lines, (std::vector<std::string>{"a", "b\\c"}));
    EXPECT_EQ(rs[0].dict, (std::vector<std::string>{"SUBSYSTEM=pci", "DEVICE=+pci:0"}));
    EXPECT_EQ(rs[1].flags, 'c');
    EXPECT_EQ(rs[1].lines, (std::vector<std::string>{"cont"}));
    // " 6,9,1,-;orphan?" is a dictionary line of record 8, not a record.
    EXPECT_EQ(rs[1].dict, (std::vector<std::string>{"6,9,1,-;orphan?"}));
    EXPECT_EQ(bad, 2u); // "not a record", "x,1,..."
}

TEST(Kmsg, ApplyToOutcomeAndRecord) {
    auto c = load::check_kmsg_text(slurp(ITERCONF_TESTDATA "/kmsg/verifier_bug_6_18.txt"),
                                   SplatPatterns::builtin());
    load::Classified res{record::Verdict::reject, "R1 invalid mem access 'scalar'"};
    std::string log = "0: (b7) r0 = 0\nR1 invalid mem access 'scalar'";
    load::apply_kmsg(c, res, log);
    EXPECT_EQ(res.verdict, record::Verdict::crash);
    EXPECT_EQ(res.message, "kernel log: verifier bug: backtracking misuse(1)");
    EXPECT_EQ(log.rfind("0: (b7) r0 = 0\nR1 invalid mem access 'scalar'\n---- kernel log during "
                        "the load (2 matching lines, first: 'verifier bug') ----\n",
                        0),
              0u)
        << log;
    record::Record r;
    r.log_tail = {"old"};
    load::apply_kmsg(c, r);
    ASSERT_FALSE(r.log_tail.empty());
    EXPECT_LE(r.log_tail.size(), 40u);
    EXPECT_NE(r.log_tail[2].find("verifier bug: backtracking misuse(1)"), std::string::npos);

    // An overrun with nothing read: the verdict stays, the record does not pass.
    auto o = load::check_kmsg_text(slurp(ITERCONF_TESTDATA "/kmsg/overrun.txt"),
                                   SplatPatterns::builtin());
    load::Classified acc{record::Verdict::accept, ""};
    std::string alog = "processed 3 insns";
    load::apply_kmsg(o, acc, alog);
    EXPECT_EQ(acc.verdict, record::Verdict::accept);
    EXPECT_EQ(alog, "processed 3 insns");
    record::Record ok;
    ok.verdict = ok.expected = record::Verdict::accept;
    ok.match = true;
    load::apply_kmsg(o, ok);
    EXPECT_FALSE(ok.match);
    EXPECT_NE(ok.reason.find("kernel-log check could not run: 40 records"), std::string::npos);

    // A clean check changes nothing.
    auto cl = load::check_kmsg_text("", SplatPatterns::builtin());
    record::Record same;
    same.match = true;
    load::apply_kmsg(cl, same);
    EXPECT_TRUE(same.match);
    EXPECT_TRUE(same.reason.empty());
}

TEST(Kmsg, WatcherOnAFile) {
    // A regular file stands in for /dev/kmsg: what is there at open() is
    // history; what is appended between begin() and end() is the load's.
    char tmpl[] = "/tmp/iterconf-kmsg-XXXXXX";
    int fd = mkstemp(tmpl);
    ASSERT_GE(fd, 0);
    close(fd);
    std::string path = tmpl;
    std::ofstream(path) << "4,1,1,-;WARNING: CPU: 0 PID: 1 at old history\n";
    auto w = load::KmsgWatcher::open(SplatPatterns::builtin(), path);
    ASSERT_TRUE(w.available()) << w.why();
    w.begin();
    EXPECT_EQ(w.end().status, load::KmsgCheck::Status::clean);
    w.begin();
    std::ofstream(path, std::ios::app) << "6,2,2,-;audit: noise\n4,3,3,-;BUG: KASAN: x in y\n";
    auto c = w.end();
    EXPECT_EQ(c.status, load::KmsgCheck::Status::splat);
    EXPECT_EQ(c.records, 2u);
    ASSERT_EQ(c.hits.size(), 1u);
    EXPECT_EQ(c.hits[0].line, "BUG: KASAN: x in y");
    // Logged between two loads: nobody's.
    std::ofstream(path, std::ios::app) << "4,4,4,-;WARNING: CPU: 0 PID: 1 at between\n";
    w.begin();
    EXPECT_EQ(w.end().status, load::KmsgCheck::Status::clean);
    fs::remove(path);
}

TEST(Kmsg, WatcherUnavailable) {
    auto w = load::KmsgWatcher::open(SplatPatterns::builtin(), "/nonexistent/kmsg");
    EXPECT_FALSE(w.available());
    EXPECT_EQ(w.why(), "cannot read /nonexistent/kmsg: No such file or directory");
    w.begin();
    auto c = w.end();
    EXPECT_EQ(c.status, load::KmsgCheck::Status::unavailable);
    EXPECT_FALSE(c.crashed());
    EXPECT_EQ(c.unchecked(), "kmsg (cannot read /nonexistent/kmsg: No such file or directory)");
}

TEST(Kmsg, MergeKeepsTheWorseCheck) {
    using S = load::KmsgCheck::Status;
    auto check = [](S s, const char* why) {
        load::KmsgCheck c;
        c.status = s;
        c.why = why;
        return c;
    };
    // A splat seen during the bpf() call is not undone by a clean watch of
    // the whole judging, nor by an overrun; an overrun beats a clean check.
    EXPECT_EQ(load::merge_checks(check(S::splat, "a"), check(S::clean, "b")).why, "a");
    EXPECT_EQ(load::merge_checks(check(S::clean, "a"), check(S::splat, "b")).why, "b");
    EXPECT_EQ(load::merge_checks(check(S::overrun, "a"), check(S::splat, "b")).why, "b");
    EXPECT_EQ(load::merge_checks(check(S::clean, "a"), check(S::overrun, "b")).why, "b");
    EXPECT_EQ(load::merge_checks(check(S::unavailable, "a"), check(S::clean, "b")).why, "a");
    // On a tie, the first (the watch of the bpf() call itself).
    EXPECT_EQ(load::merge_checks(check(S::splat, "a"), check(S::splat, "b")).why, "a");
}

TEST(Kmsg, UncountedEndIsNoLoadOfTheInjection) {
    // ITERCONF_KMSG_INJECT counts the loads whose end() counts: the host
    // runner's watch of each bpf() call in a pass does not count, the watch
    // of each program's judging does (so load <n> is the n-th program judged).
    auto dir = fs::temp_directory_path() / ("iterconf_kmsg_uncounted_" + std::to_string(getpid()));
    fs::create_directories(dir);
    std::string log = (dir / "kmsg").string(), inj = (dir / "inject").string();
    std::ofstream(log) << "";
    std::ofstream(inj) << "4,1,1,-;WARNING: CPU: 0 PID: 1 at kernel/bpf/verifier.c:1 x\n";
    ::setenv("ITERCONF_KMSG_INJECT", ("1:" + inj).c_str(), 1);
    auto w = load::KmsgWatcher::open(SplatPatterns::builtin(), log);
    ::unsetenv("ITERCONF_KMSG_INJECT");
    ASSERT_TRUE(w.available());
    w.begin();
    EXPECT_EQ(w.end(60, false).status, load::KmsgCheck::Status::clean);
    w.begin();
    EXPECT_EQ(w.end().status, load::KmsgCheck::Status::clean); // load 0
    w.begin();
    EXPECT_EQ(w.end(60, false).status, load::KmsgCheck::Status::clean);
    w.begin();
    EXPECT_EQ(w.end().status, load::KmsgCheck::Status::splat); // load 1
    fs::remove_all(dir);
}
