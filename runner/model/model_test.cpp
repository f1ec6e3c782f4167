// One test per rule of the reference model (runner/model/README.md). Each
// builds a small program from the text form of gen::Program::text() (ops
// only) and checks the verdict, the reason and the messages.
#include "model/model.hpp"

#include <cctype>
#include <gtest/gtest.h>
#include <stdexcept>

namespace iterconf::model {
namespace {

using gen::Kind;
using gen::Op;
using gen::Program;
using gen::Task;
using gen::Where;

Program prog(const std::string& ops, Task task = Task::current_btf, Kind k0 = Kind::task_vma,
             Kind k1 = Kind::task_vma) {
    Program p;
    p.task = task;
    p.kinds = {k0, k1};
    EXPECT_EQ(gen::parse_ops(ops, p.ops), "") << ops;
    EXPECT_EQ(p.validate(), "") << ops;
    return p;
}

const KernelFeatures host = KernelFeatures::from_version(6, 18, 44);
const KernelFeatures k6_12 = KernelFeatures::from_version(6, 12, 107);
const KernelFeatures k7_2 = KernelFeatures::from_version(7, 2, 13);
const KernelFeatures k7_3 = KernelFeatures::from_version(7, 3, 0);

using Msgs = std::vector<std::string>;

void expect_accept(const Program& p, const KernelFeatures& k = host) {
    Expectation e = expect(p, k);
    EXPECT_TRUE(e.accept) << p.text() << ": " << to_string(e.reason) << " at " << e.at;
    EXPECT_EQ(e.reason, Reason::none) << p.text();
    EXPECT_TRUE(e.msgs.empty()) << p.text();
    EXPECT_TRUE(e.pinned) << p.text();
}

void expect_reject(const Program& p, Reason r, const Msgs& msgs, const KernelFeatures& k = host) {
    Expectation e = expect(p, k);
    EXPECT_FALSE(e.accept) << p.text();
    EXPECT_EQ(to_string(e.reason), std::string(to_string(r))) << p.text() << " at " << e.at;
    EXPECT_EQ(e.msgs, msgs) << p.text() << " on " << k.text();
    EXPECT_TRUE(e.pinned) << p.text();
}

const std::string kLeak = "Unreleased reference id={{[0-9]+}} alloc_insn={{[0-9]+}}";
const std::string kNullDeref = "R{{[0-9]+}} invalid mem access 'scalar'";
const std::string kInitVma = "expected an initialized iter_task_vma as arg #0";
const std::string kUninitVma = "expected uninitialized iter_task_vma as arg #0";

// --- KernelFeatures ----------------------------------------------------------

TEST(Features, FromVersionDerivesFlags) {
    auto k = KernelFeatures::from_version(6, 7, 0);
    EXPECT_TRUE(k.has(Kind::task_vma));
    EXPECT_TRUE(k.has(Kind::num));
    EXPECT_FALSE(k.has(Kind::bits));
    EXPECT_FALSE(k.iter_on_stack_check);
    EXPECT_EQ(k.args, ArgWording::regno);
    EXPECT_FALSE(KernelFeatures::from_version(6, 6, 99).has(Kind::task_vma));
    EXPECT_FALSE(KernelFeatures::from_version(6, 3, 0).has(Kind::num));
    EXPECT_FALSE(KernelFeatures::from_version(6, 10, 99).has(Kind::bits));
    EXPECT_TRUE(KernelFeatures::from_version(6, 11, 0).has(Kind::bits));
    EXPECT_FALSE(KernelFeatures::from_version(6, 12, 4).iter_on_stack_check);
    EXPECT_TRUE(KernelFeatures::from_version(6, 12, 5).iter_on_stack_check);
    EXPECT_EQ(KernelFeatures::from_version(6, 12, 5).args, ArgWording::zero_index);
    EXPECT_EQ(KernelFeatures::from_version(6, 19, 0).args, ArgWording::zero_or_reg);
    EXPECT_EQ(KernelFeatures::from_version(7, 2, 0).args, ArgWording::reg);
}

TEST(Features, FromRelease) {
    KernelFeatures k;
    ASSERT_TRUE(KernelFeatures::from_release("6.18.44-fc-v657", k));
    EXPECT_EQ(k.text(), "6.18.44");
    ASSERT_TRUE(KernelFeatures::from_release("7.3.0-rc7-cloud-amd64", k));
    EXPECT_EQ(k.text(), "7.3.0");
    ASSERT_TRUE(KernelFeatures::from_release("7.3-cloud-amd64", k));
    EXPECT_EQ(k.text(), "7.3.0");
    ASSERT_TRUE(KernelFeatures::from_release("6.1", k));
    EXPECT_EQ(k.text(), "6.1.0");
    EXPECT_FALSE(KernelFeatures::from_release("linux", k));
    // The one parser (common/kver): a release needs N.N, as for __kver ranges.
    EXPECT_FALSE(KernelFeatures::from_release("6", k));
    EXPECT_EQ(KernelFeatures::from_version(*parse_release("6.12.57+deb13")).code(), 6012057u);
}

// --- rules -------------------------------------------------------------------

// Rule: a program calling kfuncs the kernel lacks is unsupported.
TEST(Rules, UnsupportedBeforeTheKfuncsExist) {
    auto old = KernelFeatures::from_version(6, 1, 0);
    Expectation e = expect(prog("new0 destroy0"), old);
    EXPECT_FALSE(e.accept);
    EXPECT_EQ(e.reason, Reason::unsupported);
    EXPECT_TRUE(e.msgs.empty());
    // num exists from 6.4, task_vma from 6.7
    auto k6_5 = KernelFeatures::from_version(6, 5, 0);
    EXPECT_EQ(expect(prog("new0 destroy0", Task::current_btf, Kind::num), k6_5).reason,
              Reason::none);
    EXPECT_EQ(expect(prog("new0 destroy0"), k6_5).reason, Reason::unsupported);
    // bpf_task_from_pid() from 6.2, called whatever the ops
    EXPECT_EQ(expect(prog("read0", Task::pid_checked), old).reason, Reason::unsupported);
    // so is bpf_cgroup_from_id() (a css kind's source, a callback's own css)
    EXPECT_EQ(expect(prog("ret", Task::current_btf, Kind::css), old).reason, Reason::unsupported);
    EXPECT_EQ(expect(prog("ret", Task::walked, Kind::css), old).reason, Reason::none);
    EXPECT_EQ(expect(prog("bpfloop0{clobber0}", Task::walked, Kind::css_task), old).reason,
              Reason::unsupported);
    EXPECT_EQ(expect(prog("ret bpfloop0{clobber0}", Task::walked, Kind::css_task), old).reason,
              Reason::none);
}

// Rule: the full protocol is accepted (new, loop with NULL-checked vma, destroy).
TEST(Rules, CorrectUseAccepted) {
    expect_accept(prog("new0 loop0{read0} destroy0"));
    expect_accept(prog("new0 loop0{read0} destroy0", Task::pid_checked));
    expect_accept(prog("new0 next0 guard0{read0} destroy0"));
    expect_accept(prog("new0 loop0{read0} destroy0", Task::current_btf, Kind::num));
    expect_accept(prog("new0 new1 loop0{loop1{read1} read0} destroy1 destroy0"));
}

// Rule: check_reference_leak() at BPF_EXIT: new() without destroy().
TEST(Rules, MissingDestroyLeaks) {
    expect_reject(prog("new0"), Reason::missing_destroy, {kLeak});
    expect_reject(prog("new0 next0"), Reason::missing_destroy, {kLeak});
    expect_reject(prog("new0 branch{destroy0}{}"), Reason::missing_destroy, {kLeak});
    expect_reject(prog("new0 loop0{ret} destroy0"), Reason::missing_destroy, {kLeak});
}

// Rule: is_iter_reg_valid_uninit(): new() on a live (active or drained) slot.
TEST(Rules, DoubleNew) {
    expect_reject(prog("new0 new0 destroy0"), Reason::double_new, {kUninitVma});
    expect_reject(prog("new0 loop0{} new0 destroy0"), Reason::double_new, {kUninitVma});
    expect_reject(prog("new0 loop0{new0} destroy0"), Reason::double_new, {kUninitVma});
}

// Rule: unmark_stack_slots_iter() leaves STACK_INVALID: new() after destroy() is legal.
TEST(Rules, NewAfterDestroyIsLegal) {
    expect_accept(prog("new0 destroy0 new0 destroy0"));
    expect_accept(prog("new0 loop0{} destroy0 new0 loop0{} destroy0"));
}

// Rule: is_iter_reg_valid_init(): next()/destroy()/loop on a slot with no iterator.
TEST(Rules, UninitIter) {
    expect_reject(prog("next0"), Reason::uninit_iter, {kInitVma});
    expect_reject(prog("destroy0"), Reason::uninit_iter, {kInitVma});
    expect_reject(prog("loop0{}"), Reason::uninit_iter, {kInitVma});
    expect_reject(prog("new0 destroy0 next0"), Reason::uninit_iter, {kInitVma});
    expect_reject(prog("new0 destroy0 destroy0"), Reason::uninit_iter, {kInitVma});
    // new() on one branch only: the else side (explored second) fails
    expect_reject(prog("branch{new0}{} destroy0"), Reason::uninit_iter, {kInitVma});
    // destroy() inside the loop: the next turn's next() fails
    expect_reject(prog("new0 loop0{destroy0} destroy0"), Reason::uninit_iter, {kInitVma});
}

// Rule: a store into an active slot is allowed but makes it a non-iterator,
// and its reference can never be released.
TEST(Rules, ClobberedIter) {
    expect_reject(prog("new0 clobber0 next0 destroy0"), Reason::clobbered_iter, {kInitVma});
    expect_reject(prog("new0 clobber0 destroy0"), Reason::clobbered_iter, {kInitVma});
    expect_reject(prog("new0 clobber0"), Reason::missing_destroy, {kLeak});
    expect_reject(prog("new0 clobber0 new0 destroy0"), Reason::missing_destroy, {kLeak});
    expect_accept(prog("clobber0 new0 destroy0 clobber0"));
}

// Rule: check_stack_read_fixed_off(): STACK_ITER bytes cannot be read.
TEST(Rules, IterRead) {
    expect_reject(prog("new0 copy0 destroy0"), Reason::iter_read,
                  {"invalid read from stack off {{-?[0-9]+}}+0 size 8"});
    // STACK_INVALID/ZERO is readable for root (allow_uninit_stack)
    expect_accept(prog("copy0 new0 destroy0 copy0"));
}

// Rule: process_iter_arg(): reg->type != PTR_TO_STACK (12659d28615d).
TEST(Rules, NotOnStack) {
    expect_reject(prog("new0@global"), Reason::not_on_stack,
                  {"arg#0 expected pointer to an iterator on stack"});
    expect_reject(prog("new0 next0@global destroy0"), Reason::not_on_stack,
                  {"arg#0 expected pointer to an iterator on stack"});
    expect_reject(prog("new1@map"), Reason::not_on_stack,
                  {"R1 expected pointer to an iterator on stack"}, k7_2);
    // before the fix: type confusion, not modelled
    Expectation e = expect(prog("new0@global"), KernelFeatures::from_version(6, 8, 0));
    EXPECT_FALSE(e.pinned);
    EXPECT_EQ(e.reason, Reason::not_on_stack);
}

// Rule: stack_slot_obj_get_spi(): off % BPF_REG_SIZE, then the uninit/init message.
TEST(Rules, Misaligned) {
    const std::string off = "cannot pass in iter at an offset={{-?[0-9]+}}";
    expect_reject(prog("new0@mis"), Reason::misaligned, {off, kUninitVma});
    expect_reject(prog("new0 next0@mis destroy0"), Reason::misaligned, {off, kInitVma});
    expect_reject(prog("new1 destroy1@mis", Task::current_btf, Kind::task_vma, Kind::num),
                  Reason::misaligned, {off, "expected an initialized iter_num as R1"}, k7_3);
}

// Rule: check_kfunc_args(): NULL task ("Possibly NULL pointer passed to trusted").
TEST(Rules, NullTask) {
    expect_reject(prog("new0 destroy0", Task::null), Reason::null_task,
                  {"Possibly NULL pointer passed to trusted arg1"});
    expect_reject(prog("new0 destroy0", Task::null), Reason::null_task,
                  {"Possibly NULL pointer passed to trusted R2"}, k7_2);
}

// Rule: the same for a KF_RET_NULL bpf_task_from_pid() result used unchecked.
TEST(Rules, MaybeNullTask) {
    expect_reject(prog("new0 destroy0", Task::pid_unchecked), Reason::maybe_null_task,
                  {"Possibly NULL pointer passed to trusted arg1"}, k6_12);
    // no task_vma new(): the task is never passed
    expect_accept(prog("new0 destroy0", Task::pid_unchecked, Kind::num));
}

// Rule: get_kfunc_ptr_arg_type(): a scalar where a struct pointer is expected.
TEST(Rules, ScalarTask) {
    auto p = prog("new0 destroy0", Task::current_scalar);
    expect_reject(p, Reason::scalar_task,
                  {"arg#1 pointer type STRUCT task_struct must point to scalar, or struct with "
                   "scalar"});
    expect_reject(
        p, Reason::scalar_task,
        {"R2 pointer type STRUCT task_struct must point to scalar, or struct with scalar"}, k7_2);
    expect_reject(p, Reason::scalar_task, {"R2 is scalar expected STRUCT task_struct"}, k7_3);
}

// Rule: KF_RCU: a walked, non-RCU task pointer ("R2 must be a rcu pointer").
TEST(Rules, UntrustedTask) {
    expect_reject(prog("new0 destroy0", Task::walked), Reason::untrusted_task,
                  {"R2 must be a rcu pointer"});
    expect_reject(prog("new0 destroy0", Task::walked), Reason::untrusted_task,
                  {"R2 must be a rcu pointer"}, k7_3);
}

// Rule: check_kfunc_args() checks arguments in order: the iterator first.
TEST(Rules, IteratorArgumentBeforeTask) {
    expect_reject(prog("new0@mis", Task::null), Reason::misaligned,
                  {"cannot pass in iter at an offset={{-?[0-9]+}}", kUninitVma});
    expect_reject(prog("new0 new0", Task::walked), Reason::untrusted_task,
                  {"R2 must be a rcu pointer"});
}

// Rule: process_iter_next_call(): the drained continuation (R0 = 0) comes
// first, so an unchecked vma is a scalar dereference; so is the initial NULL.
TEST(Rules, UncheckedVma) {
    expect_reject(prog("new0 next0 read0 destroy0"), Reason::unchecked_vma, {kNullDeref});
    expect_reject(prog("new0 next0 write0 destroy0"), Reason::unchecked_vma, {kNullDeref});
    expect_reject(prog("read0"), Reason::unchecked_vma, {kNullDeref});
    // after the loop the iterator is drained: v is NULL, next() stays NULL
    expect_reject(prog("new0 loop0{} read0 destroy0"), Reason::unchecked_vma, {kNullDeref});
    expect_reject(prog("new0 loop0{} next0 guard0{write0} read0 destroy0"), Reason::unchecked_vma,
                  {kNullDeref});
}

// Rule: a NULL check (guard, loop condition, brk out of the loop) makes it non-NULL.
TEST(Rules, CheckedVmaReadable) {
    expect_accept(prog("new0 next0 guard0{read0} destroy0"));
    expect_accept(prog("new0 loop0{read0 brk} destroy0"));
    // brk leaves v non-NULL, but the drained exit path reaches read0 with NULL
    expect_reject(prog("new0 loop0{brk} read0 destroy0"), Reason::unchecked_vma, {kNullDeref});
}

// Rule: check_ptr_to_btf_access(): tracing programs may only read a vma.
TEST(Rules, WriteVma) {
    expect_reject(prog("new0 loop0{write0} destroy0"), Reason::write_vma,
                  {"only read is supported"});
    expect_reject(prog("new0 next0 guard0{write0} destroy0"), Reason::write_vma,
                  {"only read is supported"}, k7_3);
}

// Rule: check_mem_access(): the num next() result is rdonly_mem.
TEST(Rules, WriteNum) {
    expect_reject(prog("new0 loop0{write0} destroy0", Task::current_btf, Kind::num),
                  Reason::write_num, {"R{{[0-9]+}} cannot write into rdonly_mem"});
}

// Rule: the vma is not tied to the iterator: reading it after destroy() is accepted.
TEST(Rules, VmaOutlivesIterator) {
    expect_accept(prog("new0 next0 destroy0 guard0{read0}"));
    expect_accept(prog("new0 loop0{brk} destroy0 guard0{read0}"));
}

// Rule: a num pointer carries the iterator's ref_obj_id: destroy() invalidates it.
TEST(Rules, StaleNumPointer) {
    auto p = prog("new0 next0 destroy0 guard0{read0}", Task::current_btf, Kind::num);
    expect_reject(p, Reason::stale_ptr, {kNullDeref});
    // a pointer from an iterator whose slot was clobbered is not released
    // by destroying the next iterator there: read0 passes, ret then leaks
    auto q = prog("new0 next0 guard0{clobber0 new0 destroy0 read0 ret} destroy0", Task::current_btf,
                  Kind::num);
    expect_reject(q, Reason::missing_destroy, {kLeak});
    EXPECT_EQ(expect(q, host).at, "ops[2].body[4] ret");
}

// Rule 38: a guard on a released num pointer (an unknown scalar) refines it
// on each side (regs_refine_cond_op()): non-zero in the body, 0 at the jump
// target. A second guard of the same pointer goes the way the first did.
// (The fuzz_protocol finding of 2026-11-21: the model took the second
// guard's body as live after the first fell through.)
TEST(Rules, GuardRefinesAReleasedPointer) {
    auto num = [](const std::string& ops) { return prog(ops, Task::current_btf, Kind::num); };
    expect_accept(num("new0 next0 destroy0 guard0{ret} guard0{new0}"));
    expect_accept(num("new0 call0{next0 destroy0 guard0{ret} guard0{new0}}"));
    expect_accept(num("new0 next0 destroy0 guard0{ret} guard0{read0}"));
    // In the body it is non-zero: an inner guard has no way around its body.
    expect_accept(num("new0 next0 destroy0 guard0{guard0{ret} new0}"));
    // The body's fall-through keeps it non-zero: the second body is live.
    expect_reject(num("new0 next0 destroy0 guard0{} guard0{new0}"), Reason::missing_destroy,
                  {kLeak});
    expect_reject(num("new0 next0 guard0{destroy0 guard0{} read0} destroy0"), Reason::stale_ptr,
                  {kNullDeref});
    // The NULL side: the constant 0, as an unchecked next() result.
    expect_reject(num("new0 next0 guard0{destroy0 guard0{ret} read0} destroy0"),
                  Reason::unchecked_vma, {kNullDeref});
    // The vma is never released: the same program was right before.
    expect_accept(prog("new0 next0 destroy0 guard0{ret} guard0{new0}"));
}

// Rule: exploration order: the pushed branch target (else side) comes after
// the whole fall-through (then side).
TEST(Rules, BranchThenSideFirst) {
    expect_reject(prog("new0 branch{copy0}{destroy0 destroy0} destroy0"), Reason::iter_read,
                  {"invalid read from stack off {{-?[0-9]+}}+0 size 8"});
    expect_reject(prog("new0 branch{destroy0 destroy0}{copy0} destroy0"), Reason::uninit_iter,
                  {kInitVma});
}

// Rule: exploration order: zero loop turns (and everything after the loop)
// come before the loop body.
TEST(Rules, LoopExitPathBeforeBody) {
    expect_reject(prog("new0 loop0{write0}"), Reason::missing_destroy, {kLeak});
    expect_reject(prog("new0 loop0{copy0} read0 destroy0"), Reason::unchecked_vma, {kNullDeref});
    expect_reject(prog("new0 loop0{copy0} destroy0"), Reason::iter_read,
                  {"invalid read from stack off {{-?[0-9]+}}+0 size 8"});
}

// Rule: loops converge (bpf_is_state_visited() at the iter_next insn), also
// when the body changes another iterator or re-creates the loop's own.
TEST(Rules, LoopConverges) {
    expect_accept(prog("new0 loop0{next0} destroy0"));
    expect_accept(prog("new0 new1 loop0{next1 guard1{read1}} destroy0 destroy1"));
    expect_accept(prog("new0 loop0{destroy0 new0} destroy0"));
    // a state first seen after one turn still reaches the exit path
    expect_reject(prog("new0 loop0{new1 brk} destroy0"), Reason::missing_destroy, {kLeak});
    expect_reject(prog("new0 loop0{branch{new1}{destroy1}} destroy0"), Reason::missing_destroy,
                  {kLeak});
    expect_reject(prog("new0 new1 loop0{destroy1} destroy0 destroy1"), Reason::uninit_iter,
                  {kInitVma});
}

// Rule: the argument designator follows the kernel (bd74e238ae69, argno_t).
TEST(Rules, ArgumentWordingByKernel) {
    auto p = prog("new0 new0");
    auto msg = [&](int a, int b, int c) {
        return expect(p, KernelFeatures::from_version(a, b, c)).msgs;
    };
    EXPECT_EQ(msg(6, 8, 0), Msgs{"expected uninitialized iter_task_vma as arg #1"});
    EXPECT_EQ(msg(6, 12, 4), Msgs{"expected uninitialized iter_task_vma as arg #1"});
    EXPECT_EQ(msg(6, 12, 5), Msgs{"expected uninitialized iter_task_vma as arg #0"});
    EXPECT_EQ(msg(6, 18, 44), Msgs{"expected uninitialized iter_task_vma as arg #0"});
    EXPECT_EQ(msg(7, 0, 0), Msgs{"expected uninitialized iter_task_vma as {{(arg #0|R1)}}"});
    EXPECT_EQ(msg(7, 2, 13), Msgs{"expected uninitialized iter_task_vma as R1"});
    EXPECT_EQ(msg(7, 3, 0), Msgs{"expected uninitialized iter_task_vma as R1"});
}

// The error location names the op.
TEST(Rules, ReportsWhere) {
    EXPECT_EQ(expect(prog("new0 loop0{destroy0} destroy0"), host).at, "ops[1] loop0 (next)");
    EXPECT_EQ(expect(prog("new0 branch{}{write0} destroy0"), host).at, "ops[1].orelse[0] write0");
    EXPECT_EQ(expect(prog("new0"), host).at, "exit");
    EXPECT_EQ(expect(prog("new0 loop0{}"), host).at, "exit");
}

// --- addresses outside the slot (rules 24-27) ---------------------------------

TEST(Rules, OtherSlotAliasesItsIterator) {
    // Where::other names the other slot's stack location: new() there makes
    // that location an iterator, whichever op slot said so.
    expect_accept(prog("new0@other destroy1"));
    expect_accept(prog("new0 next1@other destroy0"));
    expect_reject(prog("new0 new1@other"), Reason::double_new, {kUninitVma});
    expect_reject(prog("new0@other destroy0"), Reason::uninit_iter, {kInitVma});
}

TEST(Rules, IteratorKindIsTheSlots) {
    // is_iter_reg_valid_init() compares the slot's btf_id with the kfunc's.
    expect_reject(prog("new0@other destroy1", Task::current_btf, Kind::task_vma, Kind::num),
                  Reason::wrong_kind, {"expected an initialized iter_num as arg #0"});
    expect_reject(prog("new1 next0@other destroy1", Task::current_btf, Kind::task_vma, Kind::num),
                  Reason::wrong_kind, {kInitVma});
}

TEST(Rules, BelowTheStack) {
    const std::string oob = "invalid write to stack R1 off={{-?[0-9]+}} size=8";
    expect_reject(prog("new0@outside destroy0"), Reason::outside_frame, {oob});
    expect_reject(prog("new0 destroy0@outside"), Reason::outside_frame, {kInitVma});
    expect_reject(prog("new0@outside"), Reason::outside_frame, {oob}, k6_12);
}

TEST(Rules, AboveTheFrame) {
    const std::string off = "cannot pass in iter at an offset={{-?[0-9]+}}";
    expect_reject(prog("new0@above"), Reason::outside_frame, {off, kUninitVma});
    expect_reject(prog("new0 next0@above"), Reason::outside_frame, {off, kInitVma});
    expect_reject(prog("next0@above"), Reason::outside_frame,
                  {off, "expected an initialized iter_task_vma as R1"}, k7_2);
}

// --- static subprograms (rules 28-31) ----------------------------------------

TEST(Rules, SubprogramSharesTheCallersIterator) {
    // The callee works on the caller's slot through PTR_TO_STACK; references
    // are the program's: acquired in one frame, released in the other.
    expect_accept(prog("call0{new0} destroy0"));
    expect_accept(prog("new0 call0{destroy0}"));
    expect_accept(prog("new0 call0{loop0{read0}} destroy0"));
    expect_reject(prog("call0{new0}"), Reason::missing_destroy, {kLeak});
    expect_reject(prog("new0 call0{new0}"), Reason::double_new, {kUninitVma});
    expect_reject(prog("call0{destroy0}"), Reason::uninit_iter, {kInitVma});
    expect_reject(prog("new0 call0{copy0} destroy0"), Reason::iter_read,
                  {"invalid read from stack off {{-?[0-9]+}}+0 size 8"});
    expect_reject(prog("new0 call0{next0@mis} destroy0"), Reason::misaligned,
                  {"cannot pass in iter at an offset={{-?[0-9]+}}", kInitVma});
}

TEST(Rules, SubprogramHasItsOwnRegisters) {
    // r6/r7 are callee-saved: the callee's v starts NULL, the caller's is
    // back after the return.
    expect_reject(prog("new0 next0 guard0{call0{read0}} destroy0"), Reason::unchecked_vma,
                  {kNullDeref});
    expect_accept(prog("new0 loop0{call0{} read0} destroy0"));
    expect_accept(prog("new0 call0{ret next0} destroy0"));
}

TEST(Rules, SubprogramReleaseReachesTheCaller) {
    // release_reference() invalidates the num pointer in every frame.
    expect_reject(prog("new0 loop0{call0{destroy0 new0} read0} destroy0", Task::current_btf,
                       Kind::num, Kind::num),
                  Reason::stale_ptr, {kNullDeref});
}

TEST(Rules, SubprogramChecksTheTaskItIsPassed) {
    expect_reject(prog("call0{new0 destroy0}", Task::walked), Reason::untrusted_task,
                  {"R2 must be a rcu pointer"});
    expect_reject(prog("call0{new0 destroy0}", Task::null), Reason::null_task,
                  {"Possibly NULL pointer passed to trusted arg1"});
    expect_accept(prog("call0{new0 destroy0}", Task::pid_checked));
}

// --- bpf_loop callbacks (rules 32-35) -----------------------------------------

TEST(Rules, CallbackRunsZeroTimesFirst) {
    // push_callback_call(): the caller goes on after bpf_loop() first (the
    // callback ran zero times), the callback is explored later.
    expect_reject(prog("bpfloop0{new0} destroy0"), Reason::uninit_iter, {kInitVma});
    expect_reject(prog("new0 bpfloop0{destroy0}"), Reason::missing_destroy, {kLeak});
    expect_accept(prog("bpfloop0{new0 destroy0}"));
}

TEST(Rules, CallbackRunsAgain) {
    // Back at the callsite after each call: a destroy() in the callback
    // meets the destroyed slot the second time round or after the loop.
    expect_reject(prog("new0 bpfloop0{destroy0} destroy0"), Reason::uninit_iter, {kInitVma});
    // ... and re-creating it converges (the callsite is a checkpoint).
    expect_accept(prog("new0 bpfloop0{destroy0 new0} destroy0"));
    expect_accept(prog("new0 loop0{bpfloop0{destroy0 new0}} destroy0"));
}

TEST(Rules, CallbackUsesTheCallersIterator) {
    expect_accept(prog("new0 bpfloop0{next0 guard0{read0}} destroy0"));
    expect_reject(prog("new0 bpfloop0{next0 read0} destroy0"), Reason::unchecked_vma, {kNullDeref});
    expect_reject(prog("new0 bpfloop0{copy0} destroy0"), Reason::iter_read,
                  {"invalid read from stack off {{-?[0-9]+}}+0 size 8"});
    // A num pointer of the caller dies with a destroy() in the callback.
    expect_reject(prog("new0 next0 guard0{bpfloop0{destroy0 new0} read0} destroy0",
                       Task::current_btf, Kind::num, Kind::num),
                  Reason::stale_ptr, {kNullDeref});
}

TEST(Rules, CallbackHasItsOwnTask) {
    // The callback's task is bpf_get_current_task_btf(), whatever the main
    // program's is.
    expect_accept(prog("bpfloop0{new0 destroy0}", Task::walked));
    expect_accept(prog("bpfloop0{new0 destroy0}", Task::null));
}

TEST(Rules, CallbackReferencesByKernel) {
    // 6.18.44: a reference the callback acquired may outlive it (the leak
    // shows at the main program's exit); before kNoCallbackRef the
    // callback's BPF_EXIT checks its own references (callback_ref).
    expect_reject(prog("bpfloop0{new0}"), Reason::missing_destroy, {kLeak});
    expect_reject(prog("new0 bpfloop0{destroy0 new0} destroy0"), Reason::missing_destroy, {kLeak},
                  KernelFeatures::from_version(6, 12, 4));
    expect_accept(prog("bpfloop0{new0 destroy0}"), KernelFeatures::from_version(6, 12, 4));
    // Before 6.13 the callback cannot release the caller's reference (the
    // kernel WARNs, cases/task_vma/loop_callback.bpf.c): the num pointer is
    // not invalidated, and the callback's own new() leaks at its exit.
    expect_reject(prog("new0 next0 guard0{bpfloop0{destroy0 new0} read0} destroy0",
                       Task::current_btf, Kind::num, Kind::num),
                  Reason::missing_destroy, {kLeak}, KernelFeatures::from_version(6, 12, 107));
}

// --- bits: a third kind from the table (gen/kinds.hpp) ------------------------

// Rule: bits (6.11+) is unsupported before it exists, accepted when used
// correctly, and its next() result is read-only memory tied to the iterator,
// as num's (NextRet::ro_mem): the same rules, its own name in messages.
TEST(Bits, ARowOfTheTable) {
    auto bits = [](const std::string& ops) {
        return prog(ops, Task::current_btf, Kind::bits, Kind::bits);
    };
    EXPECT_EQ(expect(bits("new0 destroy0"), KernelFeatures::from_version(6, 10, 0)).reason,
              Reason::unsupported);
    expect_accept(bits("new0 destroy0"), KernelFeatures::from_version(6, 11, 0));
    expect_accept(bits("new0 loop0{read0} destroy0"));
    expect_accept(bits("new0 next0 guard0{read0} destroy0"), k6_12);
    expect_reject(bits("new0 loop0{write0} destroy0"), Reason::write_num,
                  {"R{{[0-9]+}} cannot write into rdonly_mem"});
    expect_reject(bits("new0 next0 guard0{destroy0 read0} destroy0"), Reason::stale_ptr,
                  {kNullDeref});
    expect_reject(bits("new0 new0"), Reason::double_new,
                  {"expected uninitialized iter_bits as arg #0"});
    expect_reject(bits("next0"), Reason::uninit_iter, {"expected an initialized iter_bits as R1"},
                  k7_2);
    // The task source does not matter: bits takes no task.
    expect_reject(prog("new0", Task::null, Kind::bits, Kind::bits), Reason::missing_destroy,
                  {kLeak});
}

// Rule: clobbering a two-slot iterator overwrites only its first slot (the
// one holding the reference); the second stays STACK_ITER, so no new() of a
// multi-slot kind fits there again (is_iter_reg_valid_uninit), while a
// one-slot kind does.
TEST(Bits, ClobberLeavesTheSecondSlot) {
    expect_reject(prog("new0 clobber0 new0", Task::current_btf, Kind::bits, Kind::bits),
                  Reason::double_new, {"expected uninitialized iter_bits as arg #0"});
    // (vma, bits): the frame's stride is 16 bytes; vma's new() at the
    // clobbered bits location (other) checks one slot only.
    expect_reject(prog("new1 clobber1 new0@other destroy0@other", Task::current_btf, Kind::task_vma,
                       Kind::bits),
                  Reason::missing_destroy, {kLeak});
    expect_reject(prog("new1 clobber1 new1", Task::current_btf, Kind::task_vma, Kind::bits),
                  Reason::double_new, {"expected uninitialized iter_bits as arg #0"});
    // A one-slot kind leaves nothing behind.
    expect_reject(prog("new0 clobber0 new0 destroy0", Task::current_btf, Kind::num, Kind::num),
                  Reason::missing_destroy, {kLeak});
}

// Rule 39: an iterator placed at any stack offset (Program::at):
// stack_slot_obj_get_spi() and the new() write's bounds check.
TEST(Rules, PlacedIterator) {
    auto at = [](const std::string& ops, int x, Kind k = Kind::num) {
        Program p = prog(ops, Task::current_btf, k, k);
        p.at = static_cast<int16_t>(x);
        EXPECT_EQ(p.validate(), "");
        return p;
    };
    const std::string off = "cannot pass in iter at an offset={{-?[0-9]+}}";
    const std::string oob = "invalid write to stack R1 off={{-?[0-9]+}} size=8";
    // every aligned offset the kind fits at is a stack slot like any other
    for (int x = -512; x <= -8; x += 8) {
        expect_accept(at("new0 next0 destroy0", x));
        if (x <= -16)
            expect_accept(at("new0 loop0{read0} destroy0", x, Kind::bits));
    }
    expect_reject(at("new0 new0", -512), Reason::double_new,
                  {"expected uninitialized iter_num as arg #0"});
    // below the stack: -ERANGE, then new()'s write fails; next() finds nothing
    expect_reject(at("new0 destroy0", -520), Reason::outside_frame, {oob});
    expect_reject(at("new0 destroy0", -520, Kind::bits), Reason::outside_frame, {oob});
    expect_reject(at("next0", -520), Reason::outside_frame,
                  {"expected an initialized iter_num as arg #0"});
    // a two-slot kind at -8 straddles the top: spi + 1 < nr_slots
    expect_reject(at("new0 destroy0", -8, Kind::bits), Reason::outside_frame,
                  {off, "expected uninitialized iter_bits as arg #0"});
    // misaligned, wherever it is
    for (int x : {-516, -508, -4, 4})
        expect_reject(at("new0 destroy0", x), Reason::misaligned,
                      {off, "expected uninitialized iter_num as arg #0"});
    // fp+8: spi -1 everywhere
    expect_reject(at("destroy0", 8), Reason::outside_frame,
                  {off, "expected an initialized iter_num as arg #0"});
    expect_reject(at("destroy0", 8), Reason::outside_frame,
                  {off, "expected an initialized iter_num as R1"}, k7_2);
    // fp+0: refused by the off >= 0 check (6.18.44 measured); before it
    // spi 0 (fp-8's slot), unpinned
    expect_reject(at("new0", 0), Reason::outside_frame,
                  {off, "expected uninitialized iter_num as arg #0"});
    expect_reject(at("new0", 0), Reason::outside_frame, {oob}, k6_12);
    // ... and fp+0 reaches fp-8's iterator (slot 1's location, frame())
    // there: measured on 6.12.117
    expect_accept(at("new1 next1@other destroy1", 0), k6_12);
    expect_reject(at("new1 next1@other destroy1", 0), Reason::outside_frame,
                  {off, "expected an initialized iter_num as arg #0"});
    expect_reject(at("new1 new0", 0), Reason::double_new,
                  {"expected uninitialized iter_num as arg #0"}, k6_12);
    // any other offset is its own location
    expect_reject(at("new1 next1@other destroy1", -264), Reason::uninit_iter,
                  {"expected an initialized iter_num as arg #0"}, k6_12);
    expect_reject(at("new0", 0), Reason::outside_frame,
                  {off, "expected uninitialized iter_num as R1"}, k7_2);
}

// --- Kinds task, css, css_task, kmem_cache, dmabuf (tp_btf) ---------------

// Rule 40: check_kfunc_call(): a KF_SLEEPABLE kfunc in a non-sleepable
// program, before any argument (the iterator's state does not matter).
TEST(Kinds, SleepableKfuncRefusedInTpBtf) {
    auto msg = [](const char* f) {
        return Msgs{std::string("program must be sleepable to call sleepable kfunc ") + f};
    };
    Program kc = prog("new0 destroy0", Task::current_btf, Kind::kmem_cache, Kind::kmem_cache);
    expect_reject(kc, Reason::sleepable_kfunc, msg("bpf_iter_kmem_cache_new"));
    expect_reject(kc, Reason::sleepable_kfunc, msg("bpf_iter_kmem_cache_new"), k7_2);
    // next() on an uninitialised slot: the sleepable check comes first
    expect_reject(prog("next0", Task::current_btf, Kind::dmabuf, Kind::dmabuf),
                  Reason::sleepable_kfunc, msg("bpf_iter_dmabuf_next"), k7_2);
    expect_reject(prog("loop0{}", Task::current_btf, Kind::dmabuf, Kind::dmabuf),
                  Reason::sleepable_kfunc, msg("bpf_iter_dmabuf_next"));
    expect_reject(prog("destroy0@outside", Task::current_btf, Kind::kmem_cache, Kind::kmem_cache),
                  Reason::sleepable_kfunc, msg("bpf_iter_kmem_cache_destroy"));
    // ops that call no kfunc are judged as for any kind
    expect_accept(prog("clobber0", Task::current_btf, Kind::dmabuf, Kind::dmabuf));
    // kmem_cache from 6.13, dmabuf from 6.16
    EXPECT_EQ(expect(kc, k6_12).reason, Reason::unsupported);
    EXPECT_EQ(expect(prog("new0", Task::current_btf, Kind::dmabuf, Kind::dmabuf),
                     KernelFeatures::from_version(6, 15, 0))
                  .reason,
              Reason::unsupported);
}

// Rule 41: check_kfunc_args(), KF_ARG_PTR_TO_ITER: css_task's allow-list
// (check_css_task_iter_allowlist()) before process_iter_arg(), whatever the
// address; next()/destroy() have no allow-list.
TEST(Kinds, CssTaskAllowList) {
    const Msgs allow = {"css_task_iter is only allowed in bpf_lsm, bpf_iter and sleepable progs"};
    auto ct = [](const char* ops, Task t = Task::current_btf) {
        return prog(ops, t, Kind::css_task, Kind::css_task);
    };
    expect_reject(ct("new0 destroy0"), Reason::prog_type, allow);
    expect_reject(ct("new0 destroy0"), Reason::prog_type, allow, k6_12);
    expect_reject(ct("new0@global"), Reason::prog_type, allow);
    expect_reject(ct("new0@mis", Task::null), Reason::prog_type, allow, k7_2);
    expect_reject(ct("next0"), Reason::uninit_iter,
                  {"expected an initialized iter_css_task as arg #0"});
}

// Rule 42: task's task__nullable (KF_TRUSTED_ARGS): NULL and trusted tasks
// pass; a PTR_MAYBE_NULL one passes the NULL check but is no PTR_TO_BTF_ID
// ("arg#1 is ptr_or_null_ ..."); an untrusted walk is "must be referenced or
// trusted" (not task_vma's KF_RCU "must be a rcu pointer").
TEST(Kinds, TaskNullableTask) {
    auto tk = [](const char* ops, Task t) { return prog(ops, t, Kind::task, Kind::task); };
    expect_accept(tk("new0 loop0{read0} destroy0", Task::null));
    expect_accept(tk("new0 loop0{read0} destroy0", Task::pid_checked));
    expect_accept(tk("new0 destroy0", Task::null), k6_12);
    expect_reject(tk("new0 destroy0", Task::pid_unchecked), Reason::maybe_null_task,
                  {"arg#1 is ptr_or_null_ expected ptr_ or socket"});
    expect_reject(tk("new0 destroy0", Task::pid_unchecked), Reason::maybe_null_task,
                  {"R2 is trusted_ptr_or_null_ expected trusted_ptr_ or socket"}, k7_2);
    expect_reject(tk("new0 destroy0", Task::pid_unchecked), Reason::maybe_null_task,
                  {"R2 must be referenced or trusted"}, k7_3);
    expect_reject(tk("new0 destroy0", Task::walked), Reason::untrusted_task,
                  {"R2 must be referenced or trusted"});
    expect_reject(tk("new0 destroy0", Task::current_scalar), Reason::scalar_task,
                  {"arg#1 pointer type STRUCT task_struct must point to scalar, or struct with "
                   "scalar"});
    // a 24-byte iterator: the protocol misuses name iter_task
    expect_reject(tk("new0 new0", Task::current_btf), Reason::double_new,
                  {"expected uninitialized iter_task as arg #0"});
    expect_reject(tk("new0 loop0{write0} destroy0", Task::current_btf), Reason::write_vma,
                  {"only read is supported"});
}

// Rule 43: css's start (KF_TRUSTED_ARGS), the css source of Program::task
// (gen/program.hpp): a NULL-checked bpf_cgroup_from_id() passes; NULL and
// unchecked are "Possibly NULL", a scalar is the pointer-type message, the
// MEM_RCU walk task->cgroups->dfl_cgrp is "must be referenced or trusted".
TEST(Kinds, CssStartMustBeTrusted) {
    auto cs = [](const char* ops, Task t) { return prog(ops, t, Kind::css, Kind::css); };
    expect_accept(cs("new0 loop0{read0} destroy0", Task::current_btf));
    expect_accept(cs("new0 loop0{read0} destroy0", Task::current_btf), k7_2);
    expect_reject(cs("new0 destroy0", Task::null), Reason::null_css,
                  {"Possibly NULL pointer passed to trusted arg1"});
    expect_reject(cs("new0 destroy0", Task::pid_unchecked), Reason::maybe_null_css,
                  {"Possibly NULL pointer passed to trusted R2"}, k7_2);
    expect_reject(cs("new0 destroy0", Task::current_scalar), Reason::scalar_css,
                  {"arg#1 pointer type STRUCT cgroup_subsys_state must point to scalar, or "
                   "struct with scalar"});
    expect_reject(cs("new0 destroy0", Task::walked), Reason::rcu_css,
                  {"R2 must be referenced or trusted"});
    // a bpf_loop callback acquires its own css; a subprogram gets the caller's
    expect_accept(cs("bpfloop0{new0 destroy0}", Task::walked));
    expect_reject(cs("call0{new0 destroy0}", Task::walked), Reason::rcu_css,
                  {"R2 must be referenced or trusted"});
}

// Rule 44: a sleepable syscall program (gen::Prog::syscall): kmem_cache and
// dmabuf kfuncs pass check_kfunc_call()'s sleepable check and css_task's
// allow-list passes (in_sleepable()), so each gets accepted programs.
TEST(Kinds, SyscallProgramHostsSleepableKinds) {
    auto sys = [](const char* ops, Kind k, Task t = Task::current_btf) {
        Program p = prog(ops, t, k, k);
        p.prog = gen::Prog::syscall;
        return p;
    };
    for (Kind k : {Kind::kmem_cache, Kind::dmabuf, Kind::css_task, Kind::num, Kind::task_vma}) {
        expect_accept(sys("new0 loop0{read0} destroy0", k));
        expect_accept(sys("new0 loop0{read0} destroy0", k), k7_2);
    }
    // the protocol rules stay: here a leak
    expect_reject(sys("new0", Kind::kmem_cache), Reason::missing_destroy, {kLeak});
    // css_task's css is still checked
    expect_reject(sys("new0 destroy0", Kind::css_task, Task::walked), Reason::rcu_css,
                  {"R2 must be referenced or trusted"});
    EXPECT_EQ(sys("new0", Kind::dmabuf).text(),
              "prog=syscall task=current_btf kinds=dmabuf | new0");
}

// Rule 45: task and css (KF_RCU_PROTECTED) in a syscall program, which has no
// RCU section: 6.18+ refuses the new() after its arguments; before, the new()
// makes PTR_UNTRUSTED slots and their first next()/destroy() is refused.
TEST(Kinds, RcuProtectedKindOutsideAnRcuSection) {
    auto sys = [](const char* ops, Kind k, Task t = Task::current_btf) {
        Program p = prog(ops, t, k, k);
        p.prog = gen::Prog::syscall;
        return p;
    };
    expect_reject(sys("new0 destroy0", Kind::task), Reason::no_rcu_cs,
                  {"kernel func bpf_iter_task_new requires RCU critical section protection"});
    expect_reject(sys("new0 destroy0", Kind::css), Reason::no_rcu_cs,
                  {"kernel func bpf_iter_css_new requires RCU critical section protection"}, k7_2);
    // the arguments first
    expect_reject(sys("new0 destroy0", Kind::css, Task::null), Reason::null_css,
                  {"Possibly NULL pointer passed to trusted arg1"});
    expect_reject(sys("new0 destroy0", Kind::task), Reason::no_rcu_cs,
                  {"expected an RCU CS when using bpf_iter_task_destroy"}, k6_12);
    expect_reject(sys("new0 loop0{} destroy0", Kind::css), Reason::no_rcu_cs,
                  {"expected an RCU CS when using bpf_iter_css_next"}, k6_12);
    // a leak is still a leak
    expect_reject(sys("new0", Kind::task), Reason::missing_destroy, {kLeak}, k6_12);
    // in tp_btf (an implicit RCU section) the same programs are fine
    expect_accept(prog("new0 loop0{} destroy0", Task::current_btf, Kind::css, Kind::css), k6_12);
}

// Rule 46: a next() result the verifier cannot prove non-NULL (MEM_RCU:
// task, css; any struct pointer before kNextTrusted, 6.12) is not NULL by
// type yet not reg_not_null(): the loop's NULL test also exits with the
// iterator ACTIVE, and a guard explores both sides without refining it.
// So after `loop0{}` a css next0 may be a pointer, and the guard's write is
// reached; task_vma's PTR_TRUSTED result drains first and for good.
TEST(Rules, UnprovenResultTakesTheLoopExitActive) {
    const std::string write = "only read is supported";
    expect_reject(prog("new0 loop0{} next0 guard0{write0} destroy0", Task::current_btf, Kind::css),
                  Reason::write_vma, {write});
    expect_reject(prog("new0 loop0{} next0 guard0{write0} destroy0", Task::current_btf, Kind::task),
                  Reason::write_vma, {write});
    expect_accept(prog("new0 loop0{} next0 guard0{write0} destroy0"));
    expect_reject(prog("new0 loop0{} next0 guard0{write0} destroy0"), Reason::write_vma, {write},
                  KernelFeatures::from_version(6, 11, 0));
    // A guard on it: both sides, the pointer kept (a read after it is fine).
    expect_accept(prog("new0 loop0{guard0{} read0} destroy0", Task::current_btf, Kind::css));
}

} // namespace
} // namespace iterconf::model

