// The input format: InputReader reads values as FuzzedDataProvider did, and
// the checked-in seeds decode to the layouts and walks they always meant.
#include "oracle/input.hpp"

#include <array>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <iterator>
#include <map>
#include <sstream>

using namespace iterconf::oracle;

namespace {

std::vector<uint8_t> bytes(std::initializer_list<int> v) {
    return {v.begin(), v.end()};
}

} // namespace

TEST(OracleInput, ReadsFromTheEndMostSignificantFirst) {
    auto d = bytes({0xaa, 0x12, 0x34, 0x07});
    InputReader r(d.data(), d.size());
    EXPECT_EQ(r.range(0, 255), 0x07u);      // one byte, the last
    EXPECT_EQ(r.range(0, 0xffff), 0x3412u); // two bytes: 0x34 then 0x12
    EXPECT_EQ(r.remaining(), 1u);
    EXPECT_EQ(r.range(5, 5), 5u); // a one-value range takes no byte
    EXPECT_EQ(r.remaining(), 1u);
    EXPECT_EQ(r.range(0, 9), 0xaau % 10); // reduced modulo the span + 1
    EXPECT_EQ(r.remaining(), 0u);
    EXPECT_EQ(r.range(3, 9), 3u); // exhausted: the minimum
    EXPECT_FALSE(r.flag());
}

TEST(OracleInput, WholeWidthAndFlags) {
    auto d = bytes({1, 2, 3, 4, 5, 6, 7, 8, 0x03, 0x02});
    InputReader r(d.data(), d.size());
    EXPECT_FALSE(r.flag());                              // 0x02: the low bit
    EXPECT_TRUE(r.flag());                               // 0x03
    EXPECT_EQ(r.range(0, ~0ull), 0x0807060504030201ull); // no modulo at full width
    std::array<uint32_t, 3> v = {10, 20, 30};
    auto e = bytes({4});
    InputReader p(e.data(), e.size());
    EXPECT_EQ(p.pick(v), 20u); // 4 % 3
}

TEST(OracleInput, SeedsKeepTheirMeaning) {
    std::ifstream golden(ITERCONF_TESTDATA "/oracle/seeds.describe");
    ASSERT_TRUE(golden) << ITERCONF_TESTDATA "/oracle/seeds.describe";
    std::map<std::string, std::string> want;
    std::string line, name;
    while (std::getline(golden, line)) {
        if (line.starts_with("#"))
            continue;
        if (line.starts_with("== ")) {
            name = line.substr(3);
            continue;
        }
        want[name] += line + "\n";
    }
    ASSERT_GE(want.size(), 13u);
    for (const auto& [seed, text] : want) {
        std::string path = ITERCONF_SOURCE_DIR "/fuzz/corpus/fuzz_iter_bounds/" + seed;
        std::ifstream in(path, std::ios::binary);
        ASSERT_TRUE(in) << path;
        std::vector<uint8_t> data((std::istreambuf_iterator<char>(in)),
                                  std::istreambuf_iterator<char>());
        EXPECT_EQ(describe(decode(data.data(), data.size())), text) << seed;
    }
}
