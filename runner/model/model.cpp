#include "model/model.hpp"

#include "gen/beliefs.hpp"
#include "model/versions.hpp"

#include <array>
#include <cstdio>
#include <optional>
#include <set>
#include <tuple>
#include <unordered_map>
#include <utility>

namespace iterconf::model {

using gen::Op;
using gen::Task;
using gen::Where;

namespace {

constexpr uint32_t kForever = UINT32_MAX;

// ---------------------------------------------------------------------------
// The message table: every verifier line the model predicts, by kernel
// version range [from, until). "%k" is the iterator kind's name (gen/kinds.hpp).
// Text outside {{ }} is literal; inside it is POSIX ERE (contract 1).
// Ground truth: the corpus logs of 6.12.95, 6.12.107, 6.18.44 (host),
// 7.2.13 and 7.3-rc7, plus host/QEMU experiments (README.md).
// ---------------------------------------------------------------------------
enum class Msg : uint8_t {
    not_on_stack,
    bad_offset,
    stack_oob_write,
    expected_uninit,
    expected_init,
    null_task,
    rcu_task,
    scalar_task,
    leak,
    null_deref,
    write_btf,
    write_rdonly,
    stack_read,
    sleepable,
    css_task_allow,
    not_trusted,
    scalar_css,
    null_or_ptr,
    rcu_required,
    rcu_cs,
};

struct MsgRow {
    Msg msg;
    uint32_t from, until;
    const char* text;
};

// clang-format off
const MsgRow kMessages[] = {
    // process_iter_arg(): "%s expected pointer to an iterator on stack".
    // Added by 12659d28615d (6.13, 6.12.5) with a 0-based arg#; before it
    // the check did not exist (no row: unpinned).
    {Msg::not_on_stack, kZeroIndex, kRegNameUnsure, "arg#0 expected pointer to an iterator on stack"},
    {Msg::not_on_stack, kRegNameUnsure, kRegName, "{{(arg#0|R1)}} expected pointer to an iterator on stack"},
    {Msg::not_on_stack, kRegName, kForever, "R1 expected pointer to an iterator on stack"},

    // stack_slot_obj_get_spi(): "cannot pass in %s at an offset=%d"
    // (same text 6.12 .. 7.3; the offset depends on the frame layout).
    {Msg::bad_offset, 0, kForever, "cannot pass in iter at an offset={{-?[0-9]+}}"},

    // check_stack_access_within_bounds(), from process_iter_arg()'s
    // check_mem_access(BPF_WRITE) of a new() iterator below the stack:
    // "invalid write to stack R%d off=%d size=%d".
    {Msg::stack_oob_write, 0, kForever, "invalid write to stack R1 off={{-?[0-9]+}} size=8"},

    // process_iter_arg(): "expected uninitialized iter_%s as arg #%d" with
    // regno before bd74e238ae69 (6.13, 6.12.5), regno - 1 after it, and
    // reg_arg_name() ("R1") in the argno_t rework (7.2.13 has it, 6.18 not).
    {Msg::expected_uninit, 0, kZeroIndex, "expected uninitialized iter_%k as arg #1"},
    {Msg::expected_uninit, kZeroIndex, kRegNameUnsure, "expected uninitialized iter_%k as arg #0"},
    {Msg::expected_uninit, kRegNameUnsure, kRegName, "expected uninitialized iter_%k as {{(arg #0|R1)}}"},
    {Msg::expected_uninit, kRegName, kForever, "expected uninitialized iter_%k as R1"},

    // process_iter_arg() after is_iter_reg_valid_init() == -EINVAL.
    {Msg::expected_init, 0, kZeroIndex, "expected an initialized iter_%k as arg #1"},
    {Msg::expected_init, kZeroIndex, kRegNameUnsure, "expected an initialized iter_%k as arg #0"},
    {Msg::expected_init, kRegNameUnsure, kRegName, "expected an initialized iter_%k as {{(arg #0|R1)}}"},
    {Msg::expected_init, kRegName, kForever, "expected an initialized iter_%k as R1"},

    // check_kfunc_args(): "Possibly NULL pointer passed to trusted arg%d"
    // (0-based arg index on every 6.x) -> "... trusted %s" (R2) with argno_t.
    {Msg::null_task, 0, kRegNameUnsure, "Possibly NULL pointer passed to trusted arg1"},
    {Msg::null_task, kRegNameUnsure, kRegName, "Possibly NULL pointer passed to trusted {{(arg1|R2)}}"},
    {Msg::null_task, kRegName, kForever, "Possibly NULL pointer passed to trusted R2"},

    // check_kfunc_args(), KF_ARG_PTR_TO_BTF_ID with KF_RCU: "R%d must be a
    // rcu pointer" (unchanged 6.12 .. 7.3).
    {Msg::rcu_task, 0, kForever, "R2 must be a rcu pointer"},

    // get_kfunc_ptr_arg_type(): "arg#%d pointer type %s %s must point to
    // %sscalar, or struct with scalar"; "R2 pointer type ..." on 7.2.13;
    // 7.3-rc7 rewords it as "%s is %s expected %s %s".
    {Msg::scalar_task, 0, kRegNameUnsure, "arg#1 pointer type STRUCT task_struct must point to scalar, or struct with scalar"},
    {Msg::scalar_task, kRegNameUnsure, kRegName, "{{(arg#1|R2)}} pointer type STRUCT task_struct must point to scalar, or struct with scalar"},
    {Msg::scalar_task, kRegName, kIsScalar, "R2 pointer type STRUCT task_struct must point to scalar, or struct with scalar"},
    {Msg::scalar_task, kIsScalar, kForever, "R2 is scalar expected STRUCT task_struct"},

    // check_reference_leak(): "Unreleased reference id=%d alloc_insn=%d"
    // (every kernel; newer ones add a "... would lead to reference leak"
    // line from check_resource_leak(), not predicted: 6.12.y lacks it).
    {Msg::leak, 0, kForever, "Unreleased reference id={{[0-9]+}} alloc_insn={{[0-9]+}}"},

    // check_mem_access(), default branch: "R%d invalid mem access '%s'" on a
    // scalar (the drained next() result is the constant 0).
    {Msg::null_deref, 0, kForever, "R{{[0-9]+}} invalid mem access 'scalar'"},

    // check_ptr_to_btf_access(): no btf_struct_access for tracing programs.
    {Msg::write_btf, 0, kForever, "only read is supported"},

    // check_mem_access(), PTR_TO_MEM | MEM_RDONLY: "R%d cannot write into %s".
    {Msg::write_rdonly, 0, kForever, "R{{[0-9]+}} cannot write into rdonly_mem"},

    // check_stack_read_fixed_off(): STACK_ITER bytes are never readable.
    {Msg::stack_read, 0, kForever, "invalid read from stack off {{-?[0-9]+}}+0 size 8"},

    // check_kfunc_call(): "program must be sleepable to call sleepable kfunc
    // %s", before the arguments (%f: the kfunc called).
    {Msg::sleepable, 0, kForever, "program must be sleepable to call sleepable kfunc %f"},

    // check_kfunc_args(), KF_ARG_PTR_TO_ITER of bpf_iter_css_task_new, before
    // process_iter_arg(): check_css_task_iter_allowlist() (3091b667498b, 6.7).
    {Msg::css_task_allow, 0, kForever, "css_task_iter is only allowed in bpf_lsm, bpf_iter and sleepable progs"},

    // check_kfunc_args(), KF_ARG_PTR_TO_BTF_ID of a KF_TRUSTED_ARGS kfunc
    // (trusted by default from 7.0): "R%d must be referenced or trusted".
    {Msg::not_trusted, 0, kForever, "R2 must be referenced or trusted"},

    // check_kfunc_args(), KF_ARG_PTR_TO_BTF_ID: a PTR_MAYBE_NULL pointer that
    // the __nullable suffix let past the NULL check (bpf_type_has_unsafe_modifiers):
    // "arg#%d is %s expected %s or socket" (6.12.117, 6.18.44); 7.2.13 names
    // R2 and prints bpf_task_from_pid()'s result as trusted_ptr_or_null_
    // (PTR_TRUSTED kept: BPF_REG_TRUSTED_MODIFIERS); 6.19 .. 7.1 unseen.
    {Msg::null_or_ptr, 0, kRegNameUnsure, "arg#1 is ptr_or_null_ expected ptr_ or socket"},
    {Msg::null_or_ptr, kRegNameUnsure, kRegName, "{{(arg#1|R2)}} is {{(trusted_)?}}ptr_or_null_ expected {{(trusted_)?}}ptr_ or socket"},
    {Msg::null_or_ptr, kRegName, kMaybeNullNotTrusted, "R2 is trusted_ptr_or_null_ expected trusted_ptr_ or socket"},
    // 7.3-rc7 (seen in debian-7.3): the trust check words it.
    {Msg::null_or_ptr, kMaybeNullNotTrusted, kForever, "R2 must be referenced or trusted"},

    // check_kfunc_call() after the arguments (kRcuAtNew, 6.18+): a
    // KF_RCU_PROTECTED kfunc outside an RCU section.
    {Msg::rcu_required, kRcuAtNew, kForever, "kernel func %f requires RCU critical section protection"},
    // process_iter_arg(): is_iter_reg_valid_init() == -EPROTO, the slots
    // PTR_UNTRUSTED (a new() outside an RCU section, before kRcuAtNew).
    {Msg::rcu_cs, 0, kForever, "expected an RCU CS when using %f"},

    // get_kfunc_ptr_arg_type() on a SCALAR_VALUE css (as scalar_task).
    {Msg::scalar_css, 0, kRegNameUnsure, "arg#1 pointer type STRUCT cgroup_subsys_state must point to scalar, or struct with scalar"},
    {Msg::scalar_css, kRegNameUnsure, kRegName, "{{(arg#1|R2)}} pointer type STRUCT cgroup_subsys_state must point to scalar, or struct with scalar"},
    {Msg::scalar_css, kRegName, kIsScalar, "R2 pointer type STRUCT cgroup_subsys_state must point to scalar, or struct with scalar"},
    {Msg::scalar_css, kIsScalar, kForever, "R2 is scalar expected STRUCT cgroup_subsys_state"},
};
// clang-format on

// The pattern of `m` on kernel `v`, nullptr when the model has none.
const char* message(Msg m, uint32_t v) {
    for (const auto& row : kMessages)
        if (row.msg == m && row.from <= v && v < row.until)
            return row.text;
    return nullptr;
}

// ---------------------------------------------------------------------------
// Abstract state
// ---------------------------------------------------------------------------

// A stack slot as the verifier sees it (STACK_ITER with iter.state, or not
// an iterator). destroyed and clobbered are "not an iterator" too; they only
// pick the reason code.
enum class Slot : uint8_t { uninit, active, drained, destroyed, clobbered };

// v[slot] (r6/r7): NULL (the constant 0 scalar: never assigned, the drained
// next() result, or a released pointer on the NULL side of a guard), a
// non-NULL pointer from next(), an unknown scalar (a num pointer whose
// reference destroy() released: mark_reg_invalid() makes it unknown when
// allow_ptr_leaks, i.e. for root), or such a scalar known to be non-zero (in
// the body of a guard on it: regs_refine_cond_op(), BPF_JNE against 0),
// or a struct pointer from next() that is not PTR_TRUSTED (MEM_RCU: task,
// css; any kind before kNextTrusted): not NULL in the verifier's type
// (mark_ptr_not_null_reg() cleared PTR_MAYBE_NULL) yet not reg_not_null(),
// so a test against 0 explores both sides and refines neither (rule 46).
enum class Val : uint8_t { null, ptr, stale, nonzero, rcu };

bool live(Slot s) {
    return s == Slot::active || s == Slot::drained;
}

// The main program's two slots are stack locations 0 and 1; an op on slot s
// uses location s, or 1 - s with Where::other, and inside a subprogram the
// caller's location s through the pointer argument.
struct State {
    std::array<Slot, 2> slot{Slot::uninit, Slot::uninit}; // by location
    std::array<gen::Kind, 2> held{gen::k_default_kind,
                                  gen::k_default_kind}; // the live iterator's kind
    // A multi-slot iterator was clobbered here: its first slot is overwritten,
    // the others are still STACK_ITER (no new() of a multi-slot kind fits).
    std::array<bool, 2> residue{false, false};
    // The iterator at each location was made outside an RCU section: its
    // slots are PTR_UNTRUSTED (mark_stack_slots_iter(), before kRcuAtNew).
    std::array<bool, 2> untrusted{false, false};
    std::array<Val, 2> v{Val::null, Val::null};
    // v[s] is a num pointer carrying the ref_obj_id of the iterator now at
    // location tie[s] (-1: none).
    std::array<int8_t, 2> tie{-1, -1};
    // A reference whose slot was overwritten: it can never be released.
    bool orphan = false;
    // Inside a subprogram: the caller's v/tie, restored at its return (r6/r7
    // are callee-saved), but still released by a destroy() in the callee.
    bool in_call = false;
    std::array<Val, 2> cv{Val::null, Val::null};
    std::array<int8_t, 2> ctie{-1, -1};
    // Inside a bpf_loop callback: its task is bpf_get_current_task_btf();
    // which locations' iterators (and whether an orphaned reference) it
    // acquired itself (for kernels that check leaks at the callback's exit).
    bool in_cb = false;
    std::array<bool, 2> cb_ref{false, false};
    bool cb_orphan = false;