TEST(ModelDeadCode, KfuncsAfterReturnAreNotCalled) {
    // emit_bpf drops code after ret/brk (and after a branch whose arms both
    // end in one): a program whose only task_vma call is dead calls no
    // task_vma kfunc, so it is not unsupported on a kernel without them
    // (seen on Debian 6.1: `ret new0` is accepted).
    using iterconf::gen::Op;
    iterconf::gen::Program p;
    Op ret;
    ret.code = Op::Code::ret;
    Op nw;
    nw.code = Op::Code::new_;
    p.ops = {ret, nw};
    auto e = iterconf::model::expect(p, iterconf::model::KernelFeatures::from_version(6, 1, 192));
    EXPECT_TRUE(e.accept);
    EXPECT_EQ(e.reason, iterconf::model::Reason::none);
    Op br;
    br.code = Op::Code::branch;
    br.body = {ret};
    br.orelse = {ret};
    p.ops = {br, nw};
    e = iterconf::model::expect(p, iterconf::model::KernelFeatures::from_version(6, 1, 192));
    EXPECT_EQ(e.reason, iterconf::model::Reason::none);
    p.ops = {nw, ret};
    e = iterconf::model::expect(p, iterconf::model::KernelFeatures::from_version(6, 1, 192));
    EXPECT_EQ(e.reason, iterconf::model::Reason::unsupported);
}
