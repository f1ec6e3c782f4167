// SPDX-License-Identifier: GPL-2.0
/*
 * css_task: the program types that may create a css_task iterator.
 * Contract: bpf_iter_css_task_new() is allowed in LSM programs, in
 * iterator programs (tracing, BPF_TRACE_ITER) and in any sleepable
 * program; every other program type is refused at the new() call, whatever
 * its arguments. The iterator is not RCU-protected: a sleepable program
 * needs no bpf_rcu_read_lock().
 * Enforced by: kernel/bpf/verifier.c check_kfunc_args(), KF_ARG_PTR_TO_ITER
 * of bpf_iter_css_task_new: check_css_task_iter_allowlist()
 * ("css_task_iter is only allowed in bpf_lsm, bpf_iter and sleepable
 * progs").
 * Applies: every kernel with the kfunc (6.7+); older kernels -> unsupported
 * (automatic). bpf_cgroup_from_id() is in the TRACING, LSM and SYSCALL
 * kfunc sets, so a raw_tp program (not TRACING before 7.0) takes its css
 * from the current task instead: the allow-list is checked at argument 0,
 * before the css argument.
 * History: the message is that of 3091b667498b (bpf tree, Nov 2023, every
 * 6.7 release); the pre-release text was "... in bpf_lsm and bpf iter-s".
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"
#include "bpf_experimental.h"

#define ROOT_CGROUP_ID 1

__u64 tasks_seen;

static __always_inline int walk_root_cgroup(void)
{
	struct bpf_iter_css_task it;
	struct task_struct *t;
	struct cgroup *cg;
	int n = 0;

	cg = bpf_cgroup_from_id(ROOT_CGROUP_ID);
	if (!cg)
		return 0;
	bpf_iter_css_task_new(&it, &cg->self, CSS_TASK_ITER_PROCS);
	while ((t = bpf_iter_css_task_next(&it)))
		n++;
	bpf_iter_css_task_destroy(&it);
	bpf_cgroup_release(cg);
	return n & 1;
}

SEC("tp_btf/sys_enter")
__description("tp_btf (tracing, not sleepable, not an iterator)")
__failure
__msg("css_task_iter is only allowed in bpf_lsm, bpf_iter and sleepable progs")
int tp_btf_refused(void *ctx)
{
	return walk_root_cgroup();
}

SEC("fentry/bpf_fentry_test1")
__description("fentry (not sleepable)")
__failure
__msg("css_task_iter is only allowed in bpf_lsm, bpf_iter and sleepable progs")
int fentry_refused(void *ctx)
{
	return walk_root_cgroup();
}

SEC("raw_tp/sys_enter")
__description("raw_tp, with the css of the current task")
__failure
__msg("css_task_iter is only allowed in bpf_lsm, bpf_iter and sleepable progs")
int raw_tp_refused(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct bpf_iter_css_task it;

	bpf_iter_css_task_new(&it, &task->cgroups->dfl_cgrp->self, CSS_TASK_ITER_PROCS);
	bpf_iter_css_task_destroy(&it);
	return 0;
}

SEC("lsm/file_open")
__description("lsm (not sleepable): on the allow-list")
__success
int lsm_allowed(void *ctx)
{
	walk_root_cgroup();
	return 0;
}

SEC("fentry.s/__x64_sys_getpgid")
__description("fentry.s (sleepable), no RCU section needed")
__success
int fentry_sleepable_allowed(void *ctx)
{
	walk_root_cgroup();
	return 0; /* 7.x: an fentry program returns 0 */
}

SEC("syscall")
__description("syscall (sleepable), no RCU section needed")
__success
int syscall_allowed(void *ctx)
{
	return walk_root_cgroup();
}

SEC("iter/cgroup")
__description("iter/cgroup: the cgroup the iterator program visits, walked for its tasks")
__success
int iter_allowed(struct bpf_iter__cgroup *ctx)
{
	struct cgroup *cg = ctx->cgroup;
	struct bpf_iter_css_task it;
	struct task_struct *t;

	if (!cg)
		return 0;
	bpf_iter_css_task_new(&it, &cg->self, CSS_TASK_ITER_PROCS);
	/* counted in a global: an iterator program's return value must be 0
	 * or 1, and a counter returned would be precise, the loop endless */
	while ((t = bpf_iter_css_task_next(&it)))
		tasks_seen++;
	bpf_iter_css_task_destroy(&it);
	return 0;
}

char _license[] SEC("license") = "GPL";
