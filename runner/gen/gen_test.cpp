#include "gen/emit_c.hpp"
#include "gen/enumerate.hpp"

#include <algorithm>
#include <gtest/gtest.h>
#include <set>

using namespace iterconf::gen;

namespace {

Op op(Op::Code c, uint8_t slot = 0, std::vector<Op> body = {}) {
    Op o;
    o.code = c;
    o.slot = slot;
    o.body = std::move(body);
    return o;
}

} // namespace

TEST(Gen, TextAndNameAreStable) {
    Program p;
    p.ops = {op(Op::Code::new_), op(Op::Code::loop, 0, {op(Op::Code::read), op(Op::Code::brk)}),
             op(Op::Code::destroy)};
    EXPECT_EQ(p.text(), "task=current_btf kinds=vma | new0 loop0{read0 brk} destroy0");
    EXPECT_EQ(p.name(), p.name());
    EXPECT_EQ(p.name().size(), 17u);
    EXPECT_EQ(p.validate(), "");
    p.kinds[1] = Kind::num;
    p.ops.push_back(op(Op::Code::new_, 1));
    EXPECT_EQ(p.text(), "task=current_btf kinds=vma,num | new0 loop0{read0 brk} destroy0 new1");
}

TEST(Gen, ValidateRejectsMalformedTrees) {
    Program p;
    p.ops = {op(Op::Code::brk)};
    EXPECT_EQ(p.validate(), "brk outside a loop");
    p.ops = {op(Op::Code::read, 0, {op(Op::Code::ret)})};
    EXPECT_EQ(p.validate(), "read cannot have a body");
    p.ops = {op(Op::Code::new_, 2)};
    EXPECT_EQ(p.validate(), "slot out of range");
    Op r = op(Op::Code::read);
    r.where = Where::global;
    p.ops = {r};
    EXPECT_EQ(p.validate(), "read takes no address");
}

TEST(Gen, ParseOpsReadsTextBack) {
    for (const char* t :
         {"new0 loop0{read0 brk} destroy0", "new0@other next1@outside destroy0@above",
          "call1{new1@mis loop1{ret}} branch{}{copy0}", "guard0{clobber1}"}) {
        std::vector<Op> ops;
        ASSERT_EQ(parse_ops(t, ops), "") << t;
        Program p;
        p.ops = ops;
        EXPECT_EQ(p.text().substr(p.text().find("| ") + 2), t);
    }
    std::vector<Op> ops;
    EXPECT_NE(parse_ops("new0 frob0", ops), "");
    EXPECT_NE(parse_ops("loop0{read0", ops), "");
    EXPECT_NE(parse_ops("new0}", ops), "");
}

TEST(Gen, SubprogramBodiesKeepToTheirSlot) {
    Program p;
    ASSERT_EQ(parse_ops("call0{new0 destroy0}", p.ops), "");
    EXPECT_EQ(p.validate(), "");
    ASSERT_EQ(parse_ops("call0{new1}", p.ops), "");
    EXPECT_EQ(p.validate(), "a subprogram uses only the slot it was passed");
    ASSERT_EQ(parse_ops("call0{new0@global}", p.ops), "");
    EXPECT_EQ(p.validate(), "a subprogram takes only the pointer it was passed (or +4)");
    ASSERT_EQ(parse_ops("call0{call0{}}", p.ops), "");
    EXPECT_EQ(p.validate(), "call inside a subprogram");
    ASSERT_EQ(parse_ops("loop0{call0{brk}}", p.ops), "");
    EXPECT_EQ(p.validate(), "brk outside a loop");
}

TEST(Gen, EnumerationIsDeterministicDistinctAndValid) {
    Bound b;
    ASSERT_EQ(parse_bound("ops=2,slots=2", b), "");
    auto a = enumerate_all(b);
    auto c = enumerate_all(b);
    ASSERT_EQ(a, c);
    std::set<std::string> texts, names;
    for (const auto& p : a) {
        EXPECT_EQ(p.validate(), "") << p.text();
        texts.insert(p.text());
        names.insert(p.name());
    }
    EXPECT_EQ(texts.size(), a.size());
    EXPECT_EQ(names.size(), a.size());
    EXPECT_GT(a.size(), 1000u);
}

TEST(Gen, DefaultBoundYieldsAtLeast5000Programs) {
    EXPECT_GE(enumerate(Bound{}, [](const Program&) { return true; }), 5000u);
}

