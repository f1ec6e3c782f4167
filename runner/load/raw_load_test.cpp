// Host tests: raw programs from gen::emit_bpf loaded (verified only, never
// attached) on the running kernel. Skipped, with the reason, when bpf() is
// not permitted or the kernel lacks what a test needs.
#include "gen/random.hpp"
#include "load/raw_load.hpp"

#include <gtest/gtest.h>
#include <optional>
#include <random>

namespace iterconf::load {
namespace {

using gen::Kind;
using gen::Op;
using gen::Program;
using gen::Task;
using gen::Where;
using C = Op::Code;
using record::Verdict;

Op mk(C code, uint8_t slot = 0, std::vector<Op> body = {}) {
    Op o;
    o.code = code;
    o.slot = slot;
    o.body = std::move(body);
    return o;
}

Op at(C code, uint8_t slot, Where w) {
    Op o = mk(code, slot);
    o.where = w;
    return o;
}

Program prog(Task t, std::vector<Op> ops, Kind k0 = Kind::task_vma, Kind k1 = Kind::task_vma) {
    Program p;
    p.task = t;
    p.kinds = {k0, k1};
    p.ops = std::move(ops);
    return p;
}

class RawLoad : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        auto l = RawLoader::open();
        if (!l) {
            s_skip = l.error().message();
            return;
        }
        // Maps can be created where programs cannot be loaded: probe with
        // `r0 = 0; exit` (after the prologue) of the same type.
        auto out = l->load(gen::emit_bpf(prog(Task::null, {})));
        if (out.result.verdict != Verdict::accept) {
            s_skip = "cannot load a trivial tp_btf/sys_enter program: " + out.result.message;
            return;
        }
        s_loader.emplace(std::move(*l));
    }
    void SetUp() override {
        if (!s_skip.empty())
            GTEST_SKIP() << s_skip;
    }
    // Skips when the kernel lacks a kfunc the program calls.
    RawOutcome load(const Program& p) {
        auto b = gen::emit_bpf(p);
        RawOutcome out = s_loader->load(b);
        m_last = p.text() + "\n" + gen::disasm(b) + "--- verifier log (" +
                 std::string(to_string(out.result.verdict)) + ": " + out.result.message +
                 ") ---\n" + out.log;
        return out;
    }
    // The verifier log and the program, printed when an expectation fails.
    const std::string& context() const { return m_last; }

    static inline std::string s_skip;
    static inline std::optional<RawLoader> s_loader;
    std::string m_last;
};

#define SKIP_IF_UNSUPPORTED(out)                                                                   \
    do {                                                                                           \
        if ((out).result.verdict == Verdict::unsupported)                                          \
            GTEST_SKIP() << "kernel lacks what the program needs: " << (out).result.message;       \
    } while (0)

#define EXPECT_ACCEPT(out)                                                                         \
    do {                                                                                           \
        SKIP_IF_UNSUPPORTED(out);                                                                  \
        EXPECT_EQ(to_string((out).result.verdict), std::string("accept")) << context();            \
        EXPECT_GT((out).insns_processed, 0) << context();                                          \
    } while (0)

#define EXPECT_REJECT(out, text)                                                                   \
    do {                                                                                           \
        SKIP_IF_UNSUPPORTED(out);                                                                  \
        EXPECT_EQ(to_string((out).result.verdict), std::string("reject")) << context();            \
        EXPECT_NE((out).log.find(text), std::string::npos) << "log lacks '" << (text) << "'\n"     \
                                                           << context();                           \
    } while (0)

TEST_F(RawLoad, CorrectLoopIsAccepted) {
    auto out =
        load(prog(Task::current_btf, {mk(C::new_), mk(C::loop, 0, {mk(C::read)}), mk(C::destroy)}));
    EXPECT_ACCEPT(out);
    EXPECT_TRUE(out.result.message.empty()) << context();
    EXPECT_TRUE(out.missing_kfuncs.empty());
}

TEST_F(RawLoad, SubprogramAndCallbackLoadWithProgramBtf) {
    // A static subprogram and a bpf_loop callback working on the caller's
    // iterator: the callback needs program BTF with func_info.
    auto sub =
        load(prog(Task::current_btf,
                  {mk(C::new_), mk(C::call, 0, {mk(C::loop, 0, {mk(C::read)})}), mk(C::destroy)}));
    EXPECT_ACCEPT(sub);
    auto cb =
        load(prog(Task::current_btf,
                  {mk(C::new_), mk(C::bpfloop, 0, {mk(C::next), mk(C::guard, 0, {mk(C::read)})}),
                   mk(C::destroy)}));
    EXPECT_ACCEPT(cb);
    EXPECT_EQ(cb.log.find("func_info"), std::string::npos) << context();
}

