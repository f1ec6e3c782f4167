// The state-embedding oracle's beliefs (model::beliefs, gen/beliefs.hpp)
// and their embedding by emit_bpf: what the verifier believes at each point
// of small programs, and the checks that carry it into the bytecode.
#include "gen/emit_bpf.hpp"
#include "model/model.hpp"

#include <gtest/gtest.h>

namespace iterconf::model {
namespace {

using gen::Belief;
using gen::Kind;
using gen::Program;
using gen::Task;

Program prog(const std::string& ops, Kind k = Kind::task_vma) {
    Program p;
    p.task = Task::current_btf;
    p.kinds = {k, k};
    EXPECT_EQ(gen::parse_ops(ops, p.ops), "") << ops;
    EXPECT_EQ(p.validate(), "") << ops;
    return p;
}

const KernelFeatures host = KernelFeatures::from_version(6, 18, 44);

// "loop0:unknown next0:NULL ..." for the points, in pre-order.
std::string shown(const Program& p, const gen::Beliefs& b) {
    std::string out;
    auto ops = gen::preorder(p);
    for (size_t i = 0; i < ops.size(); i++) {
        if (!gen::is_point(ops[i].op->code))
            continue;
        std::string w = ops[i].where;
        out += (out.empty() ? "" : " ") + w.substr(w.find(' ') + 1) + ":" + gen::to_string(b.of(i));
    }
    return out;
}

std::string beliefs_of(const std::string& ops, Kind k = Kind::task_vma) {
    Program p = prog(ops, k);
    return shown(p, beliefs(p, host));
}

// process_iter_next_call(): a drained iterator's next() is the constant 0
// (rule 14's "DRAINED is sticky"); an active one's is NULL or not.
TEST(Beliefs, DrainedNextIsBelievedNull) {
    EXPECT_EQ(beliefs_of("new0 loop0{} next0 destroy0"), "loop0:unknown next0:NULL");
    EXPECT_EQ(beliefs_of("new0 next0 next0 destroy0"), "next0:unknown next0:unknown");
    EXPECT_EQ(beliefs_of("new0 loop0{} loop0{read0} destroy0"),
              "loop0:unknown loop0:NULL read0:unreached");
}

// A guard's body sees a non-NULL pointer; on a NULL v (is_branch_taken())
// the body is dead code.
TEST(Beliefs, GuardsRefineAndKillBodies) {
    EXPECT_EQ(beliefs_of("new0 next0 guard0{read0} destroy0"),
              "next0:unknown guard0:unknown read0:non-NULL");
    EXPECT_EQ(beliefs_of("new0 loop0{} next0 guard0{read0} destroy0"),
              "loop0:unknown next0:NULL guard0:NULL read0:unreached");
    EXPECT_EQ(beliefs_of("new0 loop0{read0} destroy0"), "loop0:unknown read0:non-NULL");
}

// A num pointer released by destroy() is an unknown scalar (rule 19): no
// belief; a guard on it makes it non-zero in its body (rule 38).
TEST(Beliefs, ReleasedNumPointerIsUnknown) {
    EXPECT_EQ(beliefs_of("new0 next0 destroy0 guard0{ret}", Kind::num),
              "next0:unknown guard0:unknown");
}

// Rejected programs do not run: no beliefs.
TEST(Beliefs, NoneForRejectedPrograms) {
    EXPECT_TRUE(beliefs(prog("new0 next0 read0 destroy0"), host).at.empty());
    EXPECT_TRUE(beliefs(prog("new0"), host).at.empty());
}

// A subprogram's own v starts NULL; its points are beliefs like any other.
TEST(Beliefs, SubprogramPoints) {
    EXPECT_EQ(beliefs_of("new0 call0{loop0{} next0} destroy0"), "loop0:unknown next0:NULL");
}

TEST(Beliefs, FalsifyPrefersAReachedPoint) {
    Program p = prog("new0 loop0{} loop0{read0} next0 destroy0");
    gen::Beliefs b = beliefs(p, host);
    EXPECT_EQ(shown(p, b), "loop0:unknown loop0:NULL read0:unreached next0:NULL");
    ASSERT_TRUE(gen::falsify_first(b));
    EXPECT_EQ(shown(p, b), "loop0:unknown loop0:non-NULL read0:unreached next0:NULL");
    gen::Beliefs none;
    EXPECT_FALSE(gen::falsify_first(none));
}

// emit_bpf with beliefs: the runs counter at entry and one check per
// definite belief, each ending in an atomic add to its point's counter;
// without beliefs the program is the plain one.
TEST(Beliefs, EmbeddedChecks) {
    Program p = prog("new0 loop0{} next0 guard0{read0} destroy0");
    gen::Beliefs b = beliefs(p, host);
    auto plain = gen::emit_bpf(p);
    EXPECT_EQ(gen::emit_bpf(p, nullptr), plain);
    auto with = gen::emit_bpf(p, &b);
    size_t refs = 0;
    for (const auto& m : with.maps)
        refs += m.map == gen::MapKind::beliefs;
    EXPECT_EQ(refs, 1u + gen::embedded_points(b)); // runs + next0, guard0, read0
    EXPECT_EQ(gen::embedded_points(b), 3u);
    std::string text = gen::disasm(with);
    EXPECT_NE(text.find("r1 = map[beliefs] + 8"), std::string::npos) << text;
    EXPECT_NE(text.find("r3 = -r3"), std::string::npos) << text;
    EXPECT_NE(text.find("lock *(u64 *)(r1 +8) += r2"), std::string::npos) << text;
    // next0 is point 2: its counter at point_off(2) + 8
    EXPECT_NE(text.find("r1 = map[beliefs] + " + std::to_string(gen::point_off(2))),
              std::string::npos)
        << text;
    // read0 is dead code (unreached): any run counts; no non-NULL belief here
    EXPECT_NE(text.find("r2 = 1\n"), std::string::npos) << text;
    EXPECT_EQ(text.find("r2 ^= 1"), std::string::npos) << text;
    // A non-NULL belief flips the bit: r2 ^= 1 (the loop body's read0)
    Program q = prog("new0 loop0{read0} destroy0");
    gen::Beliefs qb = beliefs(q, host);
    std::string qt = gen::disasm(gen::emit_bpf(q, &qb));
    EXPECT_NE(qt.find("r2 ^= 1"), std::string::npos) << qt;
    EXPECT_GT(with.insns.size(), plain.insns.size());
}

// Rule 46: a css (MEM_RCU) iterator may leave its loop ACTIVE, so its
// next() after the loop has no belief; task_vma's (PTR_TRUSTED) is NULL.
TEST(Beliefs, UnprovenResultsCarryNoBelief) {
    EXPECT_EQ(beliefs_of("new0 loop0{} next0 destroy0", Kind::css), "loop0:unknown next0:unknown");
    EXPECT_TRUE(beliefs(prog("new0 loop0{} next0 destroy0", Kind::dmabuf), host).at.empty())
        << "dmabuf is sleepable-only: refused in tp_btf";
    gen::Program p = prog("new0 loop0{} next0 destroy0", Kind::dmabuf);
    p.prog = gen::Prog::syscall;
    EXPECT_EQ(shown(p, beliefs(p, host)), "loop0:unknown next0:NULL");
}

} // namespace
} // namespace iterconf::model
