#include "gen/emit_bpf.hpp"

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <limits>
#include <unordered_map>
#include <utility>

namespace iterconf::gen {

namespace {

constexpr uint8_t r0 = 0, r1 = 1, r2 = 2, r3 = 3, r4 = 4, r6 = 6, r7 = 7, r8 = 8, r9 = 9;
constexpr int16_t k_outside = 1024; // Where::outside: this far below the slot

std::string kfunc_of(Kind k, Op::Code c) {
    const char* what = c == Op::Code::new_ ? "_new" : c == Op::Code::destroy ? "_destroy" : "_next";
    return std::string("bpf_iter_") + info(k).name + what;
}

// A small assembler: instructions, relocations and forward labels.
class Asm {
  public:
    using Label = size_t;

    Label label() {
        m_labels.push_back(k_unbound);
        m_refs.push_back(0);
        return m_labels.size() - 1;
    }
    // Code after a label is reachable when flow falls into it or a jump
    // targets it (all jumps to a label not yet bound come before it).
    void bind(Label l) {
        m_labels[l] = m_out.insns.size();
        m_live = m_live || m_refs[l] > 0;
    }
    // Whether the next instruction is reachable. The verifier rejects
    // unreachable instructions ("unreachable insn N"), so the emitter emits
    // nothing while this is false.
    bool live() const { return m_live; }

    void emit(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
        Insn i;
        i.code = code;
        i.dst = dst & 0xf;
        i.src = src & 0xf;
        i.off = off;
        i.imm = imm;
        m_out.insns.push_back(i);
    }
    size_t pc() const { return m_out.insns.size(); }

    void mov_imm(uint8_t dst, int32_t imm) {
        emit(op::k_alu64 | op::k_mov | op::k_k, dst, 0, 0, imm);
    }
    void mov_reg(uint8_t dst, uint8_t src) {
        emit(op::k_alu64 | op::k_mov | op::k_x, dst, src, 0, 0);
    }
    void add_imm(uint8_t dst, int32_t imm) {
        emit(op::k_alu64 | op::k_add | op::k_k, dst, 0, 0, imm);
    }
    void alu_imm(uint8_t aop, uint8_t dst, int32_t imm) {
        emit(op::k_alu64 | aop | op::k_k, dst, 0, 0, imm);
    }
    void alu_reg(uint8_t aop, uint8_t dst, uint8_t src) {
        emit(op::k_alu64 | aop | op::k_x, dst, src, 0, 0);
    }
    // lock *(u64 *)(dst + off) += src
    void atomic_add(uint8_t dst, int16_t off, uint8_t src) {
        emit(op::k_stx | op::k_atomic | op::k_dw, dst, src, off, op::k_add);
    }
    void and_imm(uint8_t dst, int32_t imm) {
        emit(op::k_alu64 | op::k_and | op::k_k, dst, 0, 0, imm);
    }
    // dst = imm, as one mov when it sign-extends from 32 bits, else ld_imm64.
    void mov_u64(uint8_t dst, uint64_t v) {
        auto s = static_cast<int64_t>(v);
        if (s >= std::numeric_limits<int32_t>::min() && s <= std::numeric_limits<int32_t>::max()) {
            mov_imm(dst, static_cast<int32_t>(s));
            return;
        }
        emit(op::k_ld | op::k_imm | op::k_dw, dst, 0, 0, static_cast<int32_t>(v & 0xffffffffu));
        emit(0, 0, 0, 0, static_cast<int32_t>(v >> 32));
    }
    void ldx(uint8_t size, uint8_t dst, uint8_t src, int16_t off) {
        emit(op::k_ldx | op::k_mem | size, dst, src, off, 0);
    }
    void stx(uint8_t size, uint8_t dst, int16_t off, uint8_t src) {
        emit(op::k_stx | op::k_mem | size, dst, src, off, 0);
    }
    void st(uint8_t size, uint8_t dst, int16_t off, int32_t imm) {
        emit(op::k_st | op::k_mem | size, dst, 0, off, imm);
    }
    void ld_map(uint8_t dst, MapKind map, int32_t value_off) {
        m_out.maps.push_back({pc(), map});
        uint8_t src = map == MapKind::array ? op::k_pseudo_map_fd : op::k_pseudo_map_value;
        emit(op::k_ld | op::k_imm | op::k_dw, dst, src, 0, 0);
        emit(0, 0, 0, 0, value_off);
    }
    void field(const char* name) { m_out.fields.push_back({pc(), name}); }
    void func(size_t insn, FuncKind kind) { m_out.funcs.push_back({insn, kind}); }
    void call_helper(int32_t id) { emit(op::k_jmp | op::k_call, 0, 0, 0, id); }
    // call <l>: a bpf-to-bpf call (BPF_PSEUDO_CALL), imm = target - pc - 1.
    void call_local(Label l) {
        m_calls.push_back({pc(), l});
        m_refs[l]++;
        emit(op::k_jmp | op::k_call, 0, op::k_pseudo_call, 0, 0);
    }
    // dst = <l> as a callback (ld_imm64 BPF_PSEUDO_FUNC, imm = target - pc - 1).
    void ld_func(uint8_t dst, Label l) {
        m_calls.push_back({pc(), l});
        m_refs[l]++;
        emit(op::k_ld | op::k_imm | op::k_dw, dst, op::k_pseudo_func, 0, 0);
        emit(0, 0, 0, 0, 0);
    }
    void call_kfunc(const std::string& name) {
        m_out.kfuncs.push_back({pc(), name});
        emit(op::k_jmp | op::k_call, 0, op::k_pseudo_kfunc_call, 0, 0);
    }
    // if dst <op> imm goto l   (op = k_jeq, k_jne, or k_ja for goto)
    void jmp(uint8_t jop, uint8_t dst, int32_t imm, Label l) {
        m_fixups.push_back({pc(), l});
        m_refs[l]++;
        emit(op::k_jmp | jop | op::k_k, dst, 0, 0, imm);
    }
    void ja(Label l) {
        jmp(op::k_ja, 0, 0, l);
        m_live = false;
    }
    void exit() {
        emit(op::k_jmp | op::k_exit, 0, 0, 0, 0);
        m_live = false;
    }

