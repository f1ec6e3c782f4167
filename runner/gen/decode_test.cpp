// The fuzz input format (gen/decode) and the minimizer (gen/minimize), with
// injected predicates: no kernel needed.
#include "gen/decode.hpp"
#include "gen/enumerate.hpp"
#include "gen/minimize.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <random>
#include <set>

using namespace iterconf::gen;

namespace {

using Bytes = std::vector<uint8_t>;

Bytes random_bytes(std::mt19937& rng) {
    Bytes b(rng() % 48);
    for (auto& x : b)
        x = static_cast<uint8_t>(rng() % 4 ? rng() % 16 : rng()); // small values are codes
    return b;
}

void walk(const std::vector<Op>& ops, const std::function<void(const Op&)>& f) {
    for (const auto& o : ops) {
        f(o);
        walk(o.body, f);
        walk(o.orelse, f);
    }
}

bool contains(const Program& p, const std::function<bool(const Op&)>& f) {
    bool found = false;
    walk(p.ops, [&](const Op& o) { found = found || f(o); });
    return found;
}

} // namespace

TEST(Decode, PinnedFormat) {
    // format 1; new0 loop0{read0 brk} destroy0 (trailing END and zero SLOT dropped)
    Bytes b = {1, 0, 0, 1, 0, 0, 9, 0, 5, 0, 11, 0, 3};
    Program p = decode(b);
    EXPECT_EQ(p.text(), "task=current_btf kinds=vma | new0 loop0{read0 brk} destroy0");
    b[0] = 2; // encode() writes format 2, which reads these bytes the same
    EXPECT_EQ(encode(p), b);
    EXPECT_EQ(decode(b), p);
    // task walked, kinds (num, vma), new1@global(0x400000), branch with an else arm
    Bytes c = {1, 4, 0x01, 1, 1 | (2 << 1), 4, 10, 12, 0, 2, 0x02};
    EXPECT_EQ(decode(c).text(),
              "task=walked kinds=num,vma | new1@global(0x400000) branch{ret}{next0@mis}");
    Bytes c2 = c;
    c2[0] = 2;
    EXPECT_EQ(encode(decode(c)), c2);
    // raw start address, 8 bytes little-endian
    Bytes d = {1, 0, 0, 1, 0, 0xff, 0x00, 0x10, 0x32, 0x54, 0x76, 0x98, 0, 0};
    EXPECT_EQ(decode(d).ops.at(0).start, 0x9876'5432'1000ull);
}

