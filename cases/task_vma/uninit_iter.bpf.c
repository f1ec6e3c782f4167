// SPDX-License-Identifier: GPL-2.0
/*
 * task_vma: next() or destroy() on an iterator slot that new() never
 * initialized.
 * Contract: bpf_iter_task_vma_next() and bpf_iter_task_vma_destroy() take
 * an iterator that bpf_iter_task_vma_new() initialized on every path.
 * Enforced by: kernel/bpf/verifier.c process_iter_arg(), after
 * is_iter_reg_valid_init() fails ("expected an initialized iter_%s as arg #%d").
 * Applies: every kernel with the kfunc (6.7+); older kernels -> unsupported (automatic).
 * History: the argument designator is "arg #1" (regno) on 6.7 .. 6.12.4,
 * "arg #0" since bd74e238ae69 "bpf: Zero index arg error string for dynptr
 * and iter" (6.13, backported to 6.12.5), "R1" in 2026 mainline (argno_t).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"
#include "bpf_experimental.h"

SEC("raw_tp/sys_enter")
__description("next() on an iterator slot before any new()")
__failure
__msg("expected an initialized iter_task_vma as {{(arg #[01]|R1)}}")
int next_before_new(void *ctx)
{
	struct bpf_iter_task_vma it;
	struct vm_area_struct *vma;

	vma = bpf_iter_task_vma_next(&it);
	return vma ? 1 : 0;
}

SEC("raw_tp/sys_enter")
__description("destroy() on an iterator slot before any new()")
__failure
__msg("expected an initialized iter_task_vma as {{(arg #[01]|R1)}}")
int destroy_before_new(void *ctx)
{
	struct bpf_iter_task_vma it;

	bpf_iter_task_vma_destroy(&it);
	return 0;
}

SEC("raw_tp/sys_enter")
__description("new() on one branch only, next() and destroy() on both")
__failure
__msg("expected an initialized iter_task_vma as {{(arg #[01]|R1)}}")
int new_on_one_branch_only(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct bpf_iter_task_vma it;
	struct vm_area_struct *vma;
	int n = 0;

	if (bpf_get_prandom_u32() & 1)
		bpf_iter_task_vma_new(&it, task, 0);
	while ((vma = bpf_iter_task_vma_next(&it)))
		n++;
	bpf_iter_task_vma_destroy(&it);
	return n;
}

char _license[] SEC("license") = "GPL";