    BpfProgram finish() {
        for (auto [at, l] : m_fixups) {
            size_t target = m_labels[l] == k_unbound ? pc() : m_labels[l];
            auto off = static_cast<int64_t>(target) - static_cast<int64_t>(at) - 1;
            m_out.insns[at].off = static_cast<int16_t>(off);
        }
        for (auto [at, l] : m_calls) {
            size_t target = m_labels[l] == k_unbound ? pc() : m_labels[l];
            m_out.insns[at].imm =
                static_cast<int32_t>(static_cast<int64_t>(target) - static_cast<int64_t>(at) - 1);
        }
        return std::move(m_out);
    }

  private:
    static constexpr size_t k_unbound = static_cast<size_t>(-1);
    BpfProgram m_out;
    std::vector<size_t> m_labels;
    std::vector<int> m_refs; // jumps to each label
    std::vector<std::pair<size_t, Label>> m_fixups;
    std::vector<std::pair<size_t, Label>> m_calls;
    bool m_live = true;
};

class Emitter {
  public:
    Emitter(const Program& p, const Beliefs* embed) : m_p(p), m_f(p.frame()), m_embed(embed) {
        if (embed) {
            auto ops = preorder(p);
            for (size_t i = 0; i < ops.size(); i++)
                m_point[ops[i].op] = i;
        }
    }

    BpfProgram run() {
        m_epilogue = m_a.label();
        m_exit = m_a.label();
        m_a.func(0, FuncKind::main);
        m_a.mov_imm(r6, 0);
        m_a.mov_imm(r7, 0);
        if (m_embed) { // count the runs
            m_a.ld_map(r1, MapKind::beliefs, k_beliefs_runs_off);
            m_a.mov_imm(r2, 1);
            m_a.atomic_add(r1, 0, r2);
        }
        prologue();
        if (m_p.needs_css())
            css_prologue(r9, m_epilogue);
        ops(m_p.ops);
        m_a.bind(m_epilogue);
        if (m_p.needs_css() && holds_css())
            css_release(r9);
        if (holds_reference()) {
            m_a.jmp(op::k_jeq, r8, 0, m_exit);
            m_a.mov_reg(r1, r8);
            m_a.call_kfunc("bpf_task_release");
        }
        m_a.bind(m_exit);
        m_a.mov_imm(r0, 0);
        m_a.exit();
        // The subprograms, after the main program, in call order.
        for (size_t i = 0; i < m_subs.size(); i++)
            subprogram(*m_subs[i].first, m_subs[i].second);
        return m_a.finish();
    }