TEST(Gen, BoundParsing) {
    Bound b;
    EXPECT_EQ(parse_bound("ops=4,depth=1,slots=1,tasks=0,wheres=0,calls=0", b), "");
    EXPECT_EQ(b.text(), "ops=4,depth=1,slots=1,tasks=0,wheres=0,calls=0");
    EXPECT_NE(parse_bound("ops=99", b), "");
    EXPECT_NE(parse_bound("colour=1", b), "");
    EXPECT_NE(parse_bound("ops", b), "");
    // kinds: by token or name, printed in table order, only when not all.
    Bound k;
    EXPECT_EQ(parse_bound("ops=2,kinds=bits+task_vma", k), "");
    EXPECT_EQ(k.text(), "ops=2,depth=2,slots=1,tasks=1,wheres=1,calls=1,kinds=vma+bits");
    EXPECT_EQ(parse_bound("kinds=vma+num+bits+task+css+css_task+kmem_cache+dmabuf", k), "");
    EXPECT_EQ(k.text(), "ops=2,depth=2,slots=1,tasks=1,wheres=1,calls=1");
    EXPECT_EQ(parse_bound("kinds=css+task", k), "");
    EXPECT_EQ(k.text(), "ops=2,depth=2,slots=1,tasks=1,wheres=1,calls=1,kinds=task+css");
    EXPECT_NE(parse_bound("kinds=scx_dsq", k), "");
    EXPECT_NE(parse_bound("kinds=", k), "");
    // addrs: printed only when not the default (edges).
    Bound a;
    EXPECT_EQ(parse_bound("addrs=all", a), "");
    EXPECT_EQ(a.text(), "ops=3,depth=2,slots=1,tasks=1,wheres=1,calls=1,addrs=all");
    EXPECT_EQ(parse_bound("addrs=0", a), "");
    EXPECT_EQ(a.text(), "ops=3,depth=2,slots=1,tasks=1,wheres=1,calls=1,addrs=0");
    EXPECT_EQ(parse_bound("addrs=edges", a), "");
    EXPECT_EQ(a.text(), "ops=3,depth=2,slots=1,tasks=1,wheres=1,calls=1");
    EXPECT_NE(parse_bound("addrs=some", a), "");
}

// The address dimension (Program::at): every 8-byte-aligned offset from
// below the stack to above the frame with addrs=all, for every kind; its
// programs come after the others, which do not change.
TEST(Gen, AddressDimensionCoversEveryOffset) {
    for (const auto& ki : kinds()) {
        auto all = addr_offsets(ki.kind, Addrs::all);
        for (int x = -520; x <= 8; x += 8)
            EXPECT_NE(std::find(all.begin(), all.end(), x), all.end()) << ki.name << " " << x;
        for (int x : {-516, -508, -4, 4, -ki.size + 4})
            EXPECT_NE(std::find(all.begin(), all.end(), x), all.end()) << ki.name << " " << x;
        auto edges = addr_offsets(ki.kind, Addrs::edges);
        for (int x : {-520, -512, -ki.size, -ki.size + 8, 0, 8})
            EXPECT_NE(std::find(edges.begin(), edges.end(), x), edges.end()) << ki.name << " " << x;
        EXPECT_TRUE(addr_offsets(ki.kind, Addrs::none).empty());
        // The frame keeps the scratch u64 and the key clear of the iterator.
        for (int x : all) {
            Program p;
            p.kinds = {ki.kind, ki.kind};
            p.at = static_cast<int16_t>(x);
            Frame f = p.frame();
            for (int o : {f.scratch, f.key}) {
                EXPECT_TRUE(o + 8 <= x || o >= x + ki.size + 4) << ki.name << " " << x << " " << o;
                EXPECT_GE(o, -512);
            }
            EXPECT_NE(f.scratch, f.key);
        }
    }
    Bound none, edges;
    ASSERT_EQ(parse_bound("ops=2,addrs=0", none), "");
    ASSERT_EQ(parse_bound("ops=2", edges), "");
    // (the program-type dimension, syscall programs, comes after both)
    std::vector<std::string> a, b;
    enumerate(none, [&](const Program& p) {
        if (p.prog == Prog::tp_btf)
            a.push_back(p.text());
        return true;
    });
    enumerate(edges, [&](const Program& p) {
        if (p.prog == Prog::tp_btf)
            b.push_back(p.text());
        return true;
    });
    ASSERT_GT(b.size(), a.size());
    EXPECT_TRUE(std::equal(a.begin(), a.end(), b.begin()));
    EXPECT_EQ(b.back(), "task=current_btf kinds=dmabuf,dmabuf at=8 | new1 destroy1@other");
    for (size_t i = a.size(); i < b.size(); i++)
        EXPECT_NE(b[i].find(" at="), std::string::npos) << b[i];
}

