// SPDX-License-Identifier: GPL-2.0
/*
 * task: what bpf_iter_task_new/next/destroy yield at run time.
 * Contract: bpf_iter_task_new(&it, task, flags) returns 0 for
 * BPF_TASK_ITER_ALL_PROCS (task NULL: init_task, pid 0, first, then every
 * thread-group leader), ALL_THREADS and PROC_THREADS (the given task first,
 * then the threads after it); -EINVAL for any other flags and for
 * PROC_THREADS without a task, after which next() yields nothing. After
 * the walk's NULL, next() keeps returning NULL (the verifier's DRAINED
 * state: a later next() is believed to be the constant 0). A destroyed
 * iterator created again walks the tasks again.
 * Enforced by: kernel/bpf/task_iter.c bpf_iter_task_new() (kit->pos = NULL
 * before the flag switch), bpf_iter_task_next() ("if (!pos) return pos").
 * Applies: every kernel with the kfunc (6.7+); older kernels -> unsupported
 * (automatic). SEC("syscall") programs are sleepable: every walk is inside
 * bpf_rcu_read_lock() (cases/task/rcu_sections). The __retval checks run in
 * guests only; on the host only the verdicts are checked.
 * History: 6.7 releases before 5f2ae606cb5a (6.8) set kit->pos only after
 * the flag check (an invalid flags left it uninitialized); the Debian
 * kernels judged here all have the fix.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"
#include "bpf_experimental.h"

/*
 * Values pass through this global (a map value) so that the verifier sees
 * them read back as unknown scalars: a branch on a loop counter would make
 * it precise and keep the loop from converging, and a pointer stored here
 * (root may) reads back as a plain number.
 */
volatile __u64 out[4];

SEC("syscall")
__description("ALL_PROCS: init_task (pid 0) first, more than one process, the same count twice")
__success
__retval(7)
int all_procs_starts_at_init_task(void *ctx)
{
	struct bpf_iter_task it;
	struct task_struct *t;
	int n1 = 0, n2 = 0, first_pid = -1;

	bpf_rcu_read_lock();
	bpf_iter_task_new(&it, NULL, BPF_TASK_ITER_ALL_PROCS);
	while ((t = bpf_iter_task_next(&it))) {
		if (n1 == 0)
			first_pid = t->pid;
		n1++;
	}
	bpf_iter_task_destroy(&it);
	bpf_iter_task_new(&it, NULL, BPF_TASK_ITER_ALL_PROCS);
	while ((t = bpf_iter_task_next(&it)))
		n2++;
	bpf_iter_task_destroy(&it);
	bpf_rcu_read_unlock();
	out[0] = n1;
	out[1] = n2;
	return (first_pid == 0) | (out[0] > 1) << 1 | (out[0] == out[1]) << 2;
}

SEC("syscall")
__description("ALL_THREADS sees at least as many tasks as ALL_PROCS")
__success
__retval(1)
int all_threads_covers_all_procs(void *ctx)
{
	struct bpf_iter_task it;
	struct task_struct *t;
	int procs = 0, threads = 0;

	bpf_rcu_read_lock();
	bpf_iter_task_new(&it, NULL, BPF_TASK_ITER_ALL_PROCS);
	while ((t = bpf_iter_task_next(&it)))
		procs++;
	bpf_iter_task_destroy(&it);
	bpf_iter_task_new(&it, NULL, BPF_TASK_ITER_ALL_THREADS);
	while ((t = bpf_iter_task_next(&it)))
		threads++;
	bpf_iter_task_destroy(&it);
	bpf_rcu_read_unlock();
	out[0] = procs;
	out[1] = threads;
	return out[1] >= out[0];
}

SEC("syscall")
__description("PROC_THREADS of the current task: the current task first")
__success
__retval(1)
int proc_threads_starts_at_task(void *ctx)
{
	struct task_struct *cur = bpf_get_current_task_btf();
	struct bpf_iter_task it;
	struct task_struct *t;
	int first_is_cur = 0;

	bpf_rcu_read_lock();
	bpf_iter_task_new(&it, cur, BPF_TASK_ITER_PROC_THREADS);
	t = bpf_iter_task_next(&it);
	if (t)
		first_is_cur = t->pid == cur->pid;
	bpf_iter_task_destroy(&it);
	bpf_rcu_read_unlock();
	return first_is_cur;
}

SEC("syscall")
__description("next() after NULL, twice: NULL both times (the verifier's const 0)")
__success
__retval(0)
int next_after_null_stays_null(void *ctx)
{
	struct bpf_iter_task it;
	struct task_struct *a, *b;
	int r;

	bpf_rcu_read_lock();
	bpf_iter_task_new(&it, NULL, BPF_TASK_ITER_ALL_PROCS);
	while (bpf_iter_task_next(&it))
		;
	/* the verifier: R0 = 0 once drained (and a pointer on the path where
	 * it took the loop's last task for NULL: MEM_RCU is not known non-NULL) */
	a = bpf_iter_task_next(&it);
	b = bpf_iter_task_next(&it);
	out[0] = (__u64)a;
	out[1] = (__u64)b;
	r = out[0] >> 63 | (out[1] >> 63) << 1;
	bpf_iter_task_destroy(&it);
	bpf_rcu_read_unlock();
	return r;
}

SEC("syscall")
__description("flags 3: new() returns -EINVAL and next() yields nothing")
__success
__retval(-22)
int bad_flags_is_einval(void *ctx)
{
	struct bpf_iter_task it;
	struct task_struct *a;
	int err;

	bpf_rcu_read_lock();
	err = bpf_iter_task_new(&it, NULL, 3);
	a = bpf_iter_task_next(&it);
	bpf_iter_task_destroy(&it);
	bpf_rcu_read_unlock();
	return err + (a ? 1000 : 0);
}

SEC("syscall")
__description("PROC_THREADS with a NULL task: new() returns -EINVAL and next() yields nothing")
__success
__retval(-22)
int proc_threads_without_task_is_einval(void *ctx)
{
	struct bpf_iter_task it;
	struct task_struct *a;
	int err;

	bpf_rcu_read_lock();
	err = bpf_iter_task_new(&it, NULL, BPF_TASK_ITER_PROC_THREADS);
	a = bpf_iter_task_next(&it);
	bpf_iter_task_destroy(&it);
	bpf_rcu_read_unlock();
	return err + (a ? 1000 : 0);
}

char _license[] SEC("license") = "GPL";
