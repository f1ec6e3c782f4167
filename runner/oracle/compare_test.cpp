// The comparison rules of the oracle on fixed data (no kernel): what
// counts as expected from a maps text, and which walks disagree with it.
#include "oracle/compare.hpp"

#include <gtest/gtest.h>

using namespace iterconf::oracle;

namespace {

const char* k_maps =
    "00400000-00401000 r--p 00000000 fe:00 10952886 /bin/x\n"
    "00401000-00402000 r-xp 00001000 fe:00 10952886 /bin/x\n"
    "7f0000000000-7f0000002000 rw-s 00003000 00:01 4242 /memfd:m (deleted)\n"
    "7f0000004000-7f0000005000 ---p 00000000 00:00 0 \n"
    "7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0                          [stack]\n"
    "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]\n";

bounds_vma vma(uint64_t s, uint64_t e, uint64_t flags, uint64_t pgoff = 0, uint32_t dev = 0,
               uint64_t ino = 0) {
    bounds_vma v{};
    v.start = s;
    v.end = e;
    v.flags = flags;
    v.pgoff = pgoff;
    v.dev = dev;
    v.ino = ino;
    v.has_file = ino != 0;
    return v;
}

// The walk a correct kernel gives from address 0, unlimited.
Walk full_walk() {
    Walk w;
    w.vmas = {vma(0x400000, 0x401000, 0x1, 0, (0xfe << 20) | 0, 10952886),
              vma(0x401000, 0x402000, 0x5, 1, (0xfe << 20) | 0, 10952886),
              vma(0x7f0000000000, 0x7f0000002000, 0x3 | 0x80, 3, 1, 4242),
              vma(0x7f0000004000, 0x7f0000005000, 0x0), vma(0x7ffd00000000, 0x7ffd00021000, 0x3)};
    return w;
}

} // namespace

TEST(OracleCompare, ParsesMapsLines) {
    auto m = parse_maps(k_maps);
    ASSERT_TRUE(m.ok());
    ASSERT_EQ(m->size(), 6u);
    EXPECT_EQ((*m)[2].perms, "rw-s");
    EXPECT_EQ((*m)[2].offset, 0x3000u);
    EXPECT_EQ((*m)[0].major, 0xfeu);
    EXPECT_EQ((*m)[2].ino, 4242u);
    EXPECT_EQ((*m)[4].name, "[stack]");
    EXPECT_EQ((*m)[5].name, "[vsyscall]");
}

TEST(OracleCompare, RejectsAGarbledLine) {
    auto m = parse_maps("00400000-00401000 r--p zz 0 0\n");
    ASSERT_FALSE(m.ok());
    EXPECT_NE(m.error().where.find(":1"), std::string::npos);
}

TEST(OracleCompare, ExpectedIsEndAboveAddrWithoutVsyscall) {
    auto m = *parse_maps(k_maps);
    bool more = true;
    auto e = expected_from(m, 0x401000, 0xffffffffu, &more);
    ASSERT_EQ(e.size(), 4u); // 0x400000-0x401000 ends at addr: not yielded
    EXPECT_EQ(e[0].start, 0x401000u);
    EXPECT_FALSE(more);
    e = expected_from(m, 0x7f0000001fff, 1, &more);
    ASSERT_EQ(e.size(), 1u);
    EXPECT_EQ(e[0].start, 0x7f0000000000u);
    EXPECT_TRUE(more);
    EXPECT_TRUE(expected_from(m, 0xffffffffff600000ull, 100, &more).empty());
}

TEST(OracleCompare, AMatchingWalkPasses) {
    auto m = *parse_maps(k_maps);
    EXPECT_EQ(compare(m, 0, 0xffffffffu, full_walk()), "");
    Walk two = full_walk();
    two.vmas.resize(2);
    two.more = true;
    EXPECT_EQ(compare(m, 0, 2, two), "");
}

TEST(OracleCompare, EachKindOfDifferenceIsCaught) {
    auto m = *parse_maps(k_maps);
    Walk w = full_walk();
    w.vmas[1].start += 0x1000;
    EXPECT_NE(compare(m, 0, 0xffffffffu, w), "") << "bounds";
    w = full_walk();
    w.vmas[2].flags &= ~0x80ull;
    EXPECT_NE(compare(m, 0, 0xffffffffu, w), "") << "shared bit";
    w = full_walk();
    w.vmas[2].pgoff = 4;
    EXPECT_NE(compare(m, 0, 0xffffffffu, w), "") << "offset";
    w = full_walk();
    w.vmas[0].ino = 1;
    EXPECT_NE(compare(m, 0, 0xffffffffu, w), "") << "file identity";
    w = full_walk();
    w.vmas.pop_back();
    EXPECT_NE(compare(m, 0, 0xffffffffu, w), "") << "a VMA missing";
    w = full_walk();
    w.vmas.push_back(vma(0xffffffffff600000ull, 0xffffffffff601000ull, 0x4));
    EXPECT_NE(compare(m, 0, 0xffffffffu, w), "") << "[vsyscall] yielded";
    w = full_walk();
    w.more = true;
    EXPECT_NE(compare(m, 0, 0xffffffffu, w), "") << "more than maps has";
    w = full_walk();
    w.err = -16;
    EXPECT_NE(compare(m, 0, 0xffffffffu, w), "") << "an error without contention";
}

TEST(OracleCompare, UnderTheHammerOnlyItsPagesMayDiffer) {
    auto m = *parse_maps(k_maps);
    // The hammer's pages: the memfd mapping. Skipping it is allowed (the
    // per-VMA-lock implementation skips write-locked VMAs) ...
    Walk w = full_walk();
    w.vmas.erase(w.vmas.begin() + 2);
    EXPECT_EQ(compare(m, 0, 0xffffffffu, w, 0x7f0000000000, 0x7f0000002000), "");
    // ... and so is a different split of them, but not losing another VMA.
    w.vmas.pop_back();
    EXPECT_NE(compare(m, 0, 0xffffffffu, w, 0x7f0000000000, 0x7f0000002000), "");
}