    auto key() const {
        // The verifier's view: destroyed/clobbered slots are just not iterators.
        auto norm = [](Slot s) {
            return s == Slot::destroyed || s == Slot::clobbered ? Slot::uninit : s;
        };
        auto kind = [&](int l) { return live(slot[l]) ? held[l] : gen::k_default_kind; };
        return std::make_tuple(norm(slot[0]), norm(slot[1]), kind(0), kind(1), residue[0],
                               residue[1], untrusted[0] && live(slot[0]),
                               untrusted[1] && live(slot[1]), v[0], v[1], tie[0], tie[1], orphan,
                               in_call, cv[0], cv[1], ctie[0], ctie[1], in_cb,
                               cb_ref[0] && live(slot[0]), cb_ref[1] && live(slot[1]), cb_orphan);
    }

    // release_reference(): every register holding the iterator's ref_obj_id,
    // in every frame, becomes an unknown scalar.
    void release(int loc) {
        for (int s = 0; s < 2; s++) {
            if (tie[s] == loc) {
                v[s] = Val::stale;
                tie[s] = -1;
            }
            if (ctie[s] == loc) {
                cv[s] = Val::stale;
                ctie[s] = -1;
            }
        }
    }
    // The slot at loc stops being an iterator without a release: pointers
    // tied to it keep their (now unreleasable) reference and stay valid.
    void untie(int loc) {
        for (int s = 0; s < 2; s++) {
            if (tie[s] == loc)
                tie[s] = -1;
            if (ctie[s] == loc)
                ctie[s] = -1;
        }
    }
};

// A continuation: the op sequences being executed, innermost last.
// A body being walked. Its place in the program ("ops[2].body") is not kept
// as text: the frames below it say it (path_of()), and the walk copies
// continuations at every fork, so text would be copied with them.
struct Frame {
    const std::vector<Op>* ops;
    size_t idx;
    const Op* loop;          // the loop whose body this is, else nullptr
    const char* part;        // "ops" for the program, ".body" or ".orelse"
    size_t parent_idx;       // the op of the frame below whose body this is
    const Op* sub = nullptr; // the call/bpfloop whose body this is: its end returns
};
using Cont = std::vector<Frame>;

std::string label(const Op& o) {
    std::string s = gen::to_string(o.code);
    if (o.code != Op::Code::branch && o.code != Op::Code::brk && o.code != Op::Code::ret)
        s += std::to_string(o.slot);
    return s + gen::to_string(o.where);
}

// "ops", "ops[2].body", ...: the place of frame `depth` of k.
std::string path_of(const Cont& k, size_t depth) {
    if (depth == 0)
        return k[0].part;
    return path_of(k, depth - 1) + "[" + std::to_string(k[depth].parent_idx) + "]" + k[depth].part;
}

// "ops[1].body[0] write0": the op k.back() is at.
std::string here(const Cont& k) {
    const Frame& f = k.back();
    return path_of(k, k.size() - 1) + "[" + std::to_string(f.idx) + "] " + label((*f.ops)[f.idx]);
}

// The body of the op k.back() is at, as a frame to push.
Frame body_of(const Cont& k, const std::vector<Op>& ops, const char* part, const Op* loop = nullptr,
              const Op* sub = nullptr) {
    return {&ops, 0, loop, part, k.back().idx, sub};
}

// Where an error fires (Expectation::at): the op k.back() is at and a
// suffix, made into text only when there is an error (the walk passes one
// for every op); or a text made beforehand.
class At {
  public:
    At(const Cont& k, const char* suffix = "") : m_k(&k), m_suffix(suffix) {}
    At(std::string text) : m_text(std::move(text)) {}
    At(const char* text) : m_text(text) {}
    std::string str() const { return m_k ? here(*m_k) + m_suffix : m_text; }

