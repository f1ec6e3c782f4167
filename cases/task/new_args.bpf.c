// SPDX-License-Identifier: GPL-2.0
/*
 * task: the task argument of bpf_iter_task_new() and its flags.
 * Contract: the task argument is task__nullable: NULL is legal (and the
 * only task ALL_PROCS/ALL_THREADS need); a non-NULL task must be trusted
 * (bpf_get_current_task_btf(), an acquired reference). The kfunc is
 * KF_TRUSTED_ARGS (the default for every kfunc since 7.0), not KF_RCU, so
 * an RCU-protected pointer (a MEM_RCU field, the task another task iterator
 * yields) is refused; bpf_task_acquire() makes it trusted. The flags are
 * not checked by the verifier: a bad value is new()'s -EINVAL at run time
 * (cases/task/runtime).
 * Enforced by: kernel/bpf/verifier.c check_kfunc_args(): the nullable
 * check (is_kfunc_arg_nullable(), "__nullable" suffix), KF_ARG_PTR_TO_BTF_ID
 * without KF_RCU ("R%d must be referenced or trusted"), and for a scalar
 * get_kfunc_ptr_arg_type() ("arg#%d pointer type %s %s must point to
 * scalar, or struct with scalar").
 * Applies: every kernel with the kfunc (6.7+); older kernels -> unsupported
 * (automatic). Non-sleepable tp_btf programs: an RCU section is implied.
 * History: the scalar message names the argument "arg#1" on 6.7 .. 6.18 and
 * "R2" on 7.2 (register names; 7.3-rc7's classification prints "R2 is
 * scalar expected STRUCT task_struct"), as cases/task_vma/untrusted_task
 * records for task_vma: the regex accepts all three.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"
#include "bpf_experimental.h"

SEC("tp_btf/sys_enter")
__description("a NULL task with ALL_THREADS: task__nullable")
__success
int null_task_is_legal(void *ctx)
{
	struct bpf_iter_task it;
	struct task_struct *t;
	int n = 0;

	bpf_iter_task_new(&it, NULL, BPF_TASK_ITER_ALL_THREADS);
	while ((t = bpf_iter_task_next(&it)))
		n++;
	bpf_iter_task_destroy(&it);
	return n & 1;
}

SEC("tp_btf/sys_enter")
__description("flags the kernel rejects at run time (99) pass the verifier")
__success
int bad_flags_pass_the_verifier(void *ctx)
{
	struct bpf_iter_task it;
	struct task_struct *t;
	int n = 0;

	bpf_iter_task_new(&it, NULL, 99);
	while ((t = bpf_iter_task_next(&it)))
		n++;
	bpf_iter_task_destroy(&it);
	return n & 1;
}

SEC("tp_btf/sys_enter")
__description("a task from bpf_get_current_task() (a number, not a pointer)")
__failure
__msg("{{((arg#1|R2) pointer type STRUCT task_struct must point to scalar, or struct with scalar|R2 is scalar expected STRUCT task_struct)}}")
int scalar_task(void *ctx)
{
	struct task_struct *task = (void *)bpf_get_current_task();
	struct bpf_iter_task it;

	bpf_iter_task_new(&it, task, BPF_TASK_ITER_PROC_THREADS);
	bpf_iter_task_destroy(&it);
	return 0;
}

SEC("tp_btf/sys_enter")
__description("an RCU-protected task (real_parent): trusted, not RCU, is required")
__failure
__msg("R2 must be referenced or trusted")
int rcu_field_task(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct bpf_iter_task it;

	bpf_iter_task_new(&it, task->real_parent, BPF_TASK_ITER_PROC_THREADS);
	bpf_iter_task_destroy(&it);
	return 0;
}

SEC("tp_btf/sys_enter")
__description("a task another task iterator yields (MEM_RCU) as the inner iterator's task")
__failure
__msg("R2 must be referenced or trusted")
int iterated_task_as_argument(void *ctx)
{
	struct bpf_iter_task outer, inner;
	struct task_struct *p, *t;
	int n = 0;

	bpf_iter_task_new(&outer, NULL, BPF_TASK_ITER_ALL_PROCS);
	while ((p = bpf_iter_task_next(&outer))) {
		bpf_iter_task_new(&inner, p, BPF_TASK_ITER_PROC_THREADS);
		while ((t = bpf_iter_task_next(&inner)))
			n++;
		bpf_iter_task_destroy(&inner);
	}
	bpf_iter_task_destroy(&outer);
	return n & 1;
}

SEC("tp_btf/sys_enter")
__description("the iterated task acquired first (bpf_task_acquire) is trusted")
__success
int iterated_task_acquired(void *ctx)
{
	struct bpf_iter_task outer, inner;
	struct task_struct *p, *ref, *t;
	int n = 0;

	bpf_iter_task_new(&outer, NULL, BPF_TASK_ITER_ALL_PROCS);
	while ((p = bpf_iter_task_next(&outer))) {
		ref = bpf_task_acquire(p);
		if (!ref)
			continue;
		bpf_iter_task_new(&inner, ref, BPF_TASK_ITER_PROC_THREADS);
		while ((t = bpf_iter_task_next(&inner)))
			n++;
		bpf_iter_task_destroy(&inner);
		bpf_task_release(ref);
	}
	bpf_iter_task_destroy(&outer);
	return n & 1;
}

char _license[] SEC("license") = "GPL";
