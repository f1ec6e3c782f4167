// The console scanner with the agent's kernel-log attributions: a splat the
// agent's watcher already made a program's `crash` (it wrote the
// "kmsg splat attributed to <i> <id>" marker after it) is skipped; anything
// else is still found.
#include "qemu/console.hpp"

#include <gtest/gtest.h>

using namespace iterconf;

namespace {

const char* k_console = "[    1.0] iterconf-agent: begin 0 task_vma/a/p0\n"
                        "[    1.1] ------------[ cut here ]------------\n"
                        "[    1.2] WARNING: CPU: 0 PID: 80 at kernel/bpf/verifier.c:1065 x\n"
                        "[    1.3] ---[ end trace 0000000000000000 ]---\n"
                        "[    1.4] iterconf-agent: kmsg splat attributed to 0 task_vma/a/p0\n"
                        "[    1.5] iterconf-agent: begin 1 task_vma/a/p1\n";

} // namespace

TEST(ConsoleAttributed, SkipsWhatTheAgentAttributed) {
    auto s = qemu::ConsoleScanner(SplatPatterns::builtin());
    EXPECT_FALSE(s.scan(k_console).has_value());
}

TEST(ConsoleAttributed, StillFindsTheRest) {
    auto s = qemu::ConsoleScanner(SplatPatterns::builtin());
    // After the attribution, in the same program's span: found.
    std::string later = k_console;
    later.insert(later.find("[    1.5]"), "[   1.45] BUG: unable to handle page fault\n");
    auto after = s.scan(later);
    ASSERT_TRUE(after.has_value());
    EXPECT_EQ(after->line, "[   1.45] BUG: unable to handle page fault");
    EXPECT_EQ(after->after, "0 task_vma/a/p0");
    // In the next program's span: found.
    auto next = s.scan(std::string(k_console) + "[    1.6] BUG: unable to handle page fault\n");
    ASSERT_TRUE(next.has_value());
    EXPECT_EQ(next->after, "1 task_vma/a/p1");
    // An attribution names one program: program 1's marker does not cover program 0.
    std::string wrong = k_console;
    wrong.replace(wrong.find("attributed to 0 task_vma/a/p0"), 29, "attributed to 1 task_vma/a/p1");
    auto w = s.scan(wrong);
    ASSERT_TRUE(w.has_value());
    EXPECT_EQ(w->line, "[    1.2] WARNING: CPU: 0 PID: 80 at kernel/bpf/verifier.c:1065 x");
    EXPECT_EQ(w->after, "0 task_vma/a/p0");
    // With no attribution at all: found, as before.
    std::string none = k_console;
    none.erase(none.find("[    1.4]"), none.find("[    1.5]") - none.find("[    1.4]"));
    ASSERT_TRUE(s.scan(none).has_value());
}

TEST(ConsoleAttributed, VerifierBugIsASplat) {
    auto s = qemu::ConsoleScanner(SplatPatterns::builtin());
    auto f = s.scan("iterconf-agent: begin 2 x/y\nverifier bug: backtracking misuse(1)\n");
    ASSERT_TRUE(f.has_value());
    EXPECT_EQ(f->pattern, "verifier bug");
}