TEST_F(RawLoad, MissingDestroyLeaksAReference) {
    auto out = load(prog(Task::current_btf, {mk(C::new_), mk(C::loop, 0, {mk(C::read)})}));
    EXPECT_REJECT(out, "Unreleased reference");
    EXPECT_NE(out.result.message.find("Unreleased reference"), std::string::npos) << context();
}

TEST_F(RawLoad, NextWithoutNew) {
    auto out = load(prog(Task::current_btf, {mk(C::next), mk(C::destroy)}));
    EXPECT_REJECT(out, "expected an initialized iter_task_vma");
}

TEST_F(RawLoad, ScalarTaskIsRejected) {
    auto out = load(prog(Task::current_scalar, {mk(C::new_), mk(C::destroy)}));
    // A scalar where new() takes a struct task_struct pointer; on 6.18:
    // "arg#1 pointer type STRUCT task_struct must point to scalar, or struct
    // with scalar".
    EXPECT_REJECT(out, "task_struct");
}

TEST_F(RawLoad, WalkedTaskIsRejected) {
    auto out = load(prog(Task::walked, {mk(C::new_), mk(C::destroy)}));
    EXPECT_REJECT(out, "R2 must be");
}

TEST_F(RawLoad, NullTaskIsRejected) {
    auto out = load(prog(Task::null, {mk(C::new_), mk(C::destroy)}));
    EXPECT_REJECT(out, "Possibly NULL pointer passed to trusted arg");
}

TEST_F(RawLoad, UncheckedPidTaskIsRejected) {
    auto out = load(prog(Task::pid_unchecked, {mk(C::new_), mk(C::destroy)}));
    EXPECT_REJECT(out, "Possibly NULL pointer passed to trusted arg");
}

TEST_F(RawLoad, NumIteratorsInBothSlots) {
    auto out = load(
        prog(Task::current_btf,
             {mk(C::new_, 0), mk(C::new_, 1), mk(C::loop, 0, {mk(C::read, 0)}),
              mk(C::loop, 1, {mk(C::read, 1), mk(C::brk)}), mk(C::destroy, 0), mk(C::destroy, 1)},
             Kind::num, Kind::num));
    EXPECT_ACCEPT(out);
}

TEST_F(RawLoad, MixedKindsNested) {
    auto out = load(prog(Task::current_btf,
                         {mk(C::new_, 0), mk(C::new_, 1),
                          mk(C::loop, 0, {mk(C::guard, 1, {mk(C::read, 1)}), mk(C::read, 0)}),
                          mk(C::destroy, 1), mk(C::destroy, 0)},
                         Kind::task_vma, Kind::num));
    EXPECT_ACCEPT(out);
}

TEST_F(RawLoad, MisalignedNewIsRejected) {
    auto out = load(prog(Task::current_btf, {at(C::new_, 0, Where::misaligned), mk(C::destroy)}));
    EXPECT_REJECT(out, "cannot pass in iter at an offset=-4");
}

TEST_F(RawLoad, GlobalIteratorIsRejected) {
    auto out = load(
        prog(Task::current_btf, {at(C::new_, 0, Where::global), at(C::destroy, 0, Where::global)}));
    EXPECT_REJECT(out, "expected pointer to an iterator on stack");
}

TEST_F(RawLoad, MapValueIteratorIsRejected) {
    auto out = load(prog(Task::current_btf,
                         {at(C::new_, 1, Where::map_value), at(C::destroy, 1, Where::map_value)}));
    EXPECT_REJECT(out, "expected pointer to an iterator on stack");
}

TEST_F(RawLoad, WriteToVmaIsRejected) {
    auto out = load(
        prog(Task::current_btf, {mk(C::new_), mk(C::loop, 0, {mk(C::write)}), mk(C::destroy)}));
    EXPECT_REJECT(out, "only read is supported");
    // num: next() returns read-only memory.
    out = load(prog(Task::current_btf,
                    {mk(C::new_), mk(C::loop, 0, {mk(C::write)}), mk(C::destroy)}, Kind::num));
    EXPECT_REJECT(out, "cannot write into rdonly_mem");
}

TEST_F(RawLoad, PidCheckedWithReleaseIsAccepted) {
    auto out = load(prog(Task::pid_checked,
                         {mk(C::new_), mk(C::loop, 0, {mk(C::read)}), mk(C::ret), mk(C::destroy)}));
    // `ret` leaves before destroy: the iterator leaks, the task does not.
    EXPECT_REJECT(out, "Unreleased reference");
    out = load(prog(Task::pid_checked,
                    {mk(C::new_), mk(C::loop, 0, {mk(C::read)}), mk(C::destroy), mk(C::ret)}));
    EXPECT_ACCEPT(out);
}