  private:
    bool holds_reference() const {
        return m_p.task == Task::pid_checked || m_p.task == Task::pid_unchecked;
    }
    // Whether the css source (program.hpp) acquires a cgroup.
    bool holds_css() const {
        return m_p.task == Task::current_btf || m_p.task == Task::pid_checked ||
               m_p.task == Task::pid_unchecked;
    }

    // reg = the program's css (program.hpp); a NULL-checked source jumps to
    // `none` when bpf_cgroup_from_id() fails. Clobbers r0-r5.
    void css_prologue(uint8_t reg, Asm::Label none) {
        switch (m_p.task) {
        case Task::current_btf:
        case Task::pid_checked:
        case Task::pid_unchecked:
            m_a.mov_imm(r1, 1);
            m_a.call_kfunc("bpf_cgroup_from_id");
            m_a.mov_reg(reg, r0);
            if (m_p.task != Task::pid_unchecked)
                m_a.jmp(op::k_jeq, reg, 0, none);
            break;
        case Task::current_scalar:
            m_a.call_helper(helper::k_get_current_task);
            m_a.mov_reg(reg, r0);
            break;
        case Task::walked:
            m_a.call_helper(helper::k_get_current_task_btf);
            m_a.field("task_struct.cgroups");
            m_a.ldx(op::k_dw, r0, r0, 0);
            m_a.field("css_set.dfl_cgrp");
            m_a.ldx(op::k_dw, reg, r0, 0);
            break;
        case Task::null:
            m_a.mov_imm(reg, 0);
            break;
        }
    }
    // bpf_cgroup_release(reg) if reg is not NULL.
    void css_release(uint8_t reg) {
        auto skip = m_a.label();
        m_a.jmp(op::k_jeq, reg, 0, skip);
        m_a.mov_reg(r1, reg);
        m_a.call_kfunc("bpf_cgroup_release");
        m_a.bind(skip);
    }

    void prologue() {
        switch (m_p.task) {
        case Task::current_btf:
            m_a.call_helper(helper::k_get_current_task_btf);
            m_a.mov_reg(r8, r0);
            break;
        case Task::pid_checked:
        case Task::pid_unchecked:
            m_a.mov_imm(r1, 1);
            m_a.call_kfunc("bpf_task_from_pid");
            m_a.mov_reg(r8, r0);
            if (m_p.task == Task::pid_checked)
                m_a.jmp(op::k_jeq, r8, 0, m_exit);
            break;
        case Task::current_scalar:
            m_a.call_helper(helper::k_get_current_task);
            m_a.mov_reg(r8, r0);
            break;
        case Task::walked:
            m_a.call_helper(helper::k_get_current_task_btf);
            m_a.field("task_struct.last_wakee");
            m_a.ldx(op::k_dw, r8, r0, 0);
            break;
        case Task::null:
            m_a.mov_imm(r8, 0);
            break;
        }
    }

