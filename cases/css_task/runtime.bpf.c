// SPDX-License-Identifier: GPL-2.0
/*
 * css_task: what bpf_iter_css_task_new/next/destroy yield at run time.
 * Contract: bpf_iter_css_task_new(&it, css, flags) returns 0 for flags 0,
 * CSS_TASK_ITER_PROCS and PROCS | CSS_TASK_ITER_THREADED, and -EINVAL for
 * any other value (THREADED alone included), after which next() yields
 * nothing; next() yields the tasks of the css's cgroup (each held while it
 * is current), then NULL for good (the verifier's DRAINED state: a later
 * next() is believed to be the constant 0).
 * Enforced by: kernel/bpf/task_iter.c bpf_iter_css_task_new() (kit->css_it
 * = NULL before the flag switch), bpf_iter_css_task_next()
 * ("if (!kit->css_it) return NULL"; css_task_iter_next() stays NULL at the
 * end).
 * Applies: every kernel with the kfunc (6.7+); older kernels -> unsupported
 * (automatic). SEC("syscall") is sleepable, so on the program-type
 * allow-list. The css is the default hierarchy's root cgroup (id 1), which
 * holds every task in the guests (cgroup2 is not mounted there). The
 * __retval checks run in guests only; on the host only the verdicts are
 * checked.
 * History: unchanged in these respects since 9c66dc94b62a (6.7).
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

#define ROOT_CGROUP_ID 1

/* (current task seen) | (more than one task) << 1 | post-NULL next() bits << 2 */
static __always_inline int css_task_walk(unsigned int flags)
{
	struct task_struct *cur = bpf_get_current_task_btf();
	struct bpf_iter_css_task it;
	struct task_struct *t, *a, *b;
	struct cgroup *cg;
	int n = 0, seen = 0, err, r;

	cg = bpf_cgroup_from_id(ROOT_CGROUP_ID);
	if (!cg)
		return -1000;
	err = bpf_iter_css_task_new(&it, &cg->self, flags);
	while ((t = bpf_iter_css_task_next(&it))) {
		if (t->pid == cur->pid)
			seen = 1;
		n++;
	}
	a = bpf_iter_css_task_next(&it); /* the verifier: R0 = 0 */
	b = bpf_iter_css_task_next(&it);
	out[0] = n;
	out[1] = (__u64)a;
	out[2] = (__u64)b;
	r = seen | (out[0] > 1) << 1 | (out[1] >> 63) << 2 | (out[2] >> 63) << 3;
	bpf_iter_css_task_destroy(&it);
	bpf_cgroup_release(cg);
	return err ? err : r;
}

SEC("syscall")
__description("PROCS over the root cgroup: the current process among several, then NULL for good")
__success
__retval(3)
int procs_walk_sees_current(void *ctx)
{
	return css_task_walk(CSS_TASK_ITER_PROCS);
}

SEC("syscall")
__description("flags 0 (every task): the current task among several, then NULL for good")
__success
__retval(3)
int all_tasks_walk_sees_current(void *ctx)
{
	return css_task_walk(0);
}

SEC("syscall")
__description("PROCS | THREADED is legal: new() returns 0")
__success
__retval(3)
int procs_threaded_is_legal(void *ctx)
{
	return css_task_walk(CSS_TASK_ITER_PROCS | CSS_TASK_ITER_THREADED);
}

SEC("syscall")
__description("THREADED alone: new() returns -EINVAL")
__success
__retval(-22)
int threaded_alone_is_einval(void *ctx)
{
	return css_task_walk(CSS_TASK_ITER_THREADED);
}

SEC("syscall")
__description("after a failed new() (-EINVAL), next() returns NULL")
__success
__retval(-22)
int failed_new_yields_null(void *ctx)
{
	struct bpf_iter_css_task it;
	struct task_struct *a;
	struct cgroup *cg;
	int err;

	cg = bpf_cgroup_from_id(ROOT_CGROUP_ID);
	if (!cg)
		return -1000;
	err = bpf_iter_css_task_new(&it, &cg->self, 4);
	a = bpf_iter_css_task_next(&it);
	bpf_iter_css_task_destroy(&it);
	bpf_cgroup_release(cg);
	return err + (a ? 1000 : 0);
}

char _license[] SEC("license") = "GPL";
