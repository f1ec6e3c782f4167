// SPDX-License-Identifier: GPL-2.0
/*
 * Test input for the runner: a kfunc name with two letters swapped
 * ("vam" for "vma"). Declared extern __ksym __weak, so it compiles; no
 * kernel has it, so it must be a harness error suggesting the right name,
 * never `unsupported` (which would count as a match).
 * Contract: runner test data, not part of the corpus.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"
#include "bpf_experimental.h"

extern int bpf_iter_task_vam_new(struct bpf_iter_task_vma *it, struct task_struct *task,
				 __u64 addr) __ksym __weak;

SEC("raw_tp/sys_enter")
__description("misspelled new()")
__success
int typo_new(void *ctx)
{
	struct bpf_iter_task_vma it;

	bpf_iter_task_vam_new(&it, bpf_get_current_task_btf(), 0);
	bpf_iter_task_vma_destroy(&it);
	return 0;
}

char _license[] SEC("license") = "GPL";
