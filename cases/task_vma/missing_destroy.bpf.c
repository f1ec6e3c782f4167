// SPDX-License-Identifier: GPL-2.0
/*
 * task_vma: an iterator that is created but not destroyed on some path.
 * Contract: bpf_iter_task_vma_new() acquires a verifier reference for the
 * iterator slot whatever it returns at run time; every path that called it
 * must reach bpf_iter_task_vma_destroy() before the program exits.
 * Enforced by: kernel/bpf/verifier.c check_reference_leak()
 * ("Unreleased reference id=%d alloc_insn=%d"), called from
 * check_resource_leak() on newer kernels, which then adds
 * ("%s would lead to reference leak") with "BPF_EXIT instruction in main prog".
 * Applies: every kernel with the kfunc (6.7+); older kernels -> unsupported (automatic).
 * History: the "Unreleased reference" line is the same on 6.7 .. 2026
 * mainline; the second line only exists since check_resource_leak() was
 * introduced (around 6.13/6.14, release not pinned; it first said
 * "BPF_EXIT instruction", later "... in main prog"), so it is not matched.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"
#include "bpf_experimental.h"

SEC("raw_tp/sys_enter")
__description("new() and next() but no destroy() at all")
__failure
__msg("Unreleased reference id={{[0-9]+}} alloc_insn={{[0-9]+}}")
int new_without_destroy(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct bpf_iter_task_vma it;
	struct vm_area_struct *vma;
	unsigned long n = 0;

	bpf_iter_task_vma_new(&it, task, 0);
	while ((vma = bpf_iter_task_vma_next(&it)))
		n += vma->vm_end - vma->vm_start;
	return n > 4096;
}

SEC("raw_tp/sys_enter")
__description("new() that failed at run time still needs destroy()")
__failure
__msg("Unreleased reference id={{[0-9]+}} alloc_insn={{[0-9]+}}")
int no_destroy_after_failed_new(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct bpf_iter_task_vma it;
	struct vm_area_struct *vma;
	int n = 0;

	if (bpf_iter_task_vma_new(&it, task, 0))
		return 0;	/* leaks: the slot is initialized even on error */
	while ((vma = bpf_iter_task_vma_next(&it)))
		n++;
	bpf_iter_task_vma_destroy(&it);
	return n;
}

SEC("raw_tp/sys_enter")
__description("destroy() on only one branch of an unknown condition")
__failure
__msg("Unreleased reference id={{[0-9]+}} alloc_insn={{[0-9]+}}")
int destroy_on_one_branch_only(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct bpf_iter_task_vma it;
	struct vm_area_struct *vma;
	int ret = 0;

	bpf_iter_task_vma_new(&it, task, 0);
	vma = bpf_iter_task_vma_next(&it);
	if (vma)
		ret = vma->vm_start & 1;
	if (bpf_get_prandom_u32() & 1)
		bpf_iter_task_vma_destroy(&it);
	else
		ret += 2;
	return ret;
}

SEC("raw_tp/sys_enter")
__description("return from inside the next() loop without destroy()")
__failure
__msg("Unreleased reference id={{[0-9]+}} alloc_insn={{[0-9]+}}")
int return_inside_loop_without_destroy(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct bpf_iter_task_vma it;
	struct vm_area_struct *vma;

	bpf_iter_task_vma_new(&it, task, 0);
	while ((vma = bpf_iter_task_vma_next(&it))) {
		if (vma->vm_file)
			return 1;	/* leaves the loop with the iterator live */
	}
	bpf_iter_task_vma_destroy(&it);
	return 0;
}

char _license[] SEC("license") = "GPL";