// KINDS: format 2 stores kind ids (append-only), format 1 the ids of the
// three kinds it knew (the others read as kind 0, as they always did), format
// 0 the frozen two-kind list modulo 2; an unassigned id reads as kind 0 and
// is never written.
TEST(Decode, KindIdsAreStableAcrossFormats) {
    for (const auto& k : kinds()) {
        auto id = static_cast<uint8_t>(k.kind);
        Program p = decode(Bytes{2, 0, static_cast<uint8_t>(id | (id << 4)), 1});
        EXPECT_EQ(p.kinds[0], k.kind);
        EXPECT_EQ(p.kinds[1], k.kind);
        EXPECT_EQ(encode(p), (Bytes{2, 0, static_cast<uint8_t>(id | (id << 4)), 1}));
    }
    EXPECT_EQ(decode(Bytes{2, 0, 0x33, 1}).text(), "task=current_btf kinds=task | new0");
    EXPECT_EQ(decode(Bytes{2, 0, 0x77, 1}).text(), "task=current_btf kinds=dmabuf | new0");
    EXPECT_EQ(decode(Bytes{2, 0, 0x4f, 1, 0, 0, 1, 1}).text(),
              "task=current_btf kinds=vma,css | new0 new1");
    EXPECT_EQ(decode(Bytes{1, 0, 0x21, 1}).text(), "task=current_btf kinds=num | new0");
    EXPECT_EQ(decode(Bytes{1, 0, 0x02, 1}).text(), "task=current_btf kinds=bits | new0");
    EXPECT_EQ(decode(Bytes{1, 0, 0x0f, 1}).text(), "task=current_btf kinds=vma | new0");
    // Format 0: id 2 is num (2 % 2 = 0 is vma; 3 % 2 = 1 is num), never bits.
    EXPECT_EQ(decode(Bytes{0, 0, 0x02, 1}).text(), "task=current_btf kinds=vma | new0");
    EXPECT_EQ(decode(Bytes{0, 0, 0x03, 1}).text(), "task=current_btf kinds=num | new0");
    // Format 2's TASK byte: bit 4 is the program type; formats 0 and 1 read
    // the whole byte modulo the tasks (16 % 6 = 4: walked), tp_btf.
    Program sys = decode(Bytes{2, 0x14, 0x66, 1});
    EXPECT_EQ(sys.text(), "prog=syscall task=walked kinds=kmem_cache | new0");
    EXPECT_EQ(encode(sys), (Bytes{2, 0x14, 0x66, 1}));
    EXPECT_EQ(decode(Bytes{1, 0x10, 0x00, 1}).text(), "task=walked kinds=vma | new0");
    EXPECT_EQ(decode(Bytes{0, 0x10, 0x00, 1}).text(), "task=walked kinds=vma | new0");
    // Format 1: ids past bits read as task_vma, as before format 2 existed.
    for (uint8_t id = 3; id < 16; id++)
        EXPECT_EQ(decode(Bytes{1, 0, static_cast<uint8_t>(id | (id << 4)), 1}).text(),
                  "task=current_btf kinds=vma | new0")
            << int(id);
    EXPECT_EQ(decode(Bytes{1, 0, 0x31, 1, 0, 0, 1, 1}).text(),
              "task=current_btf kinds=num,vma | new0 new1");
    // Other VERSION values read as format 1 (reserved).
    EXPECT_EQ(decode(Bytes{7, 0, 0x02, 1}).text(), "task=current_btf kinds=bits | new0");
    EXPECT_EQ(decode(Bytes{7, 0, 0x33, 1}).text(), "task=current_btf kinds=vma | new0");
}