TEST_F(RawLoad, UnknownKfuncIsUnsupported) {
    auto b = gen::emit_bpf(prog(Task::current_btf, {mk(C::new_), mk(C::destroy)}));
    b.kfuncs[0].name = "bpf_iter_no_such_thing_new";
    auto out = s_loader->load(b);
    EXPECT_EQ(out.result.verdict, Verdict::unsupported);
    EXPECT_EQ(out.result.message, "kfunc bpf_iter_no_such_thing_new missing from kernel BTF");
    EXPECT_EQ(out.missing_kfuncs, std::vector<std::string>{"bpf_iter_no_such_thing_new"});
    EXPECT_TRUE(out.log.empty());
    auto r = s_loader->relocate(b);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().what.find("bpf_iter_no_such_thing_new"), std::string::npos);
}

TEST_F(RawLoad, UnknownFieldIsUnsupported) {
    auto b = gen::emit_bpf(prog(Task::walked, {}));
    ASSERT_EQ(b.fields.size(), 1u);
    b.fields[0].field = "task_struct.no_such_member";
    auto out = s_loader->load(b);
    EXPECT_EQ(out.result.verdict, Verdict::unsupported);
    EXPECT_EQ(out.result.message, "field task_struct.no_such_member missing from kernel BTF");
}

TEST_F(RawLoad, RelocationsAreResolved) {
    auto b = gen::emit_bpf(
        prog(Task::walked, {mk(C::loop, 0, {mk(C::read)}), at(C::next, 1, Where::global),
                            at(C::next, 1, Where::map_value)}));
    auto r = s_loader->relocate(b);
    ASSERT_TRUE(r.ok()) << r.error().message();
    const auto& in = *r;
    for (const auto& k : b.kfuncs)
        EXPECT_GT(in[k.insn].imm, 0) << k.name;
    for (const auto& m : b.maps)
        EXPECT_GE(in[m.insn].imm, 0);
    EXPECT_NE(in[b.maps[0].insn].imm, in[b.maps[1].insn].imm);
    ASSERT_EQ(b.fields.size(), 2u);
    EXPECT_GT(in[b.fields[0].insn].off, 0) << "task_struct.last_wakee";
    // vm_start sits in an anonymous union/struct at the start of
    // vm_area_struct (6.x): offset 0, found through the anonymous members.
    EXPECT_EQ(in[b.fields[1].insn].off, 0) << "vm_area_struct.vm_start";
    // Everything else is as emitted.
    for (size_t i = 0; i < in.size(); i++)
        EXPECT_EQ(in[i].code, b.insns[i].code);
}

// Whatever the verifier thinks of a program, it must never be the shape of
// the bytecode it objects to: those messages would be emitter bugs.
TEST_F(RawLoad, RandomProgramsHaveNoStructuralErrors) {
    const char* structural[] = {
        "unreachable insn",         "jump out of range", "back-edge", "invalid BPF_LD_IMM",
        "unknown opcode",           "invalid insn",      "!read_ok",  "invalid func",
        "last insn is not an exit", "func_info"};
    std::mt19937 rng(20240601);
    for (int i = 0; i < 500; i++) {
        Program p = prog(static_cast<Task>(rng() % 6), gen::random_ops(rng, {.mostly_slot = true}),
                         static_cast<Kind>(rng() % 2), static_cast<Kind>(rng() % 2));
        ASSERT_EQ(p.validate(), "");
        auto out = load(p);
        SKIP_IF_UNSUPPORTED(out);
        ASSERT_TRUE(out.result.verdict == Verdict::accept || out.result.verdict == Verdict::reject)
            << context();
        for (const char* s : structural)
            ASSERT_EQ(out.log.find(s), std::string::npos) << context();
    }
}

// Model rule 46 on the real verifier: a css (MEM_RCU) next() result is not
// provably non-NULL, so the loop's NULL test also exits with the iterator
// ACTIVE, the next0 after it may be a pointer and the guard's write is
// reached; task_vma's PTR_TRUSTED result leaves the loop only DRAINED and
// the same guard's body is dead code.
TEST_F(RawLoad, UnprovenResultTakesTheLoopExitActive) {
    std::vector<Op> ops;
    ASSERT_EQ(gen::parse_ops("new0 loop0{} next0 guard0{write0} destroy0", ops), "");
    auto css = load(prog(Task::current_btf, ops, Kind::css, Kind::css));
    EXPECT_REJECT(css, "only read is supported");
    auto vma = load(prog(Task::current_btf, ops));
    EXPECT_ACCEPT(vma);
}

} // namespace
} // namespace iterconf::load
