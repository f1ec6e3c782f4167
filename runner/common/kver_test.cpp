#include "common/kver.hpp"

#include <gtest/gtest.h>

using namespace iterconf;

TEST(Kver, ParsesDebianAndRcReleases) {
    EXPECT_EQ(parse_release("6.12.57+deb13-cloud-amd64")->str(), "6.12.57");
    EXPECT_EQ(parse_release("6.18.44-fc-v657")->str(), "6.18.44");
    EXPECT_EQ(parse_release("7.3.0-rc2-cloud-amd64")->str(), "7.3.0");
    EXPECT_EQ(parse_release("6.1")->str(), "6.1.0");
    EXPECT_FALSE(parse_release("linux").ok());
    EXPECT_FALSE(parse_release("6").ok());
    EXPECT_FALSE(parse_release("").ok());
}

TEST(Kver, RangeBounds) {
    auto r = parse_range(">=6.12.5 <6.13");
    ASSERT_TRUE(r.ok()) << r.error().message();
    EXPECT_FALSE(r->contains(*parse_release("6.12.4")));
    EXPECT_TRUE(r->contains(*parse_release("6.12.5")));
    EXPECT_TRUE(r->contains(*parse_release("6.12.117")));
    EXPECT_FALSE(r->contains(*parse_release("6.13.0-rc1")));
    EXPECT_TRUE(parse_range("<6.9")->contains(*parse_release("6.8.12")));
    EXPECT_FALSE(parse_range("<6.9")->contains(*parse_release("6.9")));
    EXPECT_TRUE(parse_range(">7.0")->contains(*parse_release("7.0.1")));
    EXPECT_TRUE(parse_range("<=7.0")->contains(*parse_release("7.0.0")));
    EXPECT_TRUE(parse_range("==6.18.44")->contains(*parse_release("6.18.44")));
}

TEST(Kver, MalformedRangesAreErrors) {
    for (const char* bad : {"", " ", "6.9", ">=", ">=x", ">=6.9<7.0", "~6.9", ">=6.9 <7 >1"}) {
        auto r = parse_range(bad);
        EXPECT_FALSE(r.ok()) << "'" << bad << "' parsed";
        if (!r.ok()) {
            EXPECT_NE(r.error().what.find("bad kernel version range"), std::string::npos);
        }
    }
}