  private:
    const Cont* m_k = nullptr;
    const char* m_suffix = "";
    std::string m_text;
};

class Interp {
  public:
    Interp(const gen::Program& p, const KernelFeatures& k) : m_p(p), m_k(k), m_v(k.code()) {}

    Expectation run() {
        Cont k{{&m_p.ops, 0, nullptr, "ops", 0}};
        walk(std::move(k), State{});
        return m_e;
    }

  private:
    const gen::KindInfo& kind(uint8_t slot) const { return gen::info(m_p.kinds[slot]); }
    // A sleepable syscall program (gen::Prog): no implicit RCU section.
    bool syscall() const { return m_p.prog == gen::Prog::syscall; }

    static std::string kfunc_name(const gen::KindInfo& ki, Op::Code c) {
        const char* what = c == Op::Code::new_      ? "_new"
                           : c == Op::Code::destroy ? "_destroy"
                                                    : "_next";
        return std::string("bpf_iter_") + ki.name + what;
    }

    // After the arguments of a new() of a KF_RCU_PROTECTED kind outside an
    // RCU section (a syscall program has no implicit one, and no
    // bpf_rcu_read_lock() op exists yet): 6.18+ check_kfunc_call() refuses
    // it; before, mark_stack_slots_iter() makes the slots PTR_UNTRUSTED.
    bool rcu_new(uint8_t slot, int loc, State& st, const At& at) {
        st.untrusted[loc] = false;
        if (!kind(slot).rcu_protected || !syscall())
            return true;
        if (m_v >= kRcuAtNew) {
            m_kfunc = kfunc_name(kind(slot), Op::Code::new_);
            fail(Reason::no_rcu_cs, {Msg::rcu_required}, at, slot);
            return false;
        }
        st.untrusted[loc] = true;
        return true;
    }
    // process_iter_arg() on PTR_UNTRUSTED slots (is_iter_reg_valid_init():
    // -EPROTO), after the iterator was found initialised.
    bool rcu_use(uint8_t slot, int loc, Op::Code c, const State& st, const At& at) {
        if (!st.untrusted[loc] || !live(st.slot[loc]))
            return true;
        m_kfunc = kfunc_name(gen::info(st.held[loc]), c);
        fail(Reason::no_rcu_cs, {Msg::rcu_cs}, at, slot);
        return false;
    }