TEST(Gen, PlacedIteratorTakesTheFramesAddresses) {
    Program p;
    p.at = -264;
    ASSERT_EQ(parse_ops("new0 next0@mis destroy0", p.ops), "");
    EXPECT_EQ(p.validate(), "");
    EXPECT_EQ(p.text(), "task=current_btf kinds=vma at=-264 | new0 next0@mis destroy0");
    ASSERT_EQ(parse_ops("new1 next1@other destroy1", p.ops), "");
    EXPECT_EQ(p.validate(), "");
    EXPECT_EQ(p.text(), "task=current_btf kinds=vma,vma at=-264 | new1 next1@other destroy1");
    ASSERT_EQ(parse_ops("new0 destroy0@global", p.ops), "");
    EXPECT_NE(p.validate(), "");
    ASSERT_EQ(parse_ops("new0 destroy0@outside", p.ops), "");
    EXPECT_NE(p.validate(), "");
}

// A kind added to the table appends programs; the task_vma and num programs
// of before are the same, in the same order (counts pinned from before bits,
// and from before task, css, css_task, kmem_cache and dmabuf).
TEST(Gen, AddingAKindKeepsTheOtherKindsPrograms) {
    auto count = [](const char* bound) { // tp_btf programs (syscall ones come last)
        Bound b;
        EXPECT_EQ(parse_bound(bound, b), "");
        size_t n = 0;
        enumerate(b, [&](const Program& p) {
            n += p.prog == Prog::tp_btf;
            return true;
        });
        return n;
    };
    EXPECT_EQ(count("ops=1,kinds=vma+num,addrs=0"), 49u);
    EXPECT_EQ(count("ops=2,kinds=vma+num,addrs=0"), 1336u);
    EXPECT_EQ(count("ops=2,slots=2,kinds=vma+num,addrs=0"), 5256u);
    EXPECT_EQ(count("ops=1,kinds=vma+num+bits,addrs=0"), 66u);
    EXPECT_EQ(count("ops=2,kinds=vma+num+bits,addrs=0"), 1729u);
    // The default corpus of the three: 51,040 tp_btf programs and the 6
    // runtime-contract templates (two per kind); all eight kinds: 69,746 + 16,
    // and 1,472 + 16 syscall programs after them.
    size_t n3 = 0, n8 = 0, sys = 0;
    Bound three, eight;
    ASSERT_EQ(parse_bound("kinds=vma+num+bits", three), "");
    enumerate(three, [&](const Program& p) {
        n3 += p.prog == Prog::tp_btf;
        return true;
    });
    enumerate(eight, [&](const Program& p) {
        n8 += p.prog == Prog::tp_btf;
        sys += p.prog == Prog::syscall;
        EXPECT_TRUE(p.prog == Prog::syscall || sys == 0) << p.text(); // syscall last
        return true;
    });
    EXPECT_EQ(n3, 51040u + 6);
    EXPECT_EQ(n8, 69746u + 16);
    EXPECT_EQ(sys, 1472u + 16);
    Bound all, old;
    ASSERT_EQ(parse_bound("ops=2,slots=2", all), "");
    ASSERT_EQ(parse_bound("ops=2,slots=2,kinds=vma+num", old), "");
    std::vector<std::string> without;
    auto old_kind = [](Kind k) { return k == Kind::task_vma || k == Kind::num; };
    enumerate(all, [&](const Program& p) {
        if (old_kind(p.kinds[0]) && old_kind(p.kinds[1]) && p.prog == Prog::tp_btf)
            without.push_back(p.text());
        return true;
    });
    std::vector<std::string> before;
    enumerate(old, [&](const Program& p) {
        if (p.prog == Prog::tp_btf)
            before.push_back(p.text());
        return true;
    });
    EXPECT_EQ(without, before);
}

TEST(Gen, CEmitterCarriesThePrediction) {
    Program p;
    p.ops = {op(Op::Code::new_)};
    std::string c = emit_c({{p, {false, {"Unreleased reference id={{[0-9]+}}"}}}}, "gen test");
    EXPECT_NE(c.find("__failure\n__msg(\"Unreleased reference id={{[0-9]+}}\")\nint " + p.name()),
              std::string::npos);
    EXPECT_NE(c.find("bpf_iter_task_vma_new(&it0, task, 0x0ULL);"), std::string::npos);
    EXPECT_NE(c.find("char _license[] SEC(\"license\") = \"GPL\";"), std::string::npos);
}
