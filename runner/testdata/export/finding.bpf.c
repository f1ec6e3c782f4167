// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_protocol finding on 6.18.44-fc-v1147: the model and the kernel disagree.
 * Contract: the reference model (runner/model) predicts reject (missing_destroy), __msg("Unreleased reference id={{[0-9]+}} alloc_insn={{[0-9]+}}"), first error at exit;
 *   the kernel's verifier says reject: "Unreleased reference id=1 alloc_insn=8".
 * The annotations below are what the kernel did, so this case passes on
 * 6.18.44-fc-v1147. Triage it before adding it under cases/findings/: a model
 * bug (fix runner/model) or a kernel bug (restore the contract's expectation
 * and list the kernel in images/known-bugs.toml).
 * Program: task=current_btf kinds=vma | new0
 * Minimized from (10 -> 1 ops, 9 loads): task=current_btf kinds=vma,num | branch{clobber1 ret branch{write0 ret ret branch{}{}}{guard1{}}}{new0}
 * Input: fuzz/corpus/fuzz_protocol/gd6cff70be7975d71 (fuzz_protocol, ITERCONF_FUZZ_INJECT=missing_destroy)
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"
#include "bpf_experimental.h"

struct gen_pair {
	__u64 v[2];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct gen_pair);
} gen_array SEC(".maps");

struct gen_pair gen_global;

/* r10 + off, opaque to clang (it rejects stack offsets it sees past 512). */
#define gen_fp(off)                                                      \
	({                                                               \
		void *p_;                                                      \
		asm volatile("%[p] = r10; %[p] += " #off : [p] "=r"(p_));  \
		p_;                                                            \
	})

SEC("tp_btf/sys_enter")
__description("task=current_btf kinds=vma | new0")
__failure
__msg("Unreleased reference id={{[0-9]+}} alloc_insn={{[0-9]+}}")
int model_missing_destroy_kernel_reject_g39024a61ddf73e2f(void *ctx)
{
	struct bpf_iter_task_vma it0;
	struct bpf_iter_task_vma it1;
	struct vm_area_struct *volatile v0 = NULL;
	struct vm_area_struct *volatile v1 = NULL;
	volatile __u64 scratch = 0;
	struct task_struct *task;

	task = bpf_get_current_task_btf();
	bpf_iter_task_vma_new(&it0, task, 0x0ULL);
	goto out;
out:
	(void)it0;
	(void)it1;
	(void)v0;
	(void)v1;
	(void)task;
	(void)scratch;
	return 0;
}

char _license[] SEC("license") = "GPL";
