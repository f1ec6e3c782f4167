// The kernel-log watcher on the running kernel's real /dev/kmsg: what is
// logged between begin() and end() is read back, parsed and judged. Writes
// one harmless info line (no splat: other watchers on this machine would
// take one for theirs). Skips with the reason when /dev/kmsg cannot be
// read or written, unless ITERCONF_REQUIRE names "host".
#include "common/splat.hpp"
#include "load/kmsg.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <random>
#include <string>
#include <unistd.h>

using namespace iterconf;

TEST(Kmsg, ReadsWhatTheKernelLogs) {
    auto w = load::KmsgWatcher::open(SplatPatterns::builtin(), "/dev/kmsg");
    if (!w.available()) {
        if (load::kmsg_required())
            FAIL() << w.why() << " (required: ITERCONF_REQUIRE names host)";
        GTEST_SKIP() << w.why();
    }
    int fd = ::open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
        if (load::kmsg_required())
            FAIL() << "cannot write /dev/kmsg: " << std::strerror(errno);
        GTEST_SKIP() << "cannot write /dev/kmsg: " << std::strerror(errno);
    }
    std::string nonce = std::to_string(std::random_device{}());
    std::string line = "iterconf: kmsg watcher self-test " + nonce + " (host test, harmless)";
    w.begin();
    std::string rec = "<6>" + line + "\n";
    ASSERT_EQ(::write(fd, rec.data(), rec.size()), static_cast<ssize_t>(rec.size()));
    ::close(fd);
    auto c = w.end();
    // Other processes may log too (their lines count for the load as well),
    // but a machine that splats during this test is one to look at.
    EXPECT_EQ(c.status, load::KmsgCheck::Status::clean) << c.excerpt;
    EXPECT_GE(c.records, 1u);
    EXPECT_NE(c.excerpt.find("] " + line + "\n"), std::string::npos) << c.excerpt;
    // Nothing of it is left for the next load.
    w.begin();
    EXPECT_EQ(w.end().excerpt.find(nonce), std::string::npos);
}
