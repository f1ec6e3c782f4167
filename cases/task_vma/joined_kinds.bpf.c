// SPDX-License-Identifier: GPL-2.0
/*
 * task_vma: one stack slot holding a num iterator on one path and a task_vma
 * iterator on the other, joined.
 * Contract: an iterator's type is part of the verifier state: two paths that
 * meet with different iterator types in a slot are different states, and a
 * type-specific call after the join is checked on both. Pruning one into the
 * other would run bpf_iter_num_destroy on a task_vma iterator.
 * Enforced by: kernel/bpf/states.c stacksafe() (STACK_ITER: iter.btf and
 * iter.btf_id compared), then process_iter_arg() / is_iter_reg_valid_init()
 * ("expected an initialized iter_%s as %s").
 * Applies: every kernel with the kfunc (6.7+); older kernels -> unsupported (automatic).
 * History: the comparison is that of the first open-coded iterators (6.4);
 * stacksafe() moved from verifier.c to states.c in 2026. Every instruction is
 * a checkpoint (BPF_F_TEST_STATE_FREQ), so the second path meets the first at
 * the join; which arm is explored first depends on clang's block order, so
 * both orders are here. They exist to kill conv-prune-ignores-iter-type of
 * images/mutants.toml.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"
#include "bpf_experimental.h"

union either_iter {
	struct bpf_iter_num num;
	struct bpf_iter_task_vma vma;
};

SEC("raw_tp/sys_enter")
__description("num on the then-arm, task_vma on the else-arm, bpf_iter_num_destroy after the join")
__failure
__flag(BPF_F_TEST_STATE_FREQ)
__msg("expected an initialized iter_num as {{(arg #[01]|R1)}}")
int num_then_vma_else_destroy_num(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	union either_iter it;

	if (bpf_get_prandom_u32() & 1)
		bpf_iter_num_new(&it.num, 0, 3);
	else
		bpf_iter_task_vma_new(&it.vma, task, 0);
	bpf_iter_num_destroy(&it.num);
	return 0;
}

SEC("raw_tp/sys_enter")
__description("task_vma on the then-arm, num on the else-arm, bpf_iter_num_destroy after the join")
__failure
__flag(BPF_F_TEST_STATE_FREQ)
__msg("expected an initialized iter_num as {{(arg #[01]|R1)}}")
int vma_then_num_else_destroy_num(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	union either_iter it;

	if (bpf_get_prandom_u32() & 1)
		bpf_iter_task_vma_new(&it.vma, task, 0);
	else
		bpf_iter_num_new(&it.num, 0, 3);
	bpf_iter_num_destroy(&it.num);
	return 0;
}

char _license[] SEC("license") = "GPL";
