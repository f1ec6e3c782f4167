// SPDX-License-Identifier: GPL-2.0
/*
 * task_vma: new() on an iterator slot that is already initialized.
 * Contract: bpf_iter_task_vma_new() needs an *uninitialized* stack slot;
 * an active (or drained) iterator must be destroyed before its slot is
 * reused.
 * Enforced by: kernel/bpf/verifier.c process_iter_arg(), after
 * is_iter_reg_valid_uninit() finds STACK_ITER bytes
 * ("expected uninitialized iter_%s as arg #%d").
 * Applies: every kernel with the kfunc (6.7+); older kernels -> unsupported (automatic).
 * History: the argument designator is "arg #1" (regno) on 6.7 .. 6.12.4,
 * "arg #0" (regno - 1) since bd74e238ae69 "bpf: Zero index arg error
 * string for dynptr and iter" (6.13, backported to 6.12.5), and "R1"
 * (reg_arg_name()) in 2026 mainline with the argno_t rework.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"
#include "bpf_experimental.h"

SEC("raw_tp/sys_enter")
__description("new() twice on the same iterator slot")
__failure
__msg("expected uninitialized iter_task_vma as {{(arg #[01]|R1)}}")
int new_twice_same_slot(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct bpf_iter_task_vma it;

	bpf_iter_task_vma_new(&it, task, 0);
	bpf_iter_task_vma_new(&it, task, 0);
	bpf_iter_task_vma_destroy(&it);
	return 0;
}

SEC("raw_tp/sys_enter")
__description("new() again on a slot left drained by a next() loop")
__failure
__msg("expected uninitialized iter_task_vma as {{(arg #[01]|R1)}}")
int new_on_slot_drained_by_loop(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct bpf_iter_task_vma it;
	struct vm_area_struct *vma;
	int n = 0;

	bpf_iter_task_vma_new(&it, task, 0);
	while ((vma = bpf_iter_task_vma_next(&it)))
		n++;
	/* restart without destroy(): the drained iterator still owns the slot */
	bpf_iter_task_vma_new(&it, task, 0);
	bpf_iter_task_vma_destroy(&it);
	return n;
}

SEC("raw_tp/sys_enter")
__description("new() inside the next() loop on the live iterator's slot")
__failure
__msg("expected uninitialized iter_task_vma as {{(arg #[01]|R1)}}")
int new_inside_loop_on_live_slot(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct bpf_iter_task_vma it;
	struct vm_area_struct *vma;
	int n = 0;

	bpf_iter_task_vma_new(&it, task, 0);
	while ((vma = bpf_iter_task_vma_next(&it))) {
		if (vma->vm_start & 1)
			bpf_iter_task_vma_new(&it, task, vma->vm_end);
		n++;
	}
	bpf_iter_task_vma_destroy(&it);
	return n;
}

char _license[] SEC("license") = "GPL";
