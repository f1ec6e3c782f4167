// SPDX-License-Identifier: GPL-2.0
/*
 * task_vma: the iterator, or what it returned, used after destroy().
 * Contract: bpf_iter_task_vma_destroy() ends the iterator: its slot is
 * uninitialized again, so a later next() or destroy() is a use of an
 * uninitialized iterator; a vm_area_struct from next() is valid only
 * until the following next()/destroy().
 * Enforced by: kernel/bpf/verifier.c unmark_stack_slots_iter() (slots
 * become STACK_INVALID), then process_iter_arg()
 * ("expected an initialized iter_%s as arg #%d").
 * NOT enforced: the vma pointer. bpf_iter_task_vma_next() returns a trusted
 * PTR_TO_BTF_ID that carries no ref_obj_id/parent link to the iterator
 * (unlike bpf_iter_num_next()'s PTR_TO_MEM), so destroy() does not
 * invalidate it and the verifier accepts reads through it afterwards.
 * At run time the pointer is then stale: on kernels with the original
 * implementation (6.7 .. 7.0) it is the live VMA after the mmap read lock
 * was dropped; with the 2026 rework (4cbee026db54 "bpf: return VMA snapshot
 * from task_vma iterator", 7.1, backported to 7.0.y/6.18.y/6.12.y) it is
 * the per-iterator snapshot, freed by destroy(). Reads through a
 * PTR_TO_BTF_ID are fault-tolerant (BPF_PROBE_MEM), so this is a
 * documented gap, not a crash; the programs below pin the kernel's
 * actual behaviour (accept) and must never be run on the host.
 * Applies: every kernel with the kfunc (6.7+); older kernels -> unsupported (automatic).
 * History: "arg #1" on 6.7 .. 6.12.4, "arg #0" since bd74e238ae69 (6.13,
 * 6.12.5), "R1" in 2026 mainline (argno_t).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"
#include "bpf_experimental.h"

SEC("raw_tp/sys_enter")
__description("next() after destroy()")
__failure
__msg("expected an initialized iter_task_vma as {{(arg #[01]|R1)}}")
int next_after_destroy(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct bpf_iter_task_vma it;
	struct vm_area_struct *vma;

	bpf_iter_task_vma_new(&it, task, 0);
	bpf_iter_task_vma_destroy(&it);
	vma = bpf_iter_task_vma_next(&it);
	return vma ? 1 : 0;
}

SEC("raw_tp/sys_enter")
__description("destroy() twice")
__failure
__msg("expected an initialized iter_task_vma as {{(arg #[01]|R1)}}")
int destroy_twice(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct bpf_iter_task_vma it;

	bpf_iter_task_vma_new(&it, task, 0);
	bpf_iter_task_vma_destroy(&it);
	bpf_iter_task_vma_destroy(&it);
	return 0;
}

SEC("raw_tp/sys_enter")
__description("destroy() inside the loop, then next() in the loop condition")
__failure
__msg("expected an initialized iter_task_vma as {{(arg #[01]|R1)}}")
int destroy_inside_loop_then_next(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct bpf_iter_task_vma it;
	struct vm_area_struct *vma;
	int n = 0;

	bpf_iter_task_vma_new(&it, task, 0);
	while ((vma = bpf_iter_task_vma_next(&it))) {
		n++;
		bpf_iter_task_vma_destroy(&it);
	}
	bpf_iter_task_vma_destroy(&it);
	return n;
}

/*
 * Documented gap: the verifier accepts this (see the header comment).
 * At run time vm_start is read from a stale VMA or a freed snapshot.
 */
SEC("raw_tp/sys_enter")
__description("vma pointer read after destroy() (accepted: not tied to the iterator)")
__success
int vma_read_after_destroy(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct bpf_iter_task_vma it;
	struct vm_area_struct *vma;
	unsigned long start = 0;

	bpf_iter_task_vma_new(&it, task, 0);
	vma = bpf_iter_task_vma_next(&it);
	bpf_iter_task_vma_destroy(&it);
	if (vma)
		start = vma->vm_start;
	return start & 1;
}

/*
 * Documented gap: a vma kept across a later next() is accepted too. On
 * kernels with the VMA snapshot (4cbee026db54) both pointers alias the
 * same per-iterator buffer, so "prev" silently shows the newer VMA.
 */
SEC("raw_tp/sys_enter")
__description("vma pointer kept across a later next() (accepted: not tied to the iterator)")
__success
int vma_read_after_next(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct vm_area_struct *vma, *prev;
	struct bpf_iter_task_vma it;
	unsigned long gap = 0;

	bpf_iter_task_vma_new(&it, task, 0);
	prev = bpf_iter_task_vma_next(&it);
	vma = bpf_iter_task_vma_next(&it);
	if (prev && vma)
		gap = vma->vm_start - prev->vm_end;
	bpf_iter_task_vma_destroy(&it);
	return gap & 1;
}

char _license[] SEC("license") = "GPL";
