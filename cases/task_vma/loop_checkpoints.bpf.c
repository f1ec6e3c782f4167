// SPDX-License-Identifier: GPL-2.0
/*
 * task_vma: a loop verified with a checkpoint at every instruction.
 * Contract: a loop over next() converges and is accepted however often the
 * verifier stores states: two states of the loop body from successive turns
 * may be equal in everything but the turn, and that is not an infinite loop,
 * because next() returns NULL eventually.
 * Enforced by: kernel/bpf/verifier.c process_iter_next_call() (the queued
 * ACTIVE state gets iter.depth + 1), kernel/bpf/states.c
 * iter_active_depths_differ() (checked before "infinite loop detected at
 * insn %d"), bpf_is_state_visited().
 * Applies: every kernel with the kfunc (6.7+); older kernels -> unsupported (automatic).
 * History: iter.depth and iter_active_depths_differ() come with the first
 * open-coded iterators (6.4); BPF_F_TEST_STATE_FREQ makes every instruction
 * a checkpoint, so the body's states of turn N and N+1 meet. This program
 * exists to kill next-depth-not-bumped and conv-depths-differ-inverted of
 * images/mutants.toml.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"
#include "bpf_experimental.h"

SEC("raw_tp/sys_enter")
__description("a task_vma loop with a branch in its body, a checkpoint at every instruction")
__success
__flag(BPF_F_TEST_STATE_FREQ)
int loop_with_checkpoint_everywhere(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct bpf_iter_task_vma it;
	struct vm_area_struct *vma;
	__u64 anon = 0, file = 0;

	bpf_iter_task_vma_new(&it, task, 0);
	while ((vma = bpf_iter_task_vma_next(&it))) {
		if (vma->vm_file)
			file += vma->vm_end - vma->vm_start;
		else
			anon += vma->vm_end - vma->vm_start;
	}
	bpf_iter_task_vma_destroy(&it);
	return (anon ^ file) & 1;
}

char _license[] SEC("license") = "GPL";