    void fail(Reason r, std::initializer_list<Msg> msgs, const At& at, uint8_t slot = 0) {
        m_failed = true;
        m_e.accept = false;
        m_e.reason = r;
        m_e.at = at.str();
        for (Msg m : msgs) {
            const char* t = message(m, m_v);
            if (!t) {
                m_e.pinned = false;
                continue;
            }
            std::string s = t;
            if (auto pos = s.find("%k"); pos != std::string::npos)
                s.replace(pos, 2, kind(slot).name);
            if (auto pos = s.find("%f"); pos != std::string::npos)
                s.replace(pos, 2, m_kfunc);
            m_e.msgs.push_back(std::move(s));
        }
    }

    // The iterator argument of new/next/destroy (and the loop's next):
    // process_iter_arg(). Returns false after reporting an error.
    bool iter_arg(const Op& o, bool is_new, const State& st, const At& at) {
        if (at_placed(o) &&
            !placed(o, *m_p.at + (o.where == Where::misaligned ? 4 : 0), is_new, st, at))
            return false;
        if (o.where == Where::above) {
            // stack_slot_obj_get_spi(): fp+8 gives spi -1, "spi + 1 <
            // nr_slots" -> the same "cannot pass in iter at an offset=8"
            // as a misaligned one, then process_iter_arg() names the argument.
            fail(Reason::outside_frame,
                 {Msg::bad_offset, is_new ? Msg::expected_uninit : Msg::expected_init}, at, o.slot);
            return false;
        }
        if (o.where == Where::outside) {
            // Below the allocated stack: stack_slot_obj_get_spi() says -ERANGE.
            // new(): is_iter_reg_valid_uninit() takes it for uninitialized,
            // then process_iter_arg()'s check_mem_access(BPF_WRITE) fails in
            // check_stack_access_within_bounds(); next()/destroy():
            // is_iter_reg_valid_init() is false.
            fail(Reason::outside_frame, {is_new ? Msg::stack_oob_write : Msg::expected_init}, at,
                 o.slot);
            return false;
        }
        if (o.where == Where::global || o.where == Where::map_value) {
            // process_iter_arg(): reg->type != PTR_TO_STACK (12659d28615d).
            // Before that fix the map value was taken for a stack slot of the
            // current frame: a type confusion the model does not follow, so
            // the row is missing and the expectation is unpinned.
            fail(Reason::not_on_stack, {Msg::not_on_stack}, at, o.slot);
            if (!m_k.iter_on_stack_check)
                m_e.pinned = false;
            return false;
        }
        if (o.where == Where::misaligned && !at_placed(o)) {
            // stack_slot_obj_get_spi(): off % BPF_REG_SIZE -> "cannot pass in
            // iter at an offset=%d", then is_iter_reg_valid_uninit() / _init()
            // fail and process_iter_arg() names the argument.
            fail(Reason::misaligned,
                 {Msg::bad_offset, is_new ? Msg::expected_uninit : Msg::expected_init}, at, o.slot);
            return false;
        }
        int l = loc(o);
        Slot s = st.slot[l];
        if (is_new) {
            // is_iter_reg_valid_uninit(): any STACK_ITER byte in the slots.
            if (live(s) || (st.residue[l] && kind(o.slot).slots() > 1)) {
                fail(Reason::double_new, {Msg::expected_uninit}, at, o.slot);
                return false;
            }
            return true;
        }
        // is_iter_reg_valid_init(): every byte STACK_ITER, ref id, btf id.
        if (!live(s)) {
            fail(s == Slot::clobbered ? Reason::clobbered_iter : Reason::uninit_iter,
                 {Msg::expected_init}, at, o.slot);
            return false;
        }
        // ... and the slot's iterator type is the kfunc's (btf_id).
        if (st.held[l] != m_p.kinds[o.slot]) {
            fail(Reason::wrong_kind, {Msg::expected_init}, at, o.slot);
            return false;
        }
        return true;
    }

    // A placed iterator (Program::at) at fp + x: stack_slot_obj_get_spi()
    // on the offset, then (-ERANGE) the new() write's bounds check; an
    // offset it lets through names location 0 as Where::slot does (rule 39).
    // Returns false after reporting an error.
    bool placed(const Op& o, int x, bool is_new, const State& st, const At& at) {
        Msg want = is_new ? Msg::expected_uninit : Msg::expected_init;
        int nr = kind(o.slot).slots();
        if (x % 8 != 0) { // off % BPF_REG_SIZE: "cannot pass in iter at an offset=%d"
            fail(Reason::misaligned, {Msg::bad_offset, want}, at, o.slot);
            return false;
        }
        bool nonneg = m_v >= kIterOffNonNeg;
        if (x >= 0 && m_v >= kIterOffNonNegUnsure && m_v < kIterOffNonNeg)
            m_e.pinned = false; // which of the two below: not seen
        if (x >= 0 && nonneg) { // "off >= 0 || off % BPF_REG_SIZE"
            fail(Reason::outside_frame, {Msg::bad_offset, want}, at, o.slot);
            return false;
        }
        int spi = (-x - 1) / 8; // bpf_get_spi(), C's truncating division (fp+0: spi 0)
        if (spi + 1 < nr) {
            fail(Reason::outside_frame, {Msg::bad_offset, want}, at, o.slot);
            return false;
        }
        if (x < -512 || (x >= 0 && is_new)) {
            // Below the stack: -ERANGE; new() takes it for uninitialized and
            // then the BPF_WRITE of its first slot fails
            // check_stack_access_within_bounds(); next()/destroy(): not an
            // initialized iterator. At fp+0 (no off >= 0 check) spi 0 is
            // fp-8, slot 1's location here (frame()): new() finds its
            // iterator there (is_iter_reg_valid_uninit) or fails the write.
            if (x >= 0 && live(st.slot[1])) {
                fail(Reason::double_new, {Msg::expected_uninit}, at, o.slot);
                return false;
            }
            fail(Reason::outside_frame, {is_new ? Msg::stack_oob_write : Msg::expected_init}, at,
                 o.slot);
            return false;
        }
        // next()/destroy() at fp+0 without the off >= 0 check: fp-8's
        // iterator (loc() says location 1), used through fp+0.
        return true;
    }

