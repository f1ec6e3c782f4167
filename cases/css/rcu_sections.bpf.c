// SPDX-License-Identifier: GPL-2.0
/*
 * css: the RCU-protected css iterator inside and outside RCU sections.
 * Contract: bpf_iter_css_new is KF_RCU_PROTECTED, as task's (see
 * cases/task/rcu_sections): in a sleepable program it must be created inside
 * bpf_rcu_read_lock() and used before the matching unlock.
 * Enforced by: kernel/bpf/verifier.c check_kfunc_call() ("kernel func %s
 * requires RCU critical section protection", 6.18+), mark_stack_slots_iter()
 * (PTR_UNTRUSTED slots outside a section), bpf_rcu_read_unlock ->
 * invalidate_rcu_protected_refs(), is_iter_reg_valid_init() ("expected an
 * RCU CS when using %s").
 * Applies: every kernel with the kfunc (6.7+); older kernels -> unsupported
 * (automatic). SEC("syscall") programs are sleepable.
 * History: "requires RCU critical section protection" is 6.18's ("bpf:
 * Enforce RCU protection for KF_RCU_PROTECTED", Sep 2025); before it, a
 * new() outside a section gives an untrusted iterator whose next() is
 * refused with "expected an RCU CS".
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"
#include "bpf_experimental.h"

#define ROOT_CGROUP_ID 1

SEC("syscall")
__description("css iterator created and walked inside bpf_rcu_read_lock()")
__success
int css_iter_inside_rcu_section(void *ctx)
{
	struct cgroup_subsys_state *pos;
	struct bpf_iter_css it;
	struct cgroup *cg;
	int n = 0;

	cg = bpf_cgroup_from_id(ROOT_CGROUP_ID);
	if (!cg)
		return 0;
	bpf_rcu_read_lock();
	bpf_iter_css_new(&it, &cg->self, BPF_CGROUP_ITER_DESCENDANTS_POST);
	while ((pos = bpf_iter_css_next(&it)))
		n++;
	bpf_iter_css_destroy(&it);
	bpf_rcu_read_unlock();
	bpf_cgroup_release(cg);
	return n & 1;
}

SEC("syscall")
__description("css iterator created outside any RCU section in a sleepable program")
__failure
__kver_msg(">=6.18", "kernel func bpf_iter_css_new requires RCU critical section protection")
__kver_msg("<6.18", "expected an RCU CS when using bpf_iter_css_next")
int css_iter_new_outside_rcu_section(void *ctx)
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

SEC("syscall")
__description("next() after bpf_rcu_read_unlock() ended the section that created it")
__failure
__msg("expected an RCU CS when using bpf_iter_css_next")
int css_iter_next_after_rcu_unlock(void *ctx)
{
	struct cgroup_subsys_state *pos;
	struct bpf_iter_css it;
	struct cgroup *cg;
	int n = 0;

	cg = bpf_cgroup_from_id(ROOT_CGROUP_ID);
	if (!cg)
		return 0;
	bpf_rcu_read_lock();
	bpf_iter_css_new(&it, &cg->self, BPF_CGROUP_ITER_ANCESTORS_UP);
	bpf_rcu_read_unlock();
	pos = bpf_iter_css_next(&it);
	if (pos)
		n++;
	bpf_iter_css_destroy(&it);
	bpf_cgroup_release(cg);
	return n;
}

SEC("syscall")
__description("an unlock and relock inside the loop: the iterator stays untrusted, destroy() is refused")
__failure
__msg("expected an RCU CS when using bpf_iter_css_destroy")
int css_iter_relocked_inside_loop(void *ctx)
{
	struct cgroup_subsys_state *pos;
	struct bpf_iter_css it;
	struct cgroup *cg;
	int n = 0;

	cg = bpf_cgroup_from_id(ROOT_CGROUP_ID);
	if (!cg)
		return 0;
	bpf_rcu_read_lock();
	bpf_iter_css_new(&it, &cg->self, BPF_CGROUP_ITER_DESCENDANTS_PRE);
	while ((pos = bpf_iter_css_next(&it))) {
		bpf_rcu_read_unlock();
		n++;
		bpf_rcu_read_lock();
		break;
	}
	bpf_iter_css_destroy(&it);
	bpf_rcu_read_unlock();
	bpf_cgroup_release(cg);
	return n;
}

char _license[] SEC("license") = "GPL";
