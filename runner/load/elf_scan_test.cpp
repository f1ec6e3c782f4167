#include "load/elf_scan.hpp"

#include <algorithm>
#include <gtest/gtest.h>

using namespace iterconf::load;

TEST(ElfScan, FindsProgramsAndTheKfuncsEachCalls) {
    auto info = scan_elf(ITERCONF_TESTDATA_OBJ "/good.bpf.o");
    ASSERT_TRUE(info.ok()) << info.error().message();
    EXPECT_EQ(info->license, "GPL");
    auto find = [&](const std::string& n) -> const ElfProgram* {
        for (const auto& p : info->programs)
            if (p.name == n)
                return &p;
        return nullptr;
    };
    const ElfProgram* loop = find("walk_all_vmas");
    ASSERT_NE(loop, nullptr);
    EXPECT_EQ(loop->section, "raw_tp/sys_enter");
    std::vector<std::string> names;
    for (const auto& k : loop->kfuncs)
        names.push_back(k.name);
    EXPECT_EQ(names, (std::vector<std::string>{"bpf_iter_task_vma_destroy", "bpf_iter_task_vma_new",
                                               "bpf_iter_task_vma_next"}));
    EXPECT_TRUE(loop->kfuncs[0].weak);
    const ElfProgram* plain = find("no_kfuncs");
    ASSERT_NE(plain, nullptr);
    EXPECT_TRUE(plain->kfuncs.empty());
    // a program that calls a static subprogram inherits the subprogram's kfuncs
    const ElfProgram* via = find("via_subprog");
    ASSERT_NE(via, nullptr);
    EXPECT_TRUE(std::any_of(via->kfuncs.begin(), via->kfuncs.end(),
                            [](const KfuncRef& k) { return k.name == "bpf_iter_num_new"; }));
}

TEST(ElfScan, NotABpfObject) {
    auto r = scan_elf(ITERCONF_TESTDATA "/cases/good.bpf.c");
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().what.find("not an ELF file"), std::string::npos);
    EXPECT_FALSE(scan_elf("/nonexistent.bpf.o").ok());
}