    // Whether an op's address is the placed iterator's (Program::at): slot
    // 0's own (or +4), or slot 1's other.
    bool at_placed(const Op& o) const {
        return m_p.at &&
               ((o.slot == 0 && (o.where == Where::slot || o.where == Where::misaligned)) ||
                (o.slot == 1 && o.where == Where::other));
    }

    // What an ACTIVE next() gives R0 (process_iter_next_call(): the
    // kfunc's return type, PTR_MAYBE_NULL cleared): a pointer the verifier
    // can prove non-NULL (reg_not_null(): PTR_TO_MEM, PTR_TRUSTED), or a
    // struct pointer it cannot (MEM_RCU, or untrusted before kNextTrusted).
    Val active_result(uint8_t slot) const {
        const gen::KindInfo& ki = kind(slot);
        if (ki.next == gen::NextRet::btf_struct && (ki.rcu_protected || m_v < kNextTrusted))
            return Val::rcu;
        return Val::ptr;
    }

    // Whether next()'s result carries the iterator's ref_obj_id (NextRet::ro_mem).
    bool tied(uint8_t slot) const { return kind(slot).next == gen::NextRet::ro_mem; }

    // The stack location an op's iterator address names (State).
    // A placed iterator at fp+0 on a kernel without the off >= 0 check is
    // spi 0: fp-8, slot 1's location (Program::frame()) (rule 39).
    int loc(const Op& o) const {
        if (at_placed(o) && *m_p.at == 0 && m_v < kIterOffNonNeg && o.where != Where::misaligned)
            return 1;
        return o.where == Where::other ? 1 - o.slot : o.slot;
    }

    // check_kfunc_call() before the arguments: a KF_SLEEPABLE kfunc (every
    // kmem_cache and dmabuf kfunc) in a program that is not sleepable (the
    // generator's tp_btf programs). Returns false after reporting it.
    bool kfunc_gate(uint8_t slot, Op::Code c, const At& at) {
        if (!kind(slot).sleepable || syscall())
            return true;
        m_kfunc = kfunc_name(kind(slot), c);
        fail(Reason::sleepable_kfunc, {Msg::sleepable}, at, slot);
        return false;
    }

    // check_kfunc_args(), KF_ARG_PTR_TO_ITER of new(): css_task's program-type
    // allow-list, before process_iter_arg() (tp_btf is neither LSM, nor
    // BPF_TRACE_ITER, nor sleepable).
    bool allow_list(uint8_t slot, const At& at) {
        if (!kind(slot).allow_list || syscall())
            return true;
        fail(Reason::prog_type, {Msg::css_task_allow}, at, slot);
        return false;
    }

    // A css argument of new() (NewArg::css: css, css_task arg 1, KF_TRUSTED_ARGS),
    // after the iterator argument. The css comes from Program::task
    // (gen/program.hpp); a bpf_loop callback's own is trusted.
    bool css_arg(const State& st, const At& at) {
        if (st.in_cb)
            return true;
        switch (m_p.task) {
        case Task::current_btf: // bpf_cgroup_from_id(), NULL-checked: referenced
        case Task::pid_checked:
            return true;
        case Task::pid_unchecked: // KF_RET_NULL result: PTR_MAYBE_NULL
            fail(Reason::maybe_null_css, {Msg::null_task}, at);
            return false;
        case Task::null: // register_is_null()
            fail(Reason::null_css, {Msg::null_task}, at);
            return false;
        case Task::current_scalar: // get_kfunc_ptr_arg_type() on a SCALAR_VALUE
            fail(Reason::scalar_css, {Msg::scalar_css}, at);
            return false;
        case Task::walked: // MEM_RCU, not is_trusted_reg()
            fail(Reason::rcu_css, {Msg::not_trusted}, at);
            return false;
        }
        return false;
    }

    // A task argument of new() (NewArg::task: task_vma's KF_RCU arg 1, task's
    // KF_TRUSTED_ARGS task__nullable), checked after the iterator argument:
    // check_kfunc_args() walks the arguments in order. The messages name
    // arg 1 (R2), the only position a task argument has in the kind table.
    bool task_arg(uint8_t slot, const State& st, const At& at) {
        if (st.in_cb) // the callback's own bpf_get_current_task_btf()
            return true;
        if (m_p.kinds[slot] == gen::Kind::task) {
            switch (m_p.task) {
            case Task::current_btf:
            case Task::pid_checked:
            case Task::null: // __nullable: register_is_null() is KF_ARG_PTR_TO_NULL
                return true;
            case Task::pid_unchecked: // PTR_MAYBE_NULL: past the NULL check, not a PTR_TO_BTF_ID
                fail(Reason::maybe_null_task, {Msg::null_or_ptr}, at);
                return false;
            case Task::current_scalar:
                fail(Reason::scalar_task, {Msg::scalar_task}, at);
                return false;
            case Task::walked: // not is_trusted_reg(), and not KF_RCU
                fail(Reason::untrusted_task, {Msg::not_trusted}, at);
                return false;
            }
        }
        switch (m_p.task) {
        case Task::current_btf: // trusted
        case Task::pid_checked: // acquired, NULL-checked: trusted
            return true;
        case Task::pid_unchecked: // KF_RET_NULL result: PTR_MAYBE_NULL
            fail(Reason::maybe_null_task, {Msg::null_task}, at);
            return false;
        case Task::null: // register_is_null()
            fail(Reason::null_task, {Msg::null_task}, at);
            return false;
        case Task::current_scalar: // get_kfunc_ptr_arg_type() on a SCALAR_VALUE
            fail(Reason::scalar_task, {Msg::scalar_task}, at);
            return false;
        case Task::walked: // last_wakee is not BTF_TYPE_SAFE_RCU: not is_rcu_reg()
            fail(Reason::untrusted_task, {Msg::rcu_task}, at);
            return false;
        }
        return false;
    }

    // BPF_EXIT of the main program: check_reference_leak().
    void exit(const State& st, const At& at) {
        if (st.orphan || live(st.slot[0]) || live(st.slot[1]))
            fail(Reason::missing_destroy, {Msg::leak}, at);
    }

