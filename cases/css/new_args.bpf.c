// SPDX-License-Identifier: GPL-2.0
/*
 * css: the start argument of bpf_iter_css_new() and its flags.
 * Contract: start must be a non-NULL trusted css (here &cgrp->self of a
 * cgroup acquired with bpf_cgroup_from_id()); the kfunc is KF_TRUSTED_ARGS
 * (the default since 7.0), not KF_RCU, so a css reached by walking RCU
 * pointers (task->cgroups->dfl_cgrp->self: MEM_RCU) is refused, and so is
 * NULL (start is not __nullable). The flags are not checked by the
 * verifier: a bad value is new()'s -EINVAL at run time (cases/css/runtime).
 * Enforced by: kernel/bpf/verifier.c check_kfunc_args(): the NULL check
 * ("Possibly NULL pointer passed to trusted arg%d"), KF_ARG_PTR_TO_BTF_ID
 * without KF_RCU ("R%d must be referenced or trusted").
 * Applies: every kernel with the kfunc (6.7+); older kernels -> unsupported
 * (automatic). tp_btf programs: bpf_cgroup_from_id() is in the TRACING
 * kfunc set, and a non-sleepable program is an implied RCU section.
 * History: the NULL message names the argument "arg1" (its BTF index) on
 * 6.7 .. 6.18 and "R2" in 7.x (the argno_t rework, see
 * cases/task_vma/untrusted_task).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"
#include "bpf_experimental.h"

#define ROOT_CGROUP_ID 1

SEC("tp_btf/sys_enter")
__description("start = &cgrp->self of an acquired cgroup, released after destroy")
__success
int acquired_cgroup_self(void *ctx)
{
	struct cgroup_subsys_state *pos;
	struct bpf_iter_css it;
	struct cgroup *cg;
	int n = 0;

	cg = bpf_cgroup_from_id(ROOT_CGROUP_ID);
	if (!cg)
		return 0;
	bpf_iter_css_new(&it, &cg->self, BPF_CGROUP_ITER_DESCENDANTS_PRE);
	while ((pos = bpf_iter_css_next(&it)))
		n++;
	bpf_iter_css_destroy(&it);
	bpf_cgroup_release(cg);
	return n & 1;
}

SEC("tp_btf/sys_enter")
__description("flags the kernel rejects at run time (0, 99) pass the verifier")
__success
int bad_flags_pass_the_verifier(void *ctx)
{
	struct cgroup_subsys_state *pos;
	struct bpf_iter_css it;
	struct cgroup *cg;
	int n = 0;

	cg = bpf_cgroup_from_id(ROOT_CGROUP_ID);
	if (!cg)
		return 0;
	bpf_iter_css_new(&it, &cg->self, bpf_get_prandom_u32() & 1 ? 0 : 99);
	while ((pos = bpf_iter_css_next(&it)))
		n++;
	bpf_iter_css_destroy(&it);
	bpf_cgroup_release(cg);
	return n & 1;
}

SEC("tp_btf/sys_enter")
__description("start = NULL")
__failure
__msg("Possibly NULL pointer passed to trusted {{(arg1|R2)}}")
int null_start(void *ctx)
{
	struct bpf_iter_css it;

	bpf_iter_css_new(&it, NULL, BPF_CGROUP_ITER_DESCENDANTS_PRE);
	bpf_iter_css_destroy(&it);
	return 0;
}

SEC("tp_btf/sys_enter")
__description("start walked from the current task (task->cgroups->dfl_cgrp: MEM_RCU)")
__failure
__msg("R2 must be referenced or trusted")
int rcu_walked_start(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct bpf_iter_css it;

	bpf_iter_css_new(&it, &task->cgroups->dfl_cgrp->self, BPF_CGROUP_ITER_DESCENDANTS_PRE);
	bpf_iter_css_destroy(&it);
	return 0;
}

char _license[] SEC("license") = "GPL";
