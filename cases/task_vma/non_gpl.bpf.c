// SPDX-License-Identifier: GPL-2.0
/*
 * task_vma: iterator kfuncs called from a program that is not GPL-compatible.
 * Contract: every kfunc call needs a GPL-compatible program license; the
 * iterator kfuncs are no exception, even for otherwise correct loops.
 * Enforced by: kernel/bpf/verifier.c add_kfunc_call() (called from
 * add_subprog_and_kfunc(), before do_check(): the first kfunc call of the
 * program fails with "cannot call kernel function from non-GPL compatible
 * program", -EINVAL, whatever the rest of the program does).
 * Applies: every kernel with the kfunc (6.7+; 6.4+ for the num iterator);
 * older kernels -> unsupported (automatic). The message text is the same
 * in every verifier.c that has the iterators (6.4 .. 7.x copies read).
 * The license is a property of the whole object (the "license" ELF section,
 * passed by libbpf as the license of every program of the object), so these
 * programs need a file of their own: "MIT" is not GPL-compatible for
 * license_is_gpl_compatible() ("Dual MIT/GPL" would be).
 * The programs are the correct loops of correct_use.bpf.c; because the kfunc
 * check runs before instruction verification, it is also reported ahead of
 * the GPL-only helper bpf_get_current_task_btf() used in the first program.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"
#include "bpf_experimental.h"

u64 total_bytes;
int num_sum;

SEC("raw_tp/sys_enter")
__description("non-GPL object: task_vma loop over the current task")
__failure
__msg("cannot call kernel function from non-GPL compatible program")
int non_gpl_task_vma_loop(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct bpf_iter_task_vma it;
	struct vm_area_struct *vma;
	u64 total = 0;

	bpf_iter_task_vma_new(&it, task, 0);
	while ((vma = bpf_iter_task_vma_next(&it)))
		total += vma->vm_end - vma->vm_start;
	bpf_iter_task_vma_destroy(&it);

	total_bytes = total;
	return 0;
}

SEC("iter/task")
__description("non-GPL object: task_vma loop over the iter/task context task")
__failure
__msg("cannot call kernel function from non-GPL compatible program")
int non_gpl_task_vma_iter_ctx(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;
	struct bpf_iter_task_vma it;
	struct vm_area_struct *vma;
	u64 total = 0;

	if (!task)
		return 0;
	bpf_iter_task_vma_new(&it, task, 0);
	while ((vma = bpf_iter_task_vma_next(&it)))
		total += vma->vm_end - vma->vm_start;
	bpf_iter_task_vma_destroy(&it);

	total_bytes = total;
	return 0;
}

SEC("raw_tp/sys_enter")
__description("non-GPL object: num iterator loop")
__failure
__msg("cannot call kernel function from non-GPL compatible program")
int non_gpl_num_loop(void *ctx)
{
	struct bpf_iter_num it;
	int *v, sum = 0;

	bpf_iter_num_new(&it, 0, 10);
	while ((v = bpf_iter_num_next(&it)))
		sum += *v;
	bpf_iter_num_destroy(&it);

	num_sum = sum;
	return 0;
}

char _license[] SEC("license") = "MIT";