    // A load or store through v[slot]: check_mem_access().
    bool deref(const Op& o, bool store, const State& st, const At& at) {
        switch (st.v[o.slot]) {
        case Val::null:
            fail(Reason::unchecked_vma, {Msg::null_deref}, at, o.slot);
            return false;
        case Val::stale:
        case Val::nonzero:
            fail(Reason::stale_ptr, {Msg::null_deref}, at, o.slot);
            return false;
        case Val::ptr:
        case Val::rcu:
            break;
        }
        if (!store)
            return true;
        switch (kind(o.slot).next) {
        case gen::NextRet::btf_struct:
            fail(Reason::write_vma, {Msg::write_btf}, at, o.slot);
            break;
        case gen::NextRet::ro_mem:
            fail(Reason::write_num, {Msg::write_rdonly}, at, o.slot);
            break;
        }
        return false;
    }

    // Explores every path from continuation k in state st, depth first in the
    // verifier's order, until the first error (m_failed).
    void walk(Cont k, State st) {
        while (!m_failed) {
            if (k.empty()) {
                exit(st, "exit");
                return;
            }
            Frame& f = k.back();
            if (f.idx == f.ops->size()) {
                const Op* loop = f.loop;
                if (f.sub) { // end of a subprogram: back to the caller
                    if (!ret_from_call(k, st, path_of(k, k.size() - 1) + " (end)"))
                        return;
                    continue;
                }
                k.pop_back();
                if (k.empty()) {
                    exit(st, "exit");
                    return;
                }
                if (loop) { // end of a loop body: back to the loop's next()
                    head(std::move(k), st);
                    return;
                }
                k.back().idx++; // end of a guard or branch body
                continue;
            }
            const Op& o = (*f.ops)[f.idx];
            const At at(k);
            uint8_t s = o.slot;
            int l = loc(o);
            switch (o.code) {
            case Op::Code::new_:
                if (!kfunc_gate(s, o.code, at) || !allow_list(s, at) || !iter_arg(o, true, st, at))
                    return;
                for (uint8_t i = 0; i < kind(s).nargs; i++) {
                    gen::NewArg a = kind(s).args[i].arg;
                    if ((a == gen::NewArg::task && !task_arg(s, st, at)) ||
                        (a == gen::NewArg::css && !css_arg(st, at)))
                        return;
                }
                if (!rcu_new(s, l, st, at))
                    return;
                // mark_stack_slots_iter(): STACK_ITER, ACTIVE, a new reference.
                st.slot[l] = Slot::active;
                st.held[l] = m_p.kinds[s];
                st.cb_ref[l] = st.in_cb;
                f.idx++;
                break;
            case Op::Code::next:
                if (!kfunc_gate(s, o.code, at) || !iter_arg(o, false, st, at) ||
                    !rcu_use(s, l, o.code, st, at))
                    return;
                f.idx++;
                note(o, Val::null); // the DRAINED continuation, or a drained iterator
                if (st.slot[l] == Slot::active) {
                    note(o, active_result(s));
                    // process_iter_next_call(): push an ACTIVE copy with a
                    // non-NULL result, continue DRAINED with R0 = 0.
                    State drained = st;
                    drained.slot[l] = Slot::drained;
                    drained.v[s] = Val::null;
                    drained.tie[s] = -1;
                    walk(k, drained);
                    if (m_failed)
                        return;
                    st.v[s] = active_result(s);
                    st.tie[s] = static_cast<int8_t>(tied(s) ? l : -1);
                } else { // DRAINED is sticky: R0 = 0
                    st.v[s] = Val::null;
                    st.tie[s] = -1;
                }
                break;
            case Op::Code::destroy:
                if (!kfunc_gate(s, o.code, at) || !iter_arg(o, false, st, at) ||
                    !rcu_use(s, l, o.code, st, at))
                    return;
                // unmark_stack_slots_iter(): release_reference() turns every
                // register with that ref_obj_id (a num next() result, in any
                // frame) into an unknown scalar; the slot is STACK_INVALID again.
                st.slot[l] = Slot::destroyed;
                if (kind(s).slots() > 1) // every slot of it, the residue's too
                    st.residue[l] = false;
                if (st.in_cb && !st.cb_ref[l] && m_k.callback_leak_check) {
                    // Before 6.13 a callback cannot release a caller's
                    // reference: release_reference_state() fails (a
                    // WARN_ON_ONCE in unmark_stack_slots_iter()), the slot is
                    // cleared anyway and the reference stays held forever.
                    st.orphan = true;
                } else {
                    st.release(l);
                }
                f.idx++;
                break;
            case Op::Code::guard:
                note(o, st.v[s]);
                // if (v) {...} ("if v == 0 goto skip"): is_branch_taken()
                // decides it for NULL, a non-NULL pointer and a scalar known
                // to be non-zero; an unknown scalar explores the body first.
                // The comparison refines the scalar on each side
                // (regs_refine_cond_op()): non-zero in the body, the constant
                // 0 at the jump target, so a second guard on it goes the same
                // way as the first (rule 38).
                if (st.v[s] == Val::null) {
                    f.idx++;
                } else if (st.v[s] == Val::ptr || st.v[s] == Val::nonzero) {
                    k.push_back(body_of(k, o.body, ".body"));
                } else if (st.v[s] == Val::rcu) {
                    // Not reg_not_null(): both sides, the body first; no
                    // refinement (the pointer is not PTR_MAYBE_NULL).
                    Cont body = k;
                    body.push_back(body_of(k, o.body, ".body"));
                    walk(std::move(body), st);
                    if (m_failed)
                        return;
                    k.back().idx++;
                } else {
                    Cont body = k;
                    body.push_back(body_of(k, o.body, ".body"));
                    State in = st;
                    in.v[s] = Val::nonzero;
                    walk(std::move(body), in);
                    if (m_failed)
                        return;
                    st.v[s] = Val::null;
                    k.back().idx++;
                }
                break;
            case Op::Code::read:
                note(o, st.v[s]);
                if (!deref(o, false, st, at))
                    return;
                f.idx++;
                break;
            case Op::Code::write:
                note(o, st.v[s]);
                if (!deref(o, true, st, at))
                    return;
                f.idx++;
                break;
            case Op::Code::clobber:
                // check_stack_write_fixed_off(): allowed; the slot stops being
                // an iterator (spilled 0) but its reference stays acquired.
                if (live(st.slot[s])) {
                    // The store covers the iterator's first 8 bytes: the slot
                    // holding the reference (mark_stack_slots_iter()).
                    if (gen::info(st.held[s]).slots() > 1)
                        st.residue[s] = true;
                    st.slot[s] = Slot::clobbered;
                    st.orphan = true;
                    st.cb_orphan = st.cb_orphan || (st.in_cb && st.cb_ref[s]);
                    st.untie(s);
                }
                f.idx++;
                break;
            case Op::Code::copy:
                // check_stack_read_fixed_off(): STACK_ITER is not readable;
                // STACK_INVALID/ZERO is (allow_uninit_stack for root).
                if (live(st.slot[s])) {
                    fail(Reason::iter_read, {Msg::stack_read}, at, s);
                    return;
                }
                f.idx++;
                break;
            case Op::Code::loop:
                head(std::move(k), st);
                return;
            case Op::Code::branch: {
                // The then-side is the fall-through (explored first); the
                // else-side is the pushed jump target.
                Cont then = k;
                then.push_back(body_of(k, o.body, ".body"));
                walk(std::move(then), st);
                if (m_failed)
                    return;
                k.push_back(body_of(k, o.orelse, ".orelse"));
                break;
            }
            case Op::Code::brk:
                // To the op after the innermost loop, the iterator ACTIVE.
                while (!k.empty()) {
                    bool was_loop = k.back().loop != nullptr;
                    k.pop_back();
                    if (was_loop)
                        break;
                }
                k.back().idx++;
                break;
            case Op::Code::ret:
                if (st.in_call) {                 // return from the subprogram
                    std::string where = at.str(); // before the frames go
                    while (!k.back().sub)
                        k.pop_back();
                    if (!ret_from_call(k, st, where))
                        return;
                    break;
                }
                exit(st, at);
                return;
            case Op::Code::bpfloop:
                callsite(std::move(k), st);
                return;
            case Op::Code::call:
                // check_func_call() of a static subprogram: r1 (PTR_TO_STACK
                // of this frame) and r2 (the task) are copied as they are; the
                // callee's r6/r7 are its own. References are the program's,
                // not the frame's: no leak check at the callee's BPF_EXIT
                // (check_reference_leak() runs for the main program only).
                st.in_call = true;
                st.cv = st.v;
                st.ctie = st.tie;
                st.v = {Val::null, Val::null};
                st.tie = {-1, -1};
                k.push_back(body_of(k, o.body, ".body", nullptr, &o));
                break;
            }
        }
    }

