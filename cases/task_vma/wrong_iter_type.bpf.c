// SPDX-License-Identifier: GPL-2.0
/*
 * task_vma: an iterator of one kind passed to another kind's kfuncs.
 * Contract: a stack slot initialized by bpf_iter_<kind>_new() is an
 * iterator of that kind only; the slot records the BTF type of the
 * iterator, and next()/destroy() of another kind (here task_vma vs num,
 * both 8 bytes) must not accept it, whatever C casts the program uses.
 * Enforced by: kernel/bpf/verifier.c process_iter_arg(), after
 * is_iter_reg_valid_init() finds a btf_id mismatch
 * ("expected an initialized iter_%s as arg #%d"), or after
 * is_iter_reg_valid_uninit() for new() on another kind's live slot
 * ("expected uninitialized iter_%s as arg #%d").
 * Applies: every kernel with the kfunc (6.7+); older kernels -> unsupported (automatic).
 * History: "arg #1" on 6.7 .. 6.12.4, "arg #0" since bd74e238ae69 (6.13,
 * 6.12.5), "R1" in 2026 mainline (argno_t).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"
#include "bpf_experimental.h"

SEC("raw_tp/sys_enter")
__description("num iterator passed to bpf_iter_task_vma_next()")
__failure
__msg("expected an initialized iter_task_vma as {{(arg #[01]|R1)}}")
int num_iter_to_task_vma_next(void *ctx)
{
	struct bpf_iter_num it;
	struct vm_area_struct *vma;

	bpf_iter_num_new(&it, 0, 10);
	vma = bpf_iter_task_vma_next((struct bpf_iter_task_vma *)&it);
	bpf_iter_num_destroy(&it);
	return vma ? 1 : 0;
}

SEC("raw_tp/sys_enter")
__description("num iterator passed to bpf_iter_task_vma_destroy()")
__failure
__msg("expected an initialized iter_task_vma as {{(arg #[01]|R1)}}")
int num_iter_to_task_vma_destroy(void *ctx)
{
	struct bpf_iter_num it;

	bpf_iter_num_new(&it, 0, 10);
	bpf_iter_task_vma_destroy((struct bpf_iter_task_vma *)&it);
	return 0;
}

SEC("raw_tp/sys_enter")
__description("task_vma iterator passed to bpf_iter_num_next()")
__failure
__msg("expected an initialized iter_num as {{(arg #[01]|R1)}}")
int task_vma_iter_to_num_next(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct bpf_iter_task_vma it;
	int *v;

	bpf_iter_task_vma_new(&it, task, 0);
	v = bpf_iter_num_next((struct bpf_iter_num *)&it);
	bpf_iter_task_vma_destroy(&it);
	return v ? 1 : 0;
}

SEC("raw_tp/sys_enter")
__description("task_vma iterator passed to bpf_iter_num_destroy()")
__failure
__msg("expected an initialized iter_num as {{(arg #[01]|R1)}}")
int task_vma_iter_to_num_destroy(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct bpf_iter_task_vma it;

	bpf_iter_task_vma_new(&it, task, 0);
	bpf_iter_num_destroy((struct bpf_iter_num *)&it);
	return 0;
}

SEC("raw_tp/sys_enter")
__description("task_vma new() on a slot holding a live num iterator")
__failure
__msg("expected uninitialized iter_task_vma as {{(arg #[01]|R1)}}")
int task_vma_new_on_live_num_slot(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct bpf_iter_num it;

	bpf_iter_num_new(&it, 0, 10);
	bpf_iter_task_vma_new((struct bpf_iter_task_vma *)&it, task, 0);
	bpf_iter_task_vma_destroy((struct bpf_iter_task_vma *)&it);
	return 0;
}

char _license[] SEC("license") = "GPL";
