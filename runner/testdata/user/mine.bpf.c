// SPDX-License-Identifier: GPL-2.0
/*
 * A maintainer's own case, compiled by `iterconf run --cases`:
 * one accepted and one rejected program.
 * Contract: runner test data.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"
#include "bpf_experimental.h"

SEC("raw_tp/sys_enter")
__description("count the current task's VMAs")
__success
int count_vmas(void *ctx)
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
__description("next() before new()")
__failure
__msg("expected an initialized iter_task_vma as {{(arg #[01]|R1)}}")
int next_without_new(void *ctx)
{
	struct bpf_iter_task_vma it;

	bpf_iter_task_vma_next(&it);
	return 0;
}

char _license[] SEC("license") = "GPL";
