#include "common/progress.hpp"

#include <cstdio>
#include <gtest/gtest.h>
#include <string>

namespace iterconf {
namespace {

// What a Progress writes, on a fake clock.
struct Capture {
    char* buf = nullptr;
    size_t size = 0;
    FILE* f = open_memstream(&buf, &size);
    double t = 0;
    ~Capture() {
        std::fclose(f);
        std::free(buf);
    }
    std::string text() {
        std::fflush(f);
        return std::string(buf, size);
    }
    Progress::Options opts(Progress::Mode mode) {
        return Progress::Options{.mode = mode, .out = f, .width = 60, .now = [this] { return t; }};
    }
};

TEST(Progress, LineHasEveryKernelInOrder) {
    Capture c;
    Progress p(c.opts(Progress::Mode::off));
    p.add("host");
    p.add("debian-6.12");
    p.add("debian-7.2");
    p.done("host", 156, 156);
    p.judging("debian-6.12", 120, 156);
    p.phase("debian-7.2", "boot");
    EXPECT_EQ(p.line(), "host done 156/156 · debian-6.12 judging 120/156 · debian-7.2 boot");
    p.keep({"debian-7.2", "host", "debian-7.3"});
    EXPECT_EQ(p.line(), "debian-7.2 boot · host done 156/156 · debian-7.3 queued");
    p.drop("host");
    EXPECT_EQ(p.line(), "debian-7.2 boot · debian-7.3 queued");
    EXPECT_EQ(c.text(), ""); // off: nothing written
}

TEST(Progress, PlainLinesOnPhaseChangesAndThrottledCounts) {
    Capture c;
    Progress p(c.opts(Progress::Mode::plain));
    p.add("debian-7.2"); // queued: no line
    p.phase("debian-7.2", "boot");
    p.judging("debian-7.2", 0, 100);
    for (size_t n = 1; n <= 25; n++) // 10% steps: a line at 10 and 20
        p.judging("debian-7.2", n, 100);
    c.t = 10.5; // 10 s since the last line: one more, whatever the count
    p.judging("debian-7.2", 26, 100);
    p.judging("debian-7.2", 27, 100);
    p.phase("debian-7.2", "reboot after crash");
    p.judging("debian-7.2", 28, 100); // a phase change again: printed at once
    p.done("debian-7.2", 100, 100);
    EXPECT_EQ(c.text(), "iterconf: progress: debian-7.2: boot\n"
                        "iterconf: progress: debian-7.2: judging 0/100\n"
                        "iterconf: progress: debian-7.2: judging 10/100\n"
                        "iterconf: progress: debian-7.2: judging 20/100\n"
                        "iterconf: progress: debian-7.2: judging 26/100\n"
                        "iterconf: progress: debian-7.2: reboot after crash\n"
                        "iterconf: progress: debian-7.2: judging 28/100\n"
                        "iterconf: progress: debian-7.2: done 100/100\n");
}

TEST(Progress, PlainSmallCorpusPrintsEachItem) {
    // 10% of 5 items is less than one: each item is a step.
    Capture c;
    Progress p(c.opts(Progress::Mode::plain));
    p.judging("host", 0, 5);
    p.judging("host", 1, 5);
    p.judging("host", 1, 5); // no progress, no time: nothing
    EXPECT_EQ(c.text(), "iterconf: progress: host: judging 0/5\n"
                        "iterconf: progress: host: judging 1/5\n");
}

TEST(Progress, TtyRedrawsOneLineAndErasesAroundOtherOutput) {
    Capture c;
    Progress p(c.opts(Progress::Mode::tty));
    p.phase("host", "judging"); // a phase change: drawn
    p.judging("host", 1, 9);    // the same phase within 0.1 s: not redrawn
    c.t = 1;
    p.judging("host", 2, 9);
    p.around([&] { std::fputs("a warning\n", c.f); });
    p.finish();
    p.judging("host", 3, 9); // after finish: nothing
    EXPECT_EQ(c.text(), "\r\033[Khost judging"
                        "\r\033[Khost judging 1/9" // the counted phase is new
                        "\r\033[Khost judging 2/9"
                        "\r\033[Ka warning\n"
                        "\r\033[Khost judging 2/9"
                        "\r\033[K");
}

TEST(Progress, TtyLineFitsTheWidth) {
    EXPECT_EQ(Progress::fit("abcdef", 6), "abcdef");
    EXPECT_EQ(Progress::fit("abcdef", 4), "abc…");
    EXPECT_EQ(Progress::fit("a · b · c", 4), "a ·…");
    Capture c;
    auto o = c.opts(Progress::Mode::tty);
    o.width = 12;
    Progress p(o);
    p.judging("debian-6.12", 120, 156);
    EXPECT_EQ(c.text(), "\r\033[Kdebian-6.1…");
}

} // namespace
} // namespace iterconf
