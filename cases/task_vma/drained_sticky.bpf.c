// SPDX-License-Identifier: GPL-2.0
/*
 * task_vma: next() after the loop, on a drained and on a live iterator.
 * Contract: once next() has returned NULL it returns NULL for good
 * (DRAINED is sticky), so code that runs only when a later next() returns
 * a VMA is dead and may be anything. A loop left by break keeps the
 * iterator ACTIVE: a later next() may return a VMA, and that code is live.
 * Enforced by: kernel/bpf/verifier.c process_iter_next_call() (the NULL
 * branch marks the slot BPF_ITER_STATE_DRAINED with R0 = 0; only an ACTIVE
 * slot forks a non-NULL branch), states.c stacksafe() (iter.state is part
 * of state equality), check_reference_leak() ("Unreleased reference id=%d
 * alloc_insn=%d") for the live code that leaks.
 * Applies: every kernel with the kfunc (6.7+); older kernels -> unsupported (automatic).
 * History: the ACTIVE/DRAINED split is that of the first open-coded
 * iterators (6.4). These programs exist to kill next-drained-not-set,
 * next-active-maybe-null and conv-prune-ignores-iter-state of
 * images/mutants.toml.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"
#include "bpf_experimental.h"

SEC("raw_tp/sys_enter")
__description("next() after the loop ran dry returns NULL: the leaking branch is dead")
__success
int next_after_drain_is_null(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct bpf_iter_task_vma it;
	struct vm_area_struct *vma;
	__u64 size = 0;

	bpf_iter_task_vma_new(&it, task, 0);
	while ((vma = bpf_iter_task_vma_next(&it)))
		size += vma->vm_end - vma->vm_start;
	vma = bpf_iter_task_vma_next(&it);
	if (vma)
		return 1; /* would leak the iterator: never reached */
	bpf_iter_task_vma_destroy(&it);
	return size & 1;
}

SEC("raw_tp/sys_enter")
__description("next() after a break may return a VMA: its leaking branch is live")
__failure
__msg("Unreleased reference id={{[0-9]+}} alloc_insn={{[0-9]+}}")
int next_after_break_may_return_vma(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct bpf_iter_task_vma it;
	struct vm_area_struct *vma;

	bpf_iter_task_vma_new(&it, task, 0);
	while ((vma = bpf_iter_task_vma_next(&it))) {
		if (vma->vm_start > 0x10000)
			break;
	}
	vma = bpf_iter_task_vma_next(&it);
	if (vma)
		return 1; /* leaks the iterator when the loop was left by break */
	bpf_iter_task_vma_destroy(&it);
	return 0;
}

char _license[] SEC("license") = "GPL";
