#include "common/phases.hpp"

#include <gtest/gtest.h>

using iterconf::Phases;

// Phases keep the order they were first seen in, and add up by name.
TEST(Phases, AddUpByNameInFirstSeenOrder) {
    Phases p;
    EXPECT_TRUE(p.empty());
    p.add("load", 1.0);
    p.add("judge", 0.25);
    p.add("load", 0.5);
    ASSERT_EQ(p.list().size(), 2u);
    EXPECT_EQ(p.list()[0].first, "load");
    EXPECT_DOUBLE_EQ(p.list()[0].second, 1.5);
    EXPECT_EQ(p.list()[1].first, "judge");
    EXPECT_DOUBLE_EQ(p.total(), 1.75);

    Phases q;
    q.add("channel", 2.0);
    q.add("judge", 1.0);
    p.add(q);
    ASSERT_EQ(p.list().size(), 3u);
    EXPECT_EQ(p.list()[2].first, "channel");
    EXPECT_DOUBLE_EQ(p.list()[1].second, 1.25);
}

// time() returns what the function returns and adds its wall time.
TEST(Phases, TimeReturnsTheResultAndAddsItsTime) {
    Phases p;
    int v = p.time("work", [] { return 42; });
    EXPECT_EQ(v, 42);
    p.time("work", [] {});
    ASSERT_EQ(p.list().size(), 1u);
    EXPECT_GE(p.list()[0].second, 0.0);
}