    // A static subprogram: r1 = the iterator pointer (kept in r9), r2 = the
    // task (kept in r8); its own r6/r7 start at 0; ret and the end return 0.
    void subprogram(const Op& call, Asm::Label entry) {
        m_a.bind(entry);
        m_a.func(m_a.pc(),
                 call.code == Op::Code::bpfloop ? FuncKind::callback : FuncKind::subprogram);
        auto done = m_a.label();
        auto none = m_a.label();
        bool cb = call.code == Op::Code::bpfloop;
        if (cb) { // (u64 index, void *ctx)
            m_a.mov_reg(r9, r2);
            m_a.call_helper(helper::k_get_current_task_btf);
            m_a.mov_reg(r8, r0);
        } else {
            m_a.mov_reg(r9, r1);
            m_a.mov_reg(r8, r2);
            if (m_p.needs_css()) // the caller's css, r3
                m_a.stx(op::k_dw, op::k_fp, m_f.key, r3);
        }
        if (cb && m_p.needs_css()) { // its own: bpf_cgroup_from_id(1), checked
            m_a.mov_imm(r1, 1);
            m_a.call_kfunc("bpf_cgroup_from_id");
            m_a.jmp(op::k_jeq, r0, 0, none);
            m_a.stx(op::k_dw, op::k_fp, m_f.key, r0);
        }
        m_a.mov_imm(r6, 0);
        m_a.mov_imm(r7, 0);
        m_in_sub = true;
        m_return = done;
        ops(call.body);
        m_in_sub = false;
        m_a.bind(done);
        if (cb && m_p.needs_css()) {
            m_a.ldx(op::k_dw, r1, op::k_fp, m_f.key);
            m_a.call_kfunc("bpf_cgroup_release");
        }
        m_a.bind(none);
        m_a.mov_imm(r0, 0);
        m_a.exit();
    }

    // The oracle's check of op o's belief about register v (emit_bpf.hpp).
    void check(const Op& o, uint8_t v) {
        if (!m_embed)
            return;
        auto it = m_point.find(&o);
        if (it == m_point.end() || it->second >= k_max_points)
            return;
        Belief b = m_embed->of(it->second);
        if (b != Belief::null && b != Belief::nonnull && b != Belief::unreached)
            return;
        m_a.ld_map(r1, MapKind::beliefs, point_off(it->second));
        if (b == Belief::unreached) {
            m_a.mov_imm(r2, 1);
        } else {
            m_a.stx(op::k_dw, r1, 0, v);
            m_a.ldx(op::k_dw, r2, r1, 0);
            m_a.mov_reg(r3, r2);
            m_a.alu_imm(op::k_neg, r3, 0);
            m_a.alu_reg(op::k_or, r2, r3);
            m_a.alu_imm(op::k_rsh, r2, 63);
            if (b == Belief::nonnull)
                m_a.alu_imm(op::k_xor, r2, 1);
        }
        m_a.atomic_add(r1, 8, r2);
        m_a.mov_imm(r2, 1); // the point was reached (its check ran)
        m_a.atomic_add(r1, 16, r2);
    }

    static uint8_t slot_of(const Op& o) { return o.slot & 1; }
    static uint8_t result_reg(uint8_t slot) { return slot == 0 ? r6 : r7; }
    Kind kind(uint8_t slot) const { return m_p.kinds[slot]; }

    static uint8_t access_size(const KindInfo& ki) { return ki.access == 8 ? op::k_dw : op::k_w; }

    // One argument of new() after the iterator, into `reg` (r2, r3, ...).
    void new_arg(const ArgSpec& a, const Op& o, uint8_t reg) {
        switch (a.arg) {
        case NewArg::task:
            m_a.mov_reg(reg, r8);
            break;
        case NewArg::css:
            if (m_in_sub)
                m_a.ldx(op::k_dw, reg, op::k_fp, m_f.key);
            else
                m_a.mov_reg(reg, r9);
            break;
        case NewArg::start:
            m_a.mov_u64(reg, o.start);
            break;
        case NewArg::value:
            m_a.mov_imm(reg, a.value);
            break;
        case NewArg::words:
            m_a.st(op::k_dw, op::k_fp, m_f.scratch, a.value);
            m_a.mov_reg(reg, op::k_fp);
            m_a.add_imm(reg, m_f.scratch);
            break;
        }
    }

