// SPDX-License-Identifier: GPL-2.0
/*
 * task_vma: nested iterators.
 * Contract: every iterator is its own stack object with its own reference;
 * an inner iterator created and destroyed inside the outer loop body keeps
 * the outer one intact, and each is destroyed on every path.
 * Enforced by: kernel/bpf/verifier.c process_iter_next_call() and the
 * iterator convergence checks (is_state_visited(), states_equal() in EXACT /
 * RANGE_WITHIN mode at the iter_next call) -- accepted: both loops converge.
 * Applies: every kernel with the kfunc (6.7+); older kernels -> unsupported (automatic).
 * Upstream analogue: selftests iters.c iter_nested_iters (num iterators).
 * Runtime note: with the original mmap_lock implementation (6.7 .. 7.0, before
 * the 2026 per-VMA-lock rework) the inner new() takes the same mm read lock
 * again with a trylock, which may fail (-EBUSY) under a waiting writer; the
 * programs handle that because next() then simply returns NULL.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"
#include "bpf_experimental.h"

u64 overlap_bytes;
u64 weighted;

SEC("raw_tp/sys_enter")
__description("two nested task_vma iterators, inner restarting at the outer vm_start")
__success
int nested_task_vma_restart_at_outer(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct bpf_iter_task_vma outer, inner;
	struct vm_area_struct *ov, *iv;
	u64 total = 0;

	bpf_iter_task_vma_new(&outer, task, 0);
	while ((ov = bpf_iter_task_vma_next(&outer))) {
		bpf_iter_task_vma_new(&inner, task, ov->vm_start);
		while ((iv = bpf_iter_task_vma_next(&inner))) {
			total += iv->vm_end - iv->vm_start;
			/* look two VMAs ahead at most */
			if (iv->vm_start > ov->vm_end)
				break;
		}
		bpf_iter_task_vma_destroy(&inner);
	}
	bpf_iter_task_vma_destroy(&outer);

	overlap_bytes = total;
	return 0;
}

SEC("raw_tp/sys_enter")
__description("two nested task_vma iterators, the inner one left early via new() failure")
__success
int nested_task_vma_inner_new_checked(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct bpf_iter_task_vma outer, inner;
	struct vm_area_struct *ov, *iv;
	u64 total = 0;

	bpf_iter_task_vma_new(&outer, task, 0);
	while ((ov = bpf_iter_task_vma_next(&outer))) {
		if (bpf_iter_task_vma_new(&inner, task, ov->vm_end)) {
			bpf_iter_task_vma_destroy(&inner);
			continue;
		}
		iv = bpf_iter_task_vma_next(&inner);
		if (iv)
			total += iv->vm_start - ov->vm_end;
		bpf_iter_task_vma_destroy(&inner);
	}
	bpf_iter_task_vma_destroy(&outer);

	overlap_bytes = total;
	return 0;
}

SEC("raw_tp/sys_enter")
__description("task_vma iterator nested inside a num iterator")
__success
int task_vma_inside_num(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct bpf_iter_task_vma it;
	struct bpf_iter_num num;
	struct vm_area_struct *vma;
	int *round;
	u64 total = 0;

	bpf_iter_num_new(&num, 0, 3);
	while ((round = bpf_iter_num_next(&num))) {
		bpf_iter_task_vma_new(&it, task, 0);
		while ((vma = bpf_iter_task_vma_next(&it)))
			total += (vma->vm_end - vma->vm_start) >> 12;
		bpf_iter_task_vma_destroy(&it);
	}
	bpf_iter_num_destroy(&num);

	weighted = total;
	return 0;
}

SEC("raw_tp/sys_enter")
__description("num iterator nested inside a task_vma iterator")
__success
int num_inside_task_vma(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct bpf_iter_task_vma it;
	struct bpf_iter_num num;
	struct vm_area_struct *vma;
	int *i;
	u64 total = 0;

	bpf_iter_task_vma_new(&it, task, 0);
	while ((vma = bpf_iter_task_vma_next(&it))) {
		bpf_iter_num_new(&num, 0, 4);
		while ((i = bpf_iter_num_next(&num)))
			total += vma->vm_start >> (*i & 3);
		bpf_iter_num_destroy(&num);
	}
	bpf_iter_task_vma_destroy(&it);

	weighted = total;
	return 0;
}

SEC("raw_tp/sys_enter")
__description("bpf_for_each(task_vma) nested in bpf_for_each(num)")
__success
int for_each_macros_nested(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct vm_area_struct *vma;
	int *i;
	u64 total = 0;

	bpf_for_each(num, i, 0, 2) {
		bpf_for_each(task_vma, vma, task, 0) {
			if (vma->vm_file)
				total += *i;
		}
	}

	weighted = total;
	return 0;
}

char _license[] SEC("license") = "GPL";
