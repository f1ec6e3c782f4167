#include "load/classify.hpp"

#include <gtest/gtest.h>

using namespace iterconf::load;
using iterconf::record::Verdict;

// Excerpts of real verifier logs (Linux 6.18).
static const char* k_leak_log =
    "arg#0 reference type('UNKNOWN ') size cannot be determined: -22\n"
    "0: R1=ctx() R10=fp0\n"
    "; struct task_struct *task = bpf_get_current_task_btf(); @ t1.bpf.c:29\n"
    "0: (85) call bpf_get_current_task_btf#158     ; R0=trusted_ptr_task_struct()\n"
    "5: (85) call bpf_iter_task_vma_new#64266      ; R0=scalar() "
    "fp-8=iter_task_vma(ref_id=1,state=active,depth=0) refs=1\n"
    "; return 0; @ t1.bpf.c:33\n"
    "6: (b7) r0 = 0                        ; R0=0 refs=1\n"
    "7: (95) exit\n"
    "Unreleased reference id=1 alloc_insn=5\n"
    "BPF_EXIT instruction in main prog would lead to reference leak\n"
    "processed 8 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 "
    "mark_read 0\n";

TEST(Classify, AcceptedLoad) {
    auto c = classify({0, "processed 3 insns (limit 1000000)\n", ""});
    EXPECT_EQ(c.verdict, Verdict::accept);
    EXPECT_EQ(c.message, "");
}

TEST(Classify, RejectTakesTheFirstLineAfterTheTrace) {
    auto c = classify({-22, k_leak_log, "libbpf: prog 'x': BPF program load failed"});
    EXPECT_EQ(c.verdict, Verdict::reject);
    EXPECT_EQ(c.message, "Unreleased reference id=1 alloc_insn=5");
}

TEST(Classify, RejectWithoutTrace) {
    auto c = classify({-22,
                       "cannot call kernel function from non-GPL compatible program\n"
                       "processed 0 insns (limit 1000000)\n",
                       ""});
    EXPECT_EQ(c.verdict, Verdict::reject);
    EXPECT_EQ(c.message, "cannot call kernel function from non-GPL compatible program");
}

TEST(Classify, NoVerifierLogIsLoadError) {
    auto c = classify({-3, "",
                       "libbpf: prog 'f': failed to find kernel BTF type ID of 'nope': -3\n"
                       "libbpf: prog 'f': failed to prepare load attributes: -3\n"
                       "libbpf: failed to load object 'x.bpf.o'\n"});
    EXPECT_EQ(c.verdict, Verdict::load_error);
    EXPECT_EQ(c.message, "libbpf: prog 'f': failed to find kernel BTF type ID of 'nope': -3");
    auto d = classify({-1, "",
                       "libbpf: prog 'g': BPF program load failed: Operation not permitted\n"
                       "libbpf: failed to load object 'x.bpf.o'\n"});
    EXPECT_EQ(d.message, "libbpf: prog 'g': BPF program load failed: Operation not permitted");
    EXPECT_EQ(classify({-1, "", ""}).message, "load failed: Operation not permitted");
}

TEST(Classify, InsnsProcessedAndTail) {
    EXPECT_EQ(insns_processed(k_leak_log), 8);
    EXPECT_EQ(insns_processed("no stats"), -1);
    EXPECT_EQ(insns_processed("processed x\nprocessed 12 insns"), 12);
    auto t = tail_lines(k_leak_log, 2);
    ASSERT_EQ(t.size(), 2u);
    EXPECT_EQ(t[0], "BPF_EXIT instruction in main prog would lead to reference leak");
}

TEST(Classify, ExplanationBlockAfterTheErrorLine) {
    // Debian 7.3-rc: the error line is followed by an explanation block.
    const char* log = "6: (85) call bpf_iter_task_vma_new#66358\n"
                      "R2 is scalar expected STRUCT task_struct\n"
                      "\n"
                      "Verification failed: Call Type Safety: Invalid call argument\n"
                      "\n"
                      "Reason:\n"
                      "  The second argument (R2) to bpf_iter_task_vma_new does not satisfy\n"
                      "At:\n"
                      "  >>> 47 |         bpf_iter_task_vma_new(&it, task, 0);\n"
                      "\n"
                      "Suggestion:\n"
                      "  Pass a verifier-tracked pointer to the expected kernel object type.\n"
                      "\n"
                      "processed 7 insns (limit 1000000) max_states_per_insn 0 total_states 0\n";
    auto c = classify({-13, log, ""});
    EXPECT_EQ(c.verdict, Verdict::reject);
    EXPECT_EQ(c.message, "R2 is scalar expected STRUCT task_struct");
}