    // r1 = the iterator address an operation passes.
    void address(Where w, uint8_t slot) {
        if (m_in_sub) { // only the pointer argument (program.hpp), or it + 4
            m_a.mov_reg(r1, r9);
            if (w == Where::misaligned)
                m_a.add_imm(r1, 4);
            return;
        }
        switch (w) {
        case Where::slot:
        case Where::misaligned:
            m_a.mov_reg(r1, op::k_fp);
            m_a.add_imm(r1, m_f.slot[slot] + (w == Where::misaligned ? 4 : 0));
            break;
        case Where::other:
            m_a.mov_reg(r1, op::k_fp);
            m_a.add_imm(r1, m_f.slot[1 - slot]);
            break;
        case Where::outside:
            m_a.mov_reg(r1, op::k_fp);
            m_a.add_imm(r1, m_f.slot[slot] - k_outside);
            break;
        case Where::above:
            m_a.mov_reg(r1, op::k_fp);
            m_a.add_imm(r1, 8);
            break;
        case Where::global:
            m_a.ld_map(r1, MapKind::global, slot * 8);
            break;
        case Where::map_value:
            m_a.st(op::k_w, op::k_fp, m_f.key, 0);
            m_a.ld_map(r1, MapKind::array, 0);
            m_a.mov_reg(r2, op::k_fp);
            m_a.add_imm(r2, m_f.key);
            m_a.call_helper(helper::k_map_lookup_elem);
            m_a.jmp(op::k_jeq, r0, 0, m_epilogue);
            m_a.mov_reg(r1, r0);
            if (slot == 1)
                m_a.add_imm(r1, 8);
            break;
        }
    }

    void ops(const std::vector<Op>& list) {
        for (const auto& o : list)
            one(o);
    }

    void one(const Op& o) {
        // After brk or ret in the same block: dead, and so is all it holds.
        if (!m_a.live())
            return;
        uint8_t s = slot_of(o);
        uint8_t v = result_reg(s);
        const KindInfo& ki = info(kind(s));
        switch (o.code) {
        case Op::Code::new_:
            address(o.where, s);
            for (uint8_t i = 0; i < ki.nargs; i++)
                new_arg(ki.args[i], o, static_cast<uint8_t>(r2 + i));
            m_a.call_kfunc(kfunc_of(kind(s), o.code));
            break;
        case Op::Code::next:
            address(o.where, s);
            m_a.call_kfunc(kfunc_of(kind(s), o.code));
            m_a.mov_reg(v, r0);
            check(o, v);
            break;
        case Op::Code::destroy:
            address(o.where, s);
            m_a.call_kfunc(kfunc_of(kind(s), o.code));
            break;
        case Op::Code::guard: {
            auto skip = m_a.label();
            check(o, v);
            m_a.jmp(op::k_jeq, v, 0, skip);
            ops(o.body);
            m_a.bind(skip);
            break;
        }
        case Op::Code::read:
            check(o, v);
            if (ki.field)
                m_a.field(ki.field);
            m_a.ldx(access_size(ki), r0, v, 0);
            m_a.stx(op::k_dw, op::k_fp, m_f.scratch, r0);
            break;
        case Op::Code::write:
            check(o, v);
            if (ki.field)
                m_a.field(ki.field);
            m_a.st(access_size(ki), v, 0, 0);
            break;
        case Op::Code::clobber: // in a subprogram: through the pointer
            if (m_in_sub)
                m_a.st(op::k_dw, r9, 0, 0);
            else
                m_a.st(op::k_dw, op::k_fp, m_f.slot[s], 0);
            break;
        case Op::Code::copy:
            if (m_in_sub)
                m_a.ldx(op::k_dw, r0, r9, 0);
            else
                m_a.ldx(op::k_dw, r0, op::k_fp, m_f.slot[s]);
            m_a.stx(op::k_dw, op::k_fp, m_f.scratch, r0);
            break;
        case Op::Code::call: {
            auto entry = m_a.label();
            m_a.mov_reg(r1, op::k_fp);
            m_a.add_imm(r1, m_f.slot[s]);
            m_a.mov_reg(r2, r8);
            if (m_p.needs_css())
                m_a.mov_reg(r3, r9);
            m_a.call_local(entry);
            m_subs.push_back({&o, entry});
            break;
        }
        case Op::Code::bpfloop: {
            auto entry = m_a.label();
            m_a.mov_imm(r1, 1);
            m_a.ld_func(r2, entry);
            m_a.mov_reg(r3, op::k_fp);
            m_a.add_imm(r3, m_f.slot[s]);
            m_a.mov_imm(r4, 0);
            m_a.call_helper(helper::k_loop);
            m_subs.push_back({&o, entry});
            break;
        }
        case Op::Code::loop: {
            auto head = m_a.label();
            auto after = m_a.label();
            m_a.bind(head);
            address(Where::slot, s);
            m_a.call_kfunc(kfunc_of(kind(s), Op::Code::next));
            m_a.mov_reg(v, r0);
            check(o, v);
            m_a.jmp(op::k_jeq, r0, 0, after);
            m_loops.push_back(after);
            ops(o.body);
            m_loops.pop_back();
            if (m_a.live())
                m_a.ja(head);
            m_a.bind(after);
            break;
        }
        case Op::Code::branch: {
            auto orelse = m_a.label();
            auto end = m_a.label();
            m_a.call_helper(helper::k_get_prandom_u32);
            m_a.and_imm(r0, 1);
            m_a.jmp(op::k_jeq, r0, 0, orelse);
            ops(o.body);
            if (m_a.live())
                m_a.ja(end);
            m_a.bind(orelse);
            ops(o.orelse);
            m_a.bind(end);
            break;
        }
        case Op::Code::brk:
            // Outside a loop (an invalid program) it leaves like ret.
            m_a.ja(m_loops.empty() ? m_epilogue : m_loops.back());
            break;
        case Op::Code::ret:
            m_a.ja(m_in_sub ? m_return : m_epilogue);
            break;
        }
    }