// The checked-in corpus decodes to the programs it decoded to before the
// VERSION byte (its files got a leading 0 then): listed with their text in
// runner/testdata/fuzz_protocol_corpus.tsv, every file of the directory
// (findings added later, `finding-*`, in format 1, listed the same way).
TEST(Decode, FormatZeroCorpusKeepsItsPrograms) {
    std::string dir = std::string(ITERCONF_SOURCE_DIR) + "/fuzz/corpus/fuzz_protocol/";
    std::ifstream list(std::string(ITERCONF_SOURCE_DIR) +
                       "/runner/testdata/fuzz_protocol_corpus.tsv");
    ASSERT_TRUE(list.good());
    std::set<std::string> listed;
    std::string line;
    while (std::getline(list, line)) {
        if (line.empty() || line[0] == '#')
            continue;
        auto t1 = line.find('\t'), t2 = line.find('\t', t1 + 1);
        ASSERT_NE(t2, std::string::npos) << line;
        std::string file = line.substr(0, t1), name = line.substr(t1 + 1, t2 - t1 - 1);
        std::ifstream in(dir + file, std::ios::binary);
        ASSERT_TRUE(in.good()) << file;
        Bytes b((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        ASSERT_FALSE(b.empty()) << file;
        // Seeds got a leading 0 (format 0); findings added since are format
        // 1; the seeds of the kinds format 2 brought (`kinds-*`) format 2.
        int format = file.starts_with("finding-") ? 1 : file.starts_with("kinds-") ? 2 : 0;
        EXPECT_EQ(b[0], format) << file << ": not format " << format;
        Program p = decode(b);
        EXPECT_EQ(p.text(), line.substr(t2 + 1)) << file;
        EXPECT_EQ(p.name(), name) << file;
        listed.insert(file);
    }
    size_t files = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
        files++;
        EXPECT_TRUE(listed.count(e.path().filename().string())) << e.path() << " not listed";
    }
    EXPECT_EQ(files, listed.size());
    EXPECT_GE(files, 20u);
}

TEST(Decode, BreakOutsideALoopIsRet) {
    EXPECT_EQ(decode(Bytes{1, 0, 0, 11}).text(), "task=current_btf kinds=vma | ret");
    EXPECT_EQ(decode(Bytes{1, 0, 0, 4, 0, 11}).text(), "task=current_btf kinds=vma | guard0{ret}");
    EXPECT_EQ(decode(Bytes{}).text(), "task=current_btf kinds=vma | ");
}

TEST(Decode, LimitsCutLongAndDeepInputs) {
    Bytes many = {1, 0, 0};
    for (int i = 0; i < 40; i++)
        many.insert(many.end(), {5, 0});
    EXPECT_EQ(op_count(decode(many).ops), static_cast<size_t>(k_max_ops));
    Bytes deep = {1, 0, 0};
    for (int i = 0; i < 10; i++)
        deep.insert(deep.end(), {9, 0}); // loop0{loop0{...}}
    Program p = decode(deep);
    EXPECT_EQ(nesting(p.ops), k_max_depth);
    EXPECT_EQ(p.validate(), "");
    EXPECT_EQ(decode(encode(p)), p);
}

// Every byte string is a valid program within the limits, the same one each
// time, and decoding its canonical encoding gives it back.
TEST(Decode, TotalDeterministicAndCanonical) {
    std::mt19937 rng(7);
    for (int i = 0; i < 40000; i++) {
        Bytes b = random_bytes(rng);
        Program p = decode(b);
        ASSERT_EQ(p.validate(), "") << p.text();
        ASSERT_LE(op_count(p.ops), static_cast<size_t>(k_max_ops));
        ASSERT_LE(nesting(p.ops), k_max_depth);
        ASSERT_EQ(decode(b), p);
        Bytes e = encode(p);
        ASSERT_EQ(decode(e), p) << p.text();
        ASSERT_LE(e.size(), b.size() + 8 * k_max_ops); // raw starts may grow
        // A prefix is an input too.
        ASSERT_EQ(decode(b.data(), b.size() / 2).validate(), "");
    }
}

TEST(Decode, RoundTripsTheEnumeratedCorpus) {
    Bound b;
    // Placed iterators (Program::at, addrs=) have no input format yet.
    ASSERT_EQ(parse_bound("ops=3,depth=2,slots=2,addrs=0", b), "");
    size_t n = enumerate(b, [](const Program& p) {
        EXPECT_EQ(decode(encode(p)), p) << p.text();
        return !::testing::Test::HasFailure();
    });
    EXPECT_GT(n, 10000u);
}

// Random inputs reach every task, kind pair, address, op code, slot 1, the
// deepest nesting, the most ops, and both dictionary and raw start addresses.
TEST(Decode, CoversTheModel) {
    std::mt19937 rng(11);
    std::set<int> tasks, kind_pairs, wheres, codes;
    bool slot1 = false, deep = false, longest = false, dict = false, raw = false;
    for (int i = 0; i < 200000; i++) {
        Bytes b = random_bytes(rng);
        Program p = decode(b);
        tasks.insert(static_cast<int>(p.task));
        if (p.uses_slot1())
            kind_pairs.insert(static_cast<int>(p.kinds[0]) * 16 + static_cast<int>(p.kinds[1]));
        walk(p.ops, [&](const Op& o) {
            codes.insert(static_cast<int>(o.code));
            wheres.insert(static_cast<int>(o.where));
            slot1 = slot1 || o.slot == 1;
            if (o.start == 0x400000)
                dict = true;
            else if (o.start != 0 && (o.start & 0xfff) != 0 && o.start != 1 && o.start != ~0ull &&
                     o.start != 0xfff)
                raw = true;
        });
        deep = deep || nesting(p.ops) == k_max_depth;
        longest = longest || op_count(p.ops) == static_cast<size_t>(k_max_ops);
    }
    EXPECT_EQ(tasks.size(), 6u);
    EXPECT_EQ(kind_pairs.size(), kinds().size() * kinds().size());
    EXPECT_EQ(kind_pairs.size(), 64u);
    EXPECT_EQ(wheres.size(), all_wheres().size());
    EXPECT_EQ(wheres.size(), 7u);
    EXPECT_EQ(codes.size(), all_codes().size());
    EXPECT_EQ(codes.size(), 14u);
    EXPECT_TRUE(slot1 && deep && longest && dict && raw);
}

TEST(Decode, ASubprogramBodyUsesOnlyItsSlotAndCallsNothing) {
    // call1{ next0@global  bpfloop0{}  brk } : inside the body the slot is
    // the callee's, @global reads as the slot itself, a nested bpfloop
    // becomes guard, and brk (no loop of the callee's own) becomes ret.
    size_t call = 1 + 12, bpfloop = 1 + 13, next = 1 + 1, brk = 1 + 10;
    size_t global = 2;
    Bytes b = {k_format,
               0,
               0,
               static_cast<uint8_t>(call),
               1,
               static_cast<uint8_t>(next),
               static_cast<uint8_t>(global << 1),
               static_cast<uint8_t>(bpfloop),
               0,
               0,
               static_cast<uint8_t>(brk),
               0};
    Program p = decode(b);
    EXPECT_EQ(p.validate(), "");
    std::vector<Op> want;
    ASSERT_EQ(parse_ops("call1{next1 guard1{} ret}", want), "");
    EXPECT_EQ(p.ops, want) << p.text();
    EXPECT_EQ(decode(encode(p)), p);
}

TEST(Minimize, ReducesToTheSmallestProgramWithTheProperty) {
    // A write0 inside a loop, anywhere.
    auto write_in_loop = [](const Program& p) {
        bool found = false;
        walk(p.ops, [&](const Op& o) {
            if (o.code == Op::Code::loop)
                walk(o.body, [&](const Op& i) { found = found || i.code == Op::Code::write; });
        });
        return found;
    };
    // task walked, kinds num,vma | new0@mis(0x400000) branch{loop0{read0 guard0{write0 brk}
    // destroy1}}{next1} destroy0
    Bytes b = {1, 4, 0x01, 1, 2, 4, 10, 9, 0, 5, 0, 4, 0, 6, 0, 11, 0, 3, 1, 0, 0, 2, 1, 0, 3, 0};
    Program big = decode(b);
    ASSERT_TRUE(write_in_loop(big)) << big.text();
    std::set<std::string> seen;
    MinimizeStats st;
    Program small = minimize(
        big,
        [&](const Program& p) {
            EXPECT_EQ(p.validate(), "") << p.text();
            seen.insert(p.text());
            return write_in_loop(p);
        },
        &st);
    EXPECT_EQ(small.text(), "task=current_btf kinds=vma | loop0{write0}");
    EXPECT_GT(st.steps, 0u);
    EXPECT_GE(st.tries, st.steps);
    EXPECT_GE(seen.size(), st.steps);
    // Deterministic.
    EXPECT_EQ(minimize(big, write_in_loop), small);
}

TEST(Minimize, KeepsWhatThePropertyNeeds) {
    // A misaligned next on slot 1 with a walked task: slot, task and where stay.
    auto prop = [](const Program& p) {
        return p.task == Task::walked && contains(p, [](const Op& o) {
                   return o.code == Op::Code::next && o.slot == 1 && o.where == Where::misaligned;
               });
    };
    Bytes b = {1, 4, 0x10, 1, 0, 0, 9, 1, 2, 1 | (1 << 1), 11, 0, 3, 0, 5, 1};
    Program big = decode(b);
    ASSERT_TRUE(prop(big)) << big.text();
    EXPECT_EQ(minimize(big, prop).text(), "task=walked kinds=vma,vma | next1@mis");
    // A brk: the loop around it must stay.
    auto brk = [](const Program& p) {
        return contains(p, [](const Op& o) { return o.code == Op::Code::brk; });
    };
    EXPECT_EQ(minimize(big, brk).text(), "task=current_btf kinds=vma | loop0{brk}");
    // Nothing smaller has the property: the program comes back as it was.
    EXPECT_EQ(minimize(big, [](const Program&) { return false; }), big);
}