    // prepare_func_exit(): the caller's r6/r7 restored; k.back() is the
    // subprogram's body. After a static subprogram: on to the op after the
    // call. After a bpf_loop callback: back to the bpf_loop call, which may
    // call it again (callsite()). Returns false after an error (or when the
    // walk went on from the callsite).
    bool ret_from_call(Cont& k, State& st, const At& at) {
        const Op* sub = k.back().sub;
        k.pop_back();
        if (sub->code == Op::Code::bpfloop && m_k.callback_leak_check) {
            // check_reference_leak() at a callback's BPF_EXIT: references
            // it acquired itself (callback_ref) must be gone.
            bool held = (st.cb_ref[0] && live(st.slot[0])) || (st.cb_ref[1] && live(st.slot[1]));
            if (held || st.cb_orphan) {
                fail(Reason::missing_destroy, {Msg::leak}, at);
                return false;
            }
        }
        st.in_call = false;
        st.in_cb = false;
        st.cb_ref = {false, false};
        st.cb_orphan = false;
        st.v = st.cv;
        st.tie = st.ctie;
        st.cv = {Val::null, Val::null};
        st.ctie = {-1, -1};
        if (sub->code == Op::Code::bpfloop) {
            callsite(std::move(k), st);
            return false;
        }
        k.back().idx++;
        return true;
    }

    // k.back() points at a bpf_loop op. push_callback_call() queues the
    // callback and the caller goes on after the call (the callback ran zero
    // more times) first; each return from the callback comes back here.
    // States converge as at an iterator's next(): the callsite is a
    // checkpoint and an equal state seen there before is pruned.
    void callsite(Cont k, State st) {
        const Frame& f = k.back();
        const Op& o = (*f.ops)[f.idx];
        if (!m_seen.insert({&o, st.key()}).second)
            return;
        Cont after = k;
        after.back().idx++;
        walk(std::move(after), st);
        if (m_failed)
            return;
        // The callback: its own frame, r2 = the caller's slot, a fresh r6/r7.
        st.in_call = true;
        st.in_cb = true;
        st.cv = st.v;
        st.ctie = st.tie;
        st.v = {Val::null, Val::null};
        st.tie = {-1, -1};
        k.push_back(body_of(k, o.body, ".body", nullptr, &o));
        walk(std::move(k), st);
    }

    // k.back() points at a loop op: its next() call, the loop condition.
    void head(Cont k, State st) {
        const Frame& f = k.back();
        const Op& o = (*f.ops)[f.idx];
        uint8_t s = o.slot;
        const At at(k, " (next)");
        // Convergence: bpf_is_state_visited() at an iter_next insn prunes a
        // state equal to one seen there before (states_equal() with
        // RANGE_WITHIN; iter depth ignored). v[s] is dead here (next()
        // overwrites it), so it is left out of the comparison.
        State probe = st;
        probe.v[s] = Val::null;
        probe.tie[s] = -1;
        if (!m_seen.insert({&o, probe.key()}).second)
            return;
        if (!kfunc_gate(s, Op::Code::next, at) || !iter_arg(o, false, st, at) ||
            !rcu_use(s, s, Op::Code::next, st, at))
            return;
        note(o, Val::null);
        if (st.slot[s] == Slot::active) {
            note(o, active_result(s));
            // DRAINED first: R0 = 0, the loop ends.
            State drained = st;
            drained.slot[s] = Slot::drained;
            drained.v[s] = Val::null;
            drained.tie[s] = -1;
            Cont after = k;
            after.back().idx++;
            walk(std::move(after), drained);
            if (m_failed)
                return;
            // Then the queued ACTIVE state: R0 non-NULL, one more turn.
            st.v[s] = active_result(s);
            st.tie[s] = static_cast<int8_t>(tied(s) ? s : -1);
            Cont body = k;
            body.push_back(body_of(k, o.body, ".body", &o));
            walk(std::move(body), st);
            // A result the verifier cannot prove non-NULL also takes the
            // loop's exit, the iterator still ACTIVE (rule 46).
            if (m_failed || st.v[s] != Val::rcu)
                return;
            k.back().idx++;
            walk(std::move(k), st);
            return;
        }
        st.v[s] = Val::null; // DRAINED: the loop ends at once
        st.tie[s] = -1;
        k.back().idx++;
        walk(std::move(k), st);
    }