    const Program& m_p;
    const Frame m_f;
    const Beliefs* m_embed;
    std::unordered_map<const Op*, size_t> m_point; // with m_embed: preorder() index
    Asm m_a;
    Asm::Label m_epilogue = 0, m_exit = 0;
    std::vector<Asm::Label> m_loops;
    std::vector<std::pair<const Op*, Asm::Label>> m_subs; // calls emitted, in order
    bool m_in_sub = false;
    Asm::Label m_return = 0; // the subprogram's return, while m_in_sub
};

const char* helper_name(int32_t id) {
    switch (id) {
    case helper::k_map_lookup_elem:
        return "bpf_map_lookup_elem";
    case helper::k_get_prandom_u32:
        return "bpf_get_prandom_u32";
    case helper::k_get_current_task:
        return "bpf_get_current_task";
    case helper::k_get_current_task_btf:
        return "bpf_get_current_task_btf";
    case helper::k_loop:
        return "bpf_loop";
    default:
        return "";
    }
}

const char* size_name(uint8_t size) {
    switch (size) {
    case op::k_w:
        return "u32";
    case op::k_h:
        return "u16";
    case op::k_b:
        return "u8";
    default:
        return "u64";
    }
}

[[gnu::format(printf, 1, 2)]] std::string fmt(const char* f, ...) {
    char buf[160];
    va_list ap;
    va_start(ap, f);
    std::vsnprintf(buf, sizeof(buf), f, ap);
    va_end(ap);
    return buf;
}

} // namespace

std::vector<std::string> BpfProgram::kfunc_names() const {
    std::vector<std::string> out;
    for (const auto& k : kfuncs)
        out.push_back(k.name);
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

BpfProgram emit_bpf(const Program& p, const Beliefs* embed) {
    BpfProgram out = Emitter(p, embed).run();
    out.syscall = p.prog == Prog::syscall;
    return out;
}

std::string disasm(const BpfProgram& prog) {
    auto find_kfunc = [&](size_t i) -> const KfuncRef* {
        for (const auto& k : prog.kfuncs)
            if (k.insn == i)
                return &k;
        return nullptr;
    };
    auto find_map = [&](size_t i) -> const MapRef* {
        for (const auto& m : prog.maps)
            if (m.insn == i)
                return &m;
        return nullptr;
    };
    auto find_field = [&](size_t i) -> const FieldRef* {
        for (const auto& f : prog.fields)
            if (f.insn == i)
                return &f;
        return nullptr;
    };
    auto mem = [&](size_t i, uint8_t reg, int16_t off) {
        std::string s = fmt("r%u", static_cast<unsigned>(reg));
        if (const auto* f = find_field(i))
            return s + " + offsetof(" + f->field + ")" + (off ? fmt(" %+d", off) : "");
        return s + fmt(" %+d", off);
    };

    std::string out;
    const auto& in = prog.insns;
    for (size_t i = 0; i < in.size(); i++) {
        const Insn& x = in[i];
        unsigned dst = x.dst, src = x.src;
        uint8_t cls = x.code & 0x07;
        std::string text;
        if (cls == op::k_alu64 || cls == op::k_alu) {
            uint8_t o = x.code & 0xf0;
            const char* sym = o == op::k_mov   ? "="
                              : o == op::k_add ? "+="
                              : o == op::k_and ? "&="
                              : o == op::k_or  ? "|="
                              : o == op::k_xor ? "^="
                              : o == op::k_rsh ? ">>="
                                               : "?=";
            std::string rhs = (x.code & op::k_x) ? fmt("r%u", src) : fmt("%d", x.imm);
            const char* r = cls == op::k_alu64 ? "r" : "w";
            text = o == op::k_neg ? fmt("%s%u = -%s%u", r, dst, r, dst)
                                  : fmt("%s%u %s ", r, dst, sym) + rhs;
        } else if (x.code == (op::k_ld | op::k_imm | op::k_dw)) {
            int32_t hi = i + 1 < in.size() ? in[i + 1].imm : 0;
            if (x.src == op::k_pseudo_func) {
                text =
                    fmt("r%u = func pc%+d (-> %ld)", dst, x.imm, static_cast<long>(i) + 1 + x.imm);
            } else if (const auto* m = find_map(i)) {
                const char* name = m->map == MapKind::global    ? "global"
                                   : m->map == MapKind::beliefs ? "beliefs"
                                                                : "array";
                text = m->map != MapKind::array ? fmt("r%u = map[%s] + %d", dst, name, hi)
                                                : fmt("r%u = map[%s] fd", dst, name);
            } else {
                uint64_t v = (static_cast<uint64_t>(static_cast<uint32_t>(hi)) << 32) |
                             static_cast<uint32_t>(x.imm);
                text = fmt("r%u = 0x%llx ll", dst, static_cast<unsigned long long>(v));
            }
            out += fmt("%3zu: (%02x) ", i, static_cast<unsigned>(x.code)) + text + "\n";
            i++; // the second half
            continue;
        } else if (cls == op::k_ldx) {
            text =
                fmt("r%u = *(%s *)(", dst, size_name(x.code & 0x18)) + mem(i, x.src, x.off) + ")";
        } else if (cls == op::k_stx && (x.code & 0xe0) == op::k_atomic) {
            text = "lock *(" + std::string(size_name(x.code & 0x18)) + " *)(" +
                   mem(i, x.dst, x.off) + fmt(") += r%u", src);
        } else if (cls == op::k_stx) {
            text = fmt("*(%s *)(", size_name(x.code & 0x18)) + mem(i, x.dst, x.off) +
                   fmt(") = r%u", src);
        } else if (cls == op::k_st) {
            text = fmt("*(%s *)(", size_name(x.code & 0x18)) + mem(i, x.dst, x.off) +
                   fmt(") = %d", x.imm);
        } else if (cls == op::k_jmp) {
            uint8_t o = x.code & 0xf0;
            long target = static_cast<long>(i) + 1 + x.off;
            if (o == op::k_call) {
                if (x.src == op::k_pseudo_call)
                    text = fmt("call pc%+d (-> %ld)", x.imm, static_cast<long>(i) + 1 + x.imm);
                else if (const auto* k = find_kfunc(i))
                    text = "call " + k->name + "#kfunc";
                else
                    text = fmt("call %s#%d", helper_name(x.imm), x.imm);
            } else if (o == op::k_exit) {
                text = "exit";
            } else if (o == op::k_ja) {
                text = fmt("goto pc%+d (-> %ld)", x.off, target);
            } else {
                const char* cmp = o == op::k_jeq ? "==" : o == op::k_jne ? "!=" : "?";
                text = fmt("if r%u %s %d goto pc%+d (-> %ld)", dst, cmp, x.imm, x.off, target);
            }
        } else {
            text = fmt("?? imm=%d off=%d", x.imm, x.off);
        }
        out += fmt("%3zu: (%02x) ", i, static_cast<unsigned>(x.code)) + text + "\n";
    }
    return out;
}

} // namespace iterconf::gen
