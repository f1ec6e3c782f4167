// SPDX-License-Identifier: GPL-2.0
/*
 * Test input for the runner: one accepted and one rejected program, a
 * program without kfuncs and one that reaches kfuncs through a subprogram.
 * Contract: runner test data, not part of the corpus.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"
#include "bpf_experimental.h"

SEC("raw_tp/sys_enter")
__description("walk every VMA of the current task")
__success
int walk_all_vmas(void *ctx)
{
	struct bpf_iter_task_vma it;
	struct vm_area_struct *vma;
	int n = 0;

	bpf_iter_task_vma_new(&it, bpf_get_current_task_btf(), 0);
	while ((vma = bpf_iter_task_vma_next(&it)))
		n++;
	bpf_iter_task_vma_destroy(&it);
	return n;
}

SEC("raw_tp/sys_enter")
__description("iterator never destroyed")
__failure
__msg("Unreleased reference id={{[0-9]+}}")
int forgets_destroy(void *ctx)
{
	struct bpf_iter_task_vma it;

	bpf_iter_task_vma_new(&it, bpf_get_current_task_btf(), 0);
	return 0;
}

SEC("raw_tp/sys_enter")
__description("no kfuncs at all")
__success
int no_kfuncs(void *ctx)
{
	return 0;
}

static __noinline int count_to(int n)
{
	struct bpf_iter_num it;
	int *v, sum = 0;

	bpf_iter_num_new(&it, 0, n);
	while ((v = bpf_iter_num_next(&it)))
		sum += *v;
	bpf_iter_num_destroy(&it);
	return sum;
}

SEC("raw_tp/sys_enter")
__description("kfuncs reached through a static subprogram")
__success
int via_subprog(void *ctx)
{
	return count_to(3);
}

char _license[] SEC("license") = "GPL";
