// SPDX-License-Identifier: GPL-2.0
/*
 * num, task_vma: a loop that never calls next(), with a live iterator.
 * Contract: a loop whose state repeats exactly, while an iterator is active,
 * is still an infinite loop: the iterator only makes successive turns
 * different when they are turns of its own next() loop (a greater depth).
 * Here the depth never changes, so the verifier stops at the back edge with
 * "infinite loop detected" instead of walking a million instructions.
 * Enforced by: kernel/bpf/verifier.c is_state_visited() (bpf_is_state_visited()
 * in kernel/bpf/states.c on 7.x): states_maybe_looping(), states_equal(EXACT)
 * and !iter_active_depths_differ(), then "infinite loop detected at insn %d".
 * Applies: every kernel with the kfuncs (num 6.4+, task_vma 6.7+); older
 * kernels -> unsupported (automatic).
 * History: iter_active_depths_differ() comes with the first open-coded
 * iterators (6.4). These programs exist to kill conv-depths-differ-inverted
 * of images/mutants-6.12.toml: on 6.12 states of different depths are never
 * EXACT-equal (stacksafe() compares iter.depth), so the inverted check shows
 * only here, where the depths are equal (task_vma/loop_checkpoints kills it
 * on 7.2, where they can be).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"
#include "bpf_experimental.h"

SEC("raw_tp/sys_enter")
__description("a num iterator made, then a loop that never ends and never calls next()")
__failure
__msg("infinite loop detected at insn {{[0-9]+}}")
int num_spin(void *ctx)
{
	struct bpf_iter_num it;

	bpf_iter_num_new(&it, 0, 3);
	for (;;)
		asm volatile("" ::: "memory");
	bpf_iter_num_destroy(&it);
	return 0;
}

SEC("raw_tp/sys_enter")
__description("a task_vma iterator made, then a loop that never ends and never calls next()")
__failure
__msg("infinite loop detected at insn {{[0-9]+}}")
int task_vma_spin(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct bpf_iter_task_vma it;

	bpf_iter_task_vma_new(&it, task, 0);
	for (;;)
		asm volatile("" ::: "memory");
	bpf_iter_task_vma_destroy(&it);
	return 0;
}

char _license[] SEC("license") = "GPL";