  public:
    // What the states that reach each point hold in the point's v (bits:
    // 1 NULL, 2 non-NULL, 4 unknown), by gen::preorder() index: the
    // oracle's beliefs (gen/beliefs.hpp), collected when `collect` is set.
    void collect(std::vector<uint8_t>* obs) {
        m_obs = obs;
        auto ops = gen::preorder(m_p);
        obs->assign(ops.size(), 0);
        for (size_t i = 0; i < ops.size(); i++)
            m_point[ops[i].op] = i;
    }

  private:
    void note(const Op& o, Val v) {
        if (!m_obs)
            return;
        auto it = m_point.find(&o);
        if (it == m_point.end())
            return;
        (*m_obs)[it->second] |= v == Val::null ? 1 : v == Val::stale || v == Val::rcu ? 4 : 2;
    }

    const gen::Program& m_p;
    const KernelFeatures& m_k;
    uint32_t m_v;
    Expectation m_e;
    bool m_failed = false;
    std::vector<uint8_t>* m_obs = nullptr;
    std::unordered_map<const Op*, size_t> m_point;
    std::string m_kfunc; // the kfunc a Msg::sleepable names (%f)
    std::set<std::pair<const Op*, decltype(State{}.key())>> m_seen;
};

// Which kinds' kfuncs the program calls, for "unsupported": only calls
// that can be reached (emit_bpf drops code after brk/ret, and after a branch
// whose arms both end in one, as clang does). Returns whether control can
// fall off the end of `ops`.
// The last entry (no kind has that id) marks an emitted bpf_loop callback,
// which acquires a css of its own when a kind takes one (gen/program.hpp).
using KindSet = std::array<bool, 16>; // by Kind id
constexpr size_t k_callback = 15;     // kinds.cpp: at most 16 ids, and 8 so far

bool calls(const std::vector<Op>& ops, const gen::Program& p, KindSet& used) {
    for (const auto& o : ops) {
        switch (o.code) {
        case Op::Code::brk:
        case Op::Code::ret:
            return false;
        case Op::Code::new_:
        case Op::Code::next:
        case Op::Code::destroy:
            used[static_cast<size_t>(p.kinds[o.slot])] = true;
            break;
        case Op::Code::loop:
            used[static_cast<size_t>(p.kinds[o.slot])] = true;
            calls(o.body, p, used); // the loop exits when next() returns NULL
            break;
        case Op::Code::guard:
            calls(o.body, p, used); // skipped when the pointer is NULL
            break;
        case Op::Code::bpfloop:
            used[k_callback] = true;
            calls(o.body, p, used); // ret there returns to the caller
            break;
        case Op::Code::call:
            calls(o.body, p, used); // ret there returns to the caller
            break;
        case Op::Code::branch: {
            bool a = calls(o.body, p, used);
            bool b = calls(o.orelse, p, used);
            if (!a && !b)
                return false;
            break;
        }
        default:
            break;
        }
    }
    return true;
}

} // namespace

const char* to_string(Reason r) {
    switch (r) {
    case Reason::none:
        return "none";
    case Reason::unsupported:
        return "unsupported";
    case Reason::missing_destroy:
        return "missing_destroy";
    case Reason::double_new:
        return "double_new";
    case Reason::uninit_iter:
        return "uninit_iter";
    case Reason::clobbered_iter:
        return "clobbered_iter";
    case Reason::not_on_stack:
        return "not_on_stack";
    case Reason::misaligned:
        return "misaligned";
    case Reason::outside_frame:
        return "outside_frame";
    case Reason::wrong_kind:
        return "wrong_kind";
    case Reason::untrusted_task:
        return "untrusted_task";
    case Reason::null_task:
        return "null_task";
    case Reason::maybe_null_task:
        return "maybe_null_task";
    case Reason::scalar_task:
        return "scalar_task";
    case Reason::unchecked_vma:
        return "unchecked_vma";
    case Reason::stale_ptr:
        return "stale_ptr";
    case Reason::write_vma:
        return "write_vma";
    case Reason::write_num:
        return "write_num";
    case Reason::iter_read:
        return "iter_read";
    case Reason::sleepable_kfunc:
        return "sleepable_kfunc";
    case Reason::prog_type:
        return "prog_type";
    case Reason::null_css:
        return "null_css";
    case Reason::maybe_null_css:
        return "maybe_null_css";
    case Reason::scalar_css:
        return "scalar_css";
    case Reason::rcu_css:
        return "rcu_css";
    case Reason::no_rcu_cs:
        return "no_rcu_cs";
    }
    return "?";
}

Expectation expect(const gen::Program& p, const KernelFeatures& k) {
    // A program that calls a kfunc the kernel's BTF lacks is `unsupported`
    // (contract 1): the runner decides that from BTF; the model mirrors it
    // from the version. emit_c always emits the task source, so the pid
    // sources always call bpf_task_from_pid()/bpf_task_release().
    KindSet used{};
    calls(p.ops, p, used);
    bool missing = false;
    for (const auto& ki : gen::kinds())
        missing = missing || (used[static_cast<size_t>(ki.kind)] && !k.has(ki.kind));
    bool pid = p.task == Task::pid_checked || p.task == Task::pid_unchecked;
    // The css source (gen/program.hpp) calls bpf_cgroup_from_id() whatever the ops.
    bool cgroup = p.needs_css() && p.task != Task::current_scalar && p.task != Task::walked &&
                  p.task != Task::null;
    bool cb_cgroup = p.needs_css() && used[k_callback];
    if (missing || (pid && !k.has_task_from_pid) ||
        ((cgroup || cb_cgroup) && !k.has_cgroup_from_id)) {
        Expectation e;
        e.accept = false;
        e.reason = Reason::unsupported;
        return e;
    }
    return Interp(p, k).run();
}

gen::Beliefs beliefs(const gen::Program& p, const KernelFeatures& k) {
    Expectation e = expect(p, k);
    if (!e.accept || !e.pinned)
        return {};
    std::vector<uint8_t> obs;
    Interp in(p, k);
    in.collect(&obs);
    if (!in.run().accept) // the same walk as expect()'s
        return {};
    auto ops = gen::preorder(p);
    gen::Beliefs b;
    b.at.assign(ops.size(), gen::Belief::unknown);
    for (size_t i = 0; i < ops.size(); i++) {
        if (!gen::is_point(ops[i].op->code))
            continue;
        b.at[i] = obs[i] == 0   ? gen::Belief::unreached
                  : obs[i] == 1 ? gen::Belief::null
                  : obs[i] == 2 ? gen::Belief::nonnull
                                : gen::Belief::unknown;
    }
    return b;
}

} // namespace iterconf::model
