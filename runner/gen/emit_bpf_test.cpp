#include "gen/emit_bpf.hpp"
#include "gen/random.hpp"

#include <cstring>
#include <gtest/gtest.h>
#include <random>

namespace iterconf::gen {
namespace {

using C = Op::Code;

Op mk(C code, uint8_t slot = 0, std::vector<Op> body = {}, std::vector<Op> orelse = {}) {
    Op o;
    o.code = code;
    o.slot = slot;
    o.body = std::move(body);
    o.orelse = std::move(orelse);
    return o;
}

Op at(C code, uint8_t slot, Where w) {
    Op o = mk(code, slot);
    o.where = w;
    return o;
}

Op new_at(uint8_t slot, uint64_t start) {
    Op o = mk(C::new_, slot);
    o.start = start;
    return o;
}

Program prog(Task t, std::vector<Op> ops, Kind k0 = Kind::task_vma, Kind k1 = Kind::task_vma) {
    Program p;
    p.task = t;
    p.kinds = {k0, k1};
    p.ops = std::move(ops);
    return p;
}

bool is_ld_imm64(const Insn& x) {
    return x.code == (op::k_ld | op::k_imm | op::k_dw);
}

bool is_cond_or_ja(const Insn& x) {
    uint8_t cls = x.code & 7, o = x.code & 0xf0;
    return cls == op::k_jmp && o != op::k_call && o != op::k_exit;
}

size_t target_of(const BpfProgram& b, size_t i) {
    return static_cast<size_t>(static_cast<long>(i) + 1 + b.insns[i].off);
}

// Invariants every emitted program must hold, whatever its shape.
void check_well_formed(const BpfProgram& b, const std::string& what) {
    SCOPED_TRACE(what);
    ASSERT_FALSE(b.insns.empty());
    EXPECT_EQ(b.insns.back().code, op::k_jmp | op::k_exit);
    std::vector<bool> second_half(b.insns.size(), false);
    for (size_t i = 0; i < b.insns.size(); i++)
        if (is_ld_imm64(b.insns[i])) {
            ASSERT_LT(i + 1, b.insns.size());
            second_half[i + 1] = true;
            EXPECT_EQ(b.insns[i + 1].code, 0);
            i++;
        }
    for (size_t i = 0; i < b.insns.size(); i++) {
        if (second_half[i] || !is_cond_or_ja(b.insns[i]))
            continue;
        size_t t = target_of(b, i);
        ASSERT_LT(t, b.insns.size()) << "insn " << i << " jumps out of the program";
        EXPECT_FALSE(second_half[t]) << "insn " << i << " jumps into an ld_imm64";
        EXPECT_NE(b.insns[i].off, -1) << "insn " << i << " jumps to itself";
    }
    // Every instruction is reachable (the verifier's check_cfg() rejects
    // "unreachable insn N"), and no path falls off the end.
    std::vector<bool> seen(b.insns.size(), false);
    std::vector<size_t> work = {0};
    while (!work.empty()) {
        size_t i = work.back();
        work.pop_back();
        ASSERT_LT(i, b.insns.size()) << "falls off the end";
        if (seen[i])
            continue;
        seen[i] = true;
        const Insn& x = b.insns[i];
        if (x.code == (op::k_jmp | op::k_exit))
            continue;
        if (is_ld_imm64(x)) {
            seen[i + 1] = true;
            work.push_back(i + 2);
            if (x.src == op::k_pseudo_func)
                work.push_back(static_cast<size_t>(static_cast<long>(i) + 1 + x.imm));
        } else if (x.code == (op::k_jmp | op::k_call) && x.src == op::k_pseudo_call) {
            work.push_back(static_cast<size_t>(static_cast<long>(i) + 1 + x.imm));
            work.push_back(i + 1);
        } else if (is_cond_or_ja(x)) {
            work.push_back(target_of(b, i));
            if ((x.code & 0xf0) != op::k_ja)
                work.push_back(i + 1);
        } else {
            work.push_back(i + 1);
        }
    }
    for (size_t i = 0; i < b.insns.size(); i++)
        EXPECT_TRUE(seen[i]) << "unreachable insn " << i << "\n" << disasm(b);
    for (const auto& k : b.kfuncs) {
        ASSERT_LT(k.insn, b.insns.size());
        EXPECT_EQ(b.insns[k.insn].code, op::k_jmp | op::k_call) << k.name;
        EXPECT_EQ(b.insns[k.insn].src, op::k_pseudo_kfunc_call) << k.name;
        EXPECT_EQ(b.insns[k.insn].imm, 0) << k.name;
    }
    for (const auto& m : b.maps) {
        ASSERT_LT(m.insn + 1, b.insns.size());
        EXPECT_TRUE(is_ld_imm64(b.insns[m.insn]));
        EXPECT_EQ(b.insns[m.insn].src,
                  m.map == MapKind::global ? op::k_pseudo_map_value : op::k_pseudo_map_fd);
        EXPECT_EQ(b.insns[m.insn].imm, 0);
    }
    for (const auto& f : b.fields) {
        ASSERT_LT(f.insn, b.insns.size());
        uint8_t cls = b.insns[f.insn].code & 7;
        EXPECT_TRUE(cls == op::k_ldx || cls == op::k_st) << f.field;
        EXPECT_EQ(b.insns[f.insn].off, 0) << f.field;
    }
    // Helper calls: only the five the emitter knows.
    for (size_t i = 0; i < b.insns.size(); i++)
        if (b.insns[i].code == (op::k_jmp | op::k_call) && b.insns[i].src == 0) {
            int32_t id = b.insns[i].imm;
            EXPECT_TRUE(id == helper::k_map_lookup_elem || id == helper::k_get_prandom_u32 ||
                        id == helper::k_get_current_task || id == helper::k_get_current_task_btf ||
                        id == helper::k_loop)
                << "insn " << i << " calls helper " << id;
        }
}

TEST(EmitBpf, InsnHasTheLayoutOfBpfInsn) {
    Insn x;
    x.code = 0xb7;
    x.dst = 1;
    x.src = 2;
    x.off = -1;
    x.imm = 5;
    unsigned char bytes[8];
    static_assert(sizeof(x) == sizeof(bytes));
    std::memcpy(bytes, &x, sizeof(bytes));
    const unsigned char want[8] = {0xb7, 0x21, 0xff, 0xff, 0x05, 0x00, 0x00, 0x00};
    EXPECT_EQ(std::memcmp(bytes, want, 8), 0);
}

TEST(EmitBpf, EmptyProgramWithNullTask) {
    auto b = emit_bpf(prog(Task::null, {}));
    EXPECT_EQ(disasm(b), "  0: (b7) r6 = 0\n"
                         "  1: (b7) r7 = 0\n"
                         "  2: (b7) r8 = 0\n"
                         "  3: (b7) r0 = 0\n"
                         "  4: (95) exit\n");
    EXPECT_TRUE(b.kfuncs.empty());
    EXPECT_TRUE(b.maps.empty());
    EXPECT_TRUE(b.fields.empty());
}

TEST(EmitBpf, CanonicalLoop) {
    auto b = emit_bpf(
        prog(Task::current_btf, {mk(C::new_), mk(C::loop, 0, {mk(C::read)}), mk(C::destroy)}));
    EXPECT_EQ(disasm(b), "  0: (b7) r6 = 0\n"
                         "  1: (b7) r7 = 0\n"
                         "  2: (85) call bpf_get_current_task_btf#158\n"
                         "  3: (bf) r8 = r0\n"
                         "  4: (bf) r1 = r10\n"
                         "  5: (07) r1 += -8\n"
                         "  6: (bf) r2 = r8\n"
                         "  7: (b7) r3 = 0\n"
                         "  8: (85) call bpf_iter_task_vma_new#kfunc\n"
                         "  9: (bf) r1 = r10\n"
                         " 10: (07) r1 += -8\n"
                         " 11: (85) call bpf_iter_task_vma_next#kfunc\n"
                         " 12: (bf) r6 = r0\n"
                         " 13: (15) if r0 == 0 goto pc+3 (-> 17)\n"
                         " 14: (79) r0 = *(u64 *)(r6 + offsetof(vm_area_struct.vm_start))\n"
                         " 15: (7b) *(u64 *)(r10 -24) = r0\n"
                         " 16: (05) goto pc-8 (-> 9)\n"
                         " 17: (bf) r1 = r10\n"
                         " 18: (07) r1 += -8\n"
                         " 19: (85) call bpf_iter_task_vma_destroy#kfunc\n"
                         " 20: (b7) r0 = 0\n"
                         " 21: (95) exit\n");
    std::vector<KfuncRef> want = {{8, "bpf_iter_task_vma_new"},
                                  {11, "bpf_iter_task_vma_next"},
                                  {19, "bpf_iter_task_vma_destroy"}};
    EXPECT_EQ(b.kfuncs, want);
    std::vector<FieldRef> fields = {{14, "vm_area_struct.vm_start"}};
    EXPECT_EQ(b.fields, fields);
    EXPECT_EQ(b.kfunc_names(),
              (std::vector<std::string>{"bpf_iter_task_vma_destroy", "bpf_iter_task_vma_new",
                                        "bpf_iter_task_vma_next"}));
    check_well_formed(b, "canonical");
}

TEST(EmitBpf, PidCheckedReleasesOnEveryExit) {
    auto b = emit_bpf(prog(Task::pid_checked, {mk(C::new_), mk(C::ret), mk(C::destroy)}));
    const auto& in = b.insns;
    // prologue: r1 = 1; call bpf_task_from_pid; r8 = r0; if r8 == 0 goto exit
    ASSERT_GE(b.kfuncs.size(), 1u);
    EXPECT_EQ(b.kfuncs.front().name, "bpf_task_from_pid");
    EXPECT_EQ(b.kfuncs.front().insn, 3u);
    EXPECT_EQ(in[2].imm, 1);
    EXPECT_EQ(in[5].code, op::k_jmp | op::k_jeq | op::k_k);
    EXPECT_EQ(in[5].dst, 8);
    size_t exit_label = in.size() - 2; // r0 = 0; exit
    EXPECT_EQ(target_of(b, 5), exit_label);
    // epilogue: if r8 == 0 goto exit; r1 = r8; call bpf_task_release
    EXPECT_EQ(b.kfuncs.back().name, "bpf_task_release");
    size_t epilogue = b.kfuncs.back().insn - 2;
    EXPECT_EQ(target_of(b, epilogue), exit_label);
    EXPECT_EQ(in[epilogue + 1].dst, 1);
    EXPECT_EQ(in[epilogue + 1].src, 8);
    // `ret` (the goto right after new's call) jumps to the epilogue.
    size_t ret = b.kfuncs[1].insn + 1;
    EXPECT_EQ(in[ret].code, op::k_jmp | op::k_ja);
    EXPECT_EQ(target_of(b, ret), epilogue);
    check_well_formed(b, "pid_checked");
}

TEST(EmitBpf, PidUncheckedHasNoNullCheckButReleasesIfNonNull) {
    auto b = emit_bpf(prog(Task::pid_unchecked, {}));
    EXPECT_EQ(disasm(b), "  0: (b7) r6 = 0\n"
                         "  1: (b7) r7 = 0\n"
                         "  2: (b7) r1 = 1\n"
                         "  3: (85) call bpf_task_from_pid#kfunc\n"
                         "  4: (bf) r8 = r0\n"
                         "  5: (15) if r8 == 0 goto pc+2 (-> 8)\n"
                         "  6: (bf) r1 = r8\n"
                         "  7: (85) call bpf_task_release#kfunc\n"
                         "  8: (b7) r0 = 0\n"
                         "  9: (95) exit\n");
}

TEST(EmitBpf, TaskSources) {
    auto scalar = emit_bpf(prog(Task::current_scalar, {}));
    EXPECT_EQ(scalar.insns[2].code, op::k_jmp | op::k_call);
    EXPECT_EQ(scalar.insns[2].imm, helper::k_get_current_task);

    auto walked = emit_bpf(prog(Task::walked, {}));
    EXPECT_EQ(walked.insns[2].imm, helper::k_get_current_task_btf);
    std::vector<FieldRef> f = {{3, "task_struct.last_wakee"}};
    EXPECT_EQ(walked.fields, f);
    EXPECT_EQ(walked.insns[3].code, op::k_ldx | op::k_mem | op::k_dw);
    EXPECT_EQ(walked.insns[3].dst, 8);
    EXPECT_EQ(walked.insns[3].src, 0);
}

TEST(EmitBpf, StartAddressUsesLdImm64OnlyWhenNeeded) {
    auto small = emit_bpf(prog(Task::current_btf, {new_at(0, 0x400000)}));
    EXPECT_NE(disasm(small).find("r3 = 4194304\n"), std::string::npos) << disasm(small);

    auto big = emit_bpf(prog(Task::current_btf, {new_at(0, 0x7fffdeadbeefull)}));
    std::string d = disasm(big);
    EXPECT_NE(d.find("r3 = 0x7fffdeadbeef ll"), std::string::npos) << d;
    // 0x80000000 does not sign-extend from 32 bits.
    auto edge = emit_bpf(prog(Task::current_btf, {new_at(0, 0x80000000ull)}));
    EXPECT_NE(disasm(edge).find("r3 = 0x80000000 ll"), std::string::npos) << disasm(edge);
    // ~0 does: mov r3, -1.
    auto all = emit_bpf(prog(Task::current_btf, {new_at(0, ~0ull)}));
    EXPECT_NE(disasm(all).find("r3 = -1\n"), std::string::npos) << disasm(all);
    check_well_formed(big, "big start");
}

TEST(EmitBpf, Addresses) {
    auto b = emit_bpf(prog(Task::current_btf,
                           {at(C::new_, 1, Where::misaligned), at(C::next, 0, Where::global),
                            at(C::next, 1, Where::global), at(C::destroy, 1, Where::map_value)}));
    std::string d = disasm(b);
    EXPECT_NE(d.find("r1 += -12\n"), std::string::npos) << d;
    EXPECT_NE(d.find("r1 = map[global] + 0\n"), std::string::npos) << d;
    EXPECT_NE(d.find("r1 = map[global] + 8\n"), std::string::npos) << d;
    EXPECT_NE(d.find("r1 = map[array] fd\n"), std::string::npos) << d;
    ASSERT_EQ(b.maps.size(), 3u);
    EXPECT_EQ(b.maps[0].map, MapKind::global);
    EXPECT_EQ(b.insns[b.maps[0].insn + 1].imm, 0);
    EXPECT_EQ(b.insns[b.maps[1].insn + 1].imm, 8);
    EXPECT_EQ(b.maps[2].map, MapKind::array);
    // The map_value lookup: key at fp-32, NULL -> epilogue, r1 = r0 + 8.
    EXPECT_NE(d.find("*(u32 *)(r10 -32) = 0\n"), std::string::npos) << d;
    EXPECT_NE(d.find("r2 += -32\n"), std::string::npos) << d;
    EXPECT_NE(d.find("call bpf_map_lookup_elem#1\n"), std::string::npos) << d;
    size_t lookup = b.maps[2].insn + 4; // ld_imm64 (2), r2 = r10, r2 += -32, call
    EXPECT_EQ(b.insns[lookup].imm, helper::k_map_lookup_elem);
    EXPECT_EQ(target_of(b, lookup + 1), b.insns.size() - 2); // epilogue (no release)
    EXPECT_EQ(b.insns[lookup + 2].dst, 1);
    EXPECT_EQ(b.insns[lookup + 2].src, 0);
    EXPECT_EQ(b.insns[lookup + 3].imm, 8);
    // next() writes slot 1's result into r7.
    EXPECT_NE(d.find("r7 = r0\n"), std::string::npos) << d;
    check_well_formed(b, "addresses");
}

TEST(EmitBpf, AddressesOutsideTheSlot) {
    // other: the other slot's address; outside: 1024 below the slot; above: fp+8.
    auto b = emit_bpf(
        prog(Task::current_btf, {at(C::new_, 0, Where::other), at(C::next, 1, Where::other),
                                 at(C::new_, 1, Where::outside), at(C::destroy, 0, Where::above)}));
    std::string d = disasm(b);
    size_t p = d.find("r1 += -16\n");
    ASSERT_NE(p, std::string::npos) << d;
    p = d.find("r1 += -8\n", p);
    ASSERT_NE(p, std::string::npos) << d;
    p = d.find("r1 += -1040\n", p);
    ASSERT_NE(p, std::string::npos) << d;
    EXPECT_NE(d.find("r1 += 8\n", p), std::string::npos) << d;
    check_well_formed(b, "outside addresses");
}

TEST(EmitBpf, SubprogramIsAPseudoCallAfterTheMainProgram) {
    auto b = emit_bpf(prog(
        Task::current_btf,
        {mk(C::new_), mk(C::call, 0, {mk(C::next), mk(C::ret), mk(C::read)}), mk(C::destroy)}));
    std::string d = disasm(b);
    // The call: r1 = fp-8, r2 = the task, call into the subprogram.
    size_t call = 0;
    for (size_t i = 0; i < b.insns.size(); i++)
        if (b.insns[i].code == (op::k_jmp | op::k_call) && b.insns[i].src == op::k_pseudo_call)
            call = i;
    ASSERT_NE(call, 0u) << d;
    EXPECT_EQ(b.insns[call - 1].dst, 2);
    EXPECT_EQ(b.insns[call - 1].src, 8);
    size_t entry = static_cast<size_t>(static_cast<long>(call) + 1 + b.insns[call].imm);
    // The main program's exit comes right before the subprogram.
    EXPECT_EQ(b.insns[entry - 1].code, op::k_jmp | op::k_exit) << d;
    EXPECT_NE(d.find("r9 = r1\n"), std::string::npos) << d;
    EXPECT_NE(d.find("r8 = r2\n"), std::string::npos) << d;
    // In the subprogram next() takes the pointer argument; read after ret is dead.
    EXPECT_NE(d.find("r1 = r9\n"), std::string::npos) << d;
    EXPECT_TRUE(b.fields.empty()) << d;
    EXPECT_EQ(b.kfunc_names(),
              (std::vector<std::string>{"bpf_iter_task_vma_destroy", "bpf_iter_task_vma_new",
                                        "bpf_iter_task_vma_next"}));
    check_well_formed(b, "subprogram");
}

TEST(EmitBpf, BpfLoopPassesTheCallbackAndTheIterator) {
    auto b = emit_bpf(prog(Task::null, {mk(C::new_), mk(C::bpfloop, 0, {mk(C::destroy)})}));
    std::string d = disasm(b);
    size_t ld = 0;
    for (size_t i = 0; i < b.insns.size(); i++)
        if (is_ld_imm64(b.insns[i]) && b.insns[i].src == op::k_pseudo_func)
            ld = i;
    ASSERT_NE(ld, 0u) << d;
    size_t entry = static_cast<size_t>(static_cast<long>(ld) + 1 + b.insns[ld].imm);
    EXPECT_NE(d.find("r3 += -8\n"), std::string::npos) << d;
    EXPECT_NE(d.find("call bpf_loop#181\n"), std::string::npos) << d;
    // The callback: r9 = ctx, its own current task, after the main program.
    EXPECT_EQ(b.insns[entry - 1].code, op::k_jmp | op::k_exit) << d;
    EXPECT_EQ(b.insns[entry].dst, 9);
    EXPECT_EQ(b.insns[entry].src, 2);
    EXPECT_EQ(b.insns[entry + 1].imm, helper::k_get_current_task_btf);
    ASSERT_EQ(b.funcs.size(), 2u);
    EXPECT_EQ(b.funcs[0].kind, FuncKind::main);
    EXPECT_EQ(b.funcs[1].kind, FuncKind::callback);
    EXPECT_EQ(b.funcs[1].insn, entry);
    check_well_formed(b, "bpf_loop");
}

TEST(EmitBpf, NumKindUsesNumKfuncsAndU32Access) {
    auto b = emit_bpf(
        prog(Task::current_btf,
             {mk(C::new_, 1), mk(C::loop, 1, {mk(C::read, 1), mk(C::write, 1)}), mk(C::destroy, 1)},
             Kind::task_vma, Kind::num));
    std::string d = disasm(b);
    EXPECT_NE(d.find("r2 = 0\n"), std::string::npos) << d;
    EXPECT_NE(d.find("r3 = 3\n"), std::string::npos) << d;
    EXPECT_NE(d.find("r0 = *(u32 *)(r7 +0)\n"), std::string::npos) << d;
    EXPECT_NE(d.find("*(u32 *)(r7 +0) = 0\n"), std::string::npos) << d;
    EXPECT_TRUE(b.fields.empty());
    EXPECT_EQ(b.kfunc_names(), (std::vector<std::string>{"bpf_iter_num_destroy", "bpf_iter_num_new",
                                                         "bpf_iter_num_next"}));
    check_well_formed(b, "num");
}

// bits (16 bytes, two stack slots): the frame's stride is 16 (slot 0 at
// fp-16, slot 1 at fp-32, scratch at fp-40), new() gets a pointer to the
// scratch word holding the bits, and one word.
TEST(EmitBpf, BitsKindFromTheTable) {
    Program p = prog(Task::current_btf,
                     {mk(C::new_, 1), mk(C::loop, 1, {mk(C::read, 1)}), mk(C::destroy, 1)},
                     Kind::task_vma, Kind::bits);
    EXPECT_EQ(p.frame().slot[0], -16);
    EXPECT_EQ(p.frame().slot[1], -32);
    EXPECT_EQ(p.frame().scratch, -40);
    auto b = emit_bpf(p);
    std::string d = disasm(b);
    EXPECT_NE(d.find("r1 += -32\n"), std::string::npos) << d;
    EXPECT_NE(d.find("*(u64 *)(r10 -40) = 37\n"), std::string::npos) << d;
    EXPECT_NE(d.find("r2 += -40\n"), std::string::npos) << d;
    EXPECT_NE(d.find("r3 = 1\n"), std::string::npos) << d;
    EXPECT_NE(d.find("r0 = *(u32 *)(r7 +0)\n"), std::string::npos) << d;
    EXPECT_EQ(b.kfunc_names(),
              (std::vector<std::string>{"bpf_iter_bits_destroy", "bpf_iter_bits_new",
                                        "bpf_iter_bits_next"}));
    check_well_formed(b, "bits");
    // 8-byte kinds keep the frame of before.
    Program q = prog(Task::current_btf, {}, Kind::task_vma, Kind::num);
    EXPECT_EQ(q.frame().slot[0], -8);
    EXPECT_EQ(q.frame().slot[1], -16);
    EXPECT_EQ(q.frame().scratch, -24);
    EXPECT_EQ(q.frame().key, -32);
}

// css/css_task take the css source of gen/program.hpp in r9: current_btf
// acquires bpf_cgroup_from_id(1), NULL-checked, and releases it at the exit;
// a subprogram gets it as r3 (spilled to the key's u64), a bpf_loop callback
// acquires and releases its own; kinds without a css emit none of it.
TEST(EmitBpf, CssSourceAndProgramType) {
    Program p = prog(Task::current_btf, {mk(C::new_), mk(C::destroy)}, Kind::css, Kind::css);
    auto b = emit_bpf(p);
    std::string d = disasm(b);
    EXPECT_NE(d.find("call bpf_cgroup_from_id#kfunc\n"), std::string::npos) << d;
    EXPECT_NE(d.find("r9 = r0\n"), std::string::npos) << d;
    EXPECT_NE(d.find("if r9 == 0 goto"), std::string::npos) << d;
    EXPECT_NE(d.find("r2 = r9\n"), std::string::npos) << d;
    EXPECT_NE(d.find("r3 = 2\n"), std::string::npos) << d; // BPF_CGROUP_ITER_DESCENDANTS_PRE
    EXPECT_EQ(b.kfunc_names(),
              (std::vector<std::string>{"bpf_cgroup_from_id", "bpf_cgroup_release",
                                        "bpf_iter_css_destroy", "bpf_iter_css_new"}));
    EXPECT_FALSE(b.syscall);
    check_well_formed(b, "css");
    // walked: task->cgroups->dfl_cgrp, nothing to release
    auto w = emit_bpf(prog(Task::walked, {mk(C::new_)}, Kind::css, Kind::css));
    std::string dw = disasm(w);
    EXPECT_NE(dw.find("offsetof(css_set.dfl_cgrp)"), std::string::npos) << dw;
    EXPECT_EQ(dw.find("bpf_cgroup_release"), std::string::npos) << dw;
    // a callback's own css
    auto cb = emit_bpf(
        prog(Task::null, {mk(C::bpfloop, 0, {mk(C::new_)})}, Kind::css_task, Kind::css_task));
    std::string dc = disasm(cb);
    EXPECT_EQ(dc.find("bpf_cgroup_from_id"), dc.rfind("bpf_cgroup_from_id")) << dc;
    EXPECT_NE(dc.find("*(u64 *)(r10 -32) = r0\n"), std::string::npos) << dc;
    check_well_formed(cb, "css_task callback");
    // no css kind: no cgroup
    EXPECT_EQ(disasm(emit_bpf(prog(Task::current_btf, {mk(C::new_)}))).find("cgroup"),
              std::string::npos);
    // the program type travels with the instructions
    Program s =
        prog(Task::current_btf, {mk(C::new_), mk(C::destroy)}, Kind::kmem_cache, Kind::kmem_cache);
    s.prog = Prog::syscall;
    EXPECT_TRUE(emit_bpf(s).syscall);
}

TEST(EmitBpf, WriteClobberCopy) {
    auto b =
        emit_bpf(prog(Task::current_btf, {mk(C::write, 0), mk(C::clobber, 1), mk(C::copy, 0)}));
    std::string d = disasm(b);
    EXPECT_NE(d.find("*(u64 *)(r6 + offsetof(vm_area_struct.vm_start)) = 0\n"), std::string::npos)
        << d;
    EXPECT_NE(d.find("*(u64 *)(r10 -16) = 0\n"), std::string::npos) << d;
    EXPECT_NE(d.find("r0 = *(u64 *)(r10 -8)\n"), std::string::npos) << d;
    EXPECT_NE(d.find("*(u64 *)(r10 -24) = r0\n"), std::string::npos) << d;
    ASSERT_EQ(b.fields.size(), 1u);
    EXPECT_EQ(b.insns[b.fields[0].insn].code, op::k_st | op::k_mem | op::k_dw);
}

TEST(EmitBpf, GuardSkipsItsBody) {
    auto b = emit_bpf(prog(Task::current_btf, {mk(C::guard, 1, {mk(C::read, 1), mk(C::read, 1)})}));
    // 0-3 prologue; 4: if r7 == 0 goto +4; 5-8 two reads; 9: r0 = 0
    EXPECT_EQ(b.insns[4].dst, 7);
    EXPECT_EQ(b.insns[4].code, op::k_jmp | op::k_jeq | op::k_k);
    EXPECT_EQ(target_of(b, 4), 9u);
}

TEST(EmitBpf, BreakLeavesTheInnermostLoop) {
    // loop0{ loop1{ guard1{brk} read1 } guard0{brk} }
    auto b = emit_bpf(prog(Task::current_btf,
                           {mk(C::loop, 0,
                               {mk(C::loop, 1, {mk(C::guard, 1, {mk(C::brk)}), mk(C::read, 1)}),
                                mk(C::guard, 0, {mk(C::brk)})})}));
    // 4-8 outer head (r1 = r10; r1 += -8; call next; r6 = r0; if r0 == 0 goto 22)
    // 9-13 inner head (r7; if r0 == 0 goto 19); 14 guard1; 15 brk -> 19;
    // 16-17 read1; 18 goto 9; 19 guard0; 20 brk -> 22; 21 goto 4; 22 r0 = 0
    std::string d = disasm(b);
    ASSERT_EQ(b.insns.size(), 24u) << d;
    EXPECT_EQ(target_of(b, 8), 22u) << d;  // outer exit
    EXPECT_EQ(target_of(b, 13), 19u) << d; // inner exit
    EXPECT_EQ(target_of(b, 14), 16u) << d; // guard1 skips brk
    EXPECT_EQ(target_of(b, 15), 19u) << d; // inner brk
    EXPECT_EQ(target_of(b, 18), 9u) << d;  // inner back edge
    EXPECT_EQ(target_of(b, 20), 22u) << d; // outer brk
    EXPECT_EQ(target_of(b, 21), 4u) << d;  // outer back edge
    EXPECT_EQ(b.insns[12].dst, 7) << d;    // slot 1's next() result in r7
    EXPECT_EQ(b.insns[14].dst, 7) << d;
    EXPECT_EQ(b.insns[19].dst, 6) << d;
    check_well_formed(b, "nested");
}

TEST(EmitBpf, BranchHasBothArms) {
    auto b = emit_bpf(
        prog(Task::current_btf, {mk(C::branch, 0, {mk(C::clobber)}, {mk(C::clobber, 1)})}));
    // 4: call prandom; 5: r0 &= 1; 6: if r0 == 0 goto 9; 7: body; 8: goto 10; 9: else; 10: r0 = 0
    EXPECT_EQ(b.insns[4].imm, helper::k_get_prandom_u32);
    EXPECT_EQ(b.insns[5].code, op::k_alu64 | op::k_and | op::k_k);
    EXPECT_EQ(b.insns[5].imm, 1);
    EXPECT_EQ(target_of(b, 6), 9u);
    EXPECT_EQ(target_of(b, 8), 10u);
    EXPECT_EQ(b.insns[7].off, -8);
    EXPECT_EQ(b.insns[9].off, -16);
    // Empty arms still give well-formed jumps (goto +0 is fine).
    auto empty = emit_bpf(prog(Task::current_btf, {mk(C::branch)}));
    check_well_formed(empty, "empty branch");
}

TEST(EmitBpf, UnreachableCodeIsNotEmitted) {
    // loop0{read0 brk}: no back edge after brk.
    auto loop = emit_bpf(prog(Task::current_btf, {mk(C::loop, 0, {mk(C::read), mk(C::brk)})}));
    // 4-8 head; 9-10 read; 11 brk -> 12; 12 r0 = 0
    ASSERT_EQ(loop.insns.size(), 14u) << disasm(loop);
    EXPECT_EQ(target_of(loop, 11), 12u);
    check_well_formed(loop, "loop ending in brk");

    // Ops after ret are dropped, nested ones too.
    auto after_ret = emit_bpf(
        prog(Task::current_btf, {mk(C::ret), mk(C::loop, 0, {mk(C::read)}), mk(C::destroy)}));
    EXPECT_EQ(after_ret, emit_bpf(prog(Task::current_btf, {mk(C::ret)})));
    EXPECT_TRUE(after_ret.fields.empty());

    // branch{ret}{}: no jump over the (empty) else arm.
    auto br = emit_bpf(prog(Task::current_btf, {mk(C::branch, 0, {mk(C::ret)}), mk(C::clobber)}));
    // 4 call; 5 &=; 6 if r0 == 0 goto 8; 7 ret -> 9 (epilogue); 8 clobber; 9 r0 = 0
    ASSERT_EQ(br.insns.size(), 11u) << disasm(br);
    EXPECT_EQ(target_of(br, 6), 8u);
    EXPECT_EQ(target_of(br, 7), 9u);
    check_well_formed(br, "branch ending in ret");

    // Both arms end in ret: what follows the branch is dead.
    auto both = emit_bpf(prog(Task::pid_checked, {mk(C::branch, 0, {mk(C::ret)}, {mk(C::ret)}),
                                                  mk(C::new_), mk(C::destroy)}));
    EXPECT_EQ(both.kfunc_names(),
              (std::vector<std::string>{"bpf_task_from_pid", "bpf_task_release"}));
    check_well_formed(both, "both arms return");
}

TEST(EmitBpf, RandomProgramsAreWellFormedAndDeterministic) {
    std::mt19937 rng(12345);
    for (int i = 0; i < 5000; i++) {
        Program p = prog(static_cast<Task>(rng() % 6), random_ops(rng, {}),
                         static_cast<Kind>(rng() % 2), static_cast<Kind>(rng() % 2));
        ASSERT_EQ(p.validate(), "") << p.text();
        auto b = emit_bpf(p);
        check_well_formed(b, p.text());
        EXPECT_EQ(b, emit_bpf(p)) << p.text();
        if (HasFatalFailure())
            return;
    }
}

} // namespace
} // namespace iterconf::gen
