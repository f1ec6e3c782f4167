// SPDX-License-Identifier: GPL-2.0
/*
 * css_task: the css argument of bpf_iter_css_task_new() and its flags.
 * Contract: css must be a non-NULL trusted css (referenced, or PTR_TRUSTED
 * such as an iter/cgroup program's ctx->cgroup); the kfunc is
 * KF_TRUSTED_ARGS (the default since 7.0), not KF_RCU, so an RCU-protected
 * css (task->cgroups->dfl_cgrp) is refused even where the allow-list lets
 * the program in. The flags are not checked by the verifier: a bad value
 * is new()'s -EINVAL at run time (cases/css_task/runtime).
 * Enforced by: kernel/bpf/verifier.c check_kfunc_args(): the NULL check
 * ("Possibly NULL pointer passed to trusted arg%d"), KF_ARG_PTR_TO_BTF_ID
 * without KF_RCU ("R%d must be referenced or trusted").
 * Applies: every kernel with the kfunc (6.7+); older kernels -> unsupported
 * (automatic). SEC("syscall"): sleepable, on the allow-list.
 * History: the NULL message names the argument "arg1" on 6.7 .. 6.18 and
 * "R2" in 7.x (see cases/task_vma/untrusted_task).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"
#include "bpf_experimental.h"

SEC("syscall")
__description("css = NULL")
__failure
__msg("Possibly NULL pointer passed to trusted {{(arg1|R2)}}")
int null_css(void *ctx)
{
	struct bpf_iter_css_task it;

	bpf_iter_css_task_new(&it, NULL, CSS_TASK_ITER_PROCS);
	bpf_iter_css_task_destroy(&it);
	return 0;
}

SEC("syscall")
__description("css walked from the current task inside bpf_rcu_read_lock() (MEM_RCU)")
__failure
__msg("R2 must be referenced or trusted")
int rcu_walked_css(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct bpf_iter_css_task it;

	bpf_rcu_read_lock();
	bpf_iter_css_task_new(&it, &task->cgroups->dfl_cgrp->self, CSS_TASK_ITER_PROCS);
	bpf_iter_css_task_destroy(&it);
	bpf_rcu_read_unlock();
	return 0;
}

SEC("syscall")
__description("flags the kernel rejects at run time (2, 99) pass the verifier")
__success
int bad_flags_pass_the_verifier(void *ctx)
{
	struct bpf_iter_css_task it;
	struct task_struct *t;
	struct cgroup *cg;
	int n = 0;

	cg = bpf_cgroup_from_id(1);
	if (!cg)
		return 0;
	bpf_iter_css_task_new(&it, &cg->self, bpf_get_prandom_u32() & 1 ? 2 : 99);
	while ((t = bpf_iter_css_task_next(&it)))
		n++;
	bpf_iter_css_task_destroy(&it);
	bpf_cgroup_release(cg);
	return n & 1;
}

char _license[] SEC("license") = "GPL";
