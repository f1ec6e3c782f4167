// SPDX-License-Identifier: GPL-2.0
/*
 * kmem_cache: a sleepable-only iterator, and where a sleepable program may call it.
 * Contract: bpf_iter_kmem_cache_new, _next and _destroy are KF_SLEEPABLE: a
 * program that is not sleepable may not call them at all, and a sleepable
 * one may not call them inside an RCU read-side section or with
 * preemption disabled. The iterator is not RCU-protected, so a sleepable
 * program needs no section around it.
 * Enforced by: kernel/bpf/verifier.c check_kfunc_call(): "program must be
 * sleepable to call sleepable kfunc %s" (before the arguments are checked),
 * then "kernel func %s is sleepable within rcu_read_lock region" /
 * "... non-preemptible region".
 * Applies: every kernel with the kfuncs (6.13+); older kernels ->
 * unsupported (automatic). fentry.s and lsm.s need a BPF trampoline and
 * CONFIG_BPF_LSM (unsupported where the kernel refuses the type outright).
 * History: 6.x prints "kernel func %s is sleepable within rcu_read_lock
 * region"; 7.x formats the same text from "kernel func %s is sleepable
 * within %s" (and 7.3-rc7 adds hint lines after it), so one literal fits
 * every kernel that has the kind. The kfuncs are unchanged since
 * 2e9a548009c2 "bpf: Add open coded version of kmem_cache iterator" (6.13).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"
#include "bpf_experimental.h"

static __always_inline int walk(void)
{
	struct bpf_iter_kmem_cache it;
	struct kmem_cache *s;
	__u64 sum = 0;

	bpf_iter_kmem_cache_new(&it);
	while ((s = bpf_iter_kmem_cache_next(&it)))
		sum += s->size;
	bpf_iter_kmem_cache_destroy(&it);
	return sum & 1;
}

SEC("syscall")
__description("a syscall program (sleepable), no RCU section")
__success
int syscall_walk(void *ctx)
{
	return walk();
}

SEC("fentry.s/__x64_sys_getpgid")
__description("fentry.s (sleepable)")
__success
int fentry_sleepable_walk(void *ctx)
{
	walk();
	return 0; /* 7.x: an fentry program returns 0 */
}

SEC("lsm.s/file_open")
__description("lsm.s (sleepable)")
__success
int lsm_sleepable_walk(void *ctx)
{
	walk();
	return 0;
}

SEC("tp_btf/sys_enter")
__description("tp_btf: not sleepable")
__failure
__msg("program must be sleepable to call sleepable kfunc bpf_iter_kmem_cache_new")
int tp_btf_refused(void *ctx)
{
	return walk();
}

SEC("fentry/bpf_fentry_test1")
__description("fentry: not sleepable")
__failure
__msg("program must be sleepable to call sleepable kfunc bpf_iter_kmem_cache_new")
int fentry_refused(void *ctx)
{
	return walk();
}

SEC("syscall")
__description("new() inside bpf_rcu_read_lock()")
__failure
__msg("kernel func bpf_iter_kmem_cache_new is sleepable within rcu_read_lock region")
int new_inside_rcu_section(void *ctx)
{
	int r;

	bpf_rcu_read_lock();
	r = walk();
	bpf_rcu_read_unlock();
	return r;
}

SEC("syscall")
__description("new() outside, next() inside bpf_rcu_read_lock()")
__failure
__msg("kernel func bpf_iter_kmem_cache_next is sleepable within rcu_read_lock region")
int next_inside_rcu_section(void *ctx)
{
	struct bpf_iter_kmem_cache it;
	struct kmem_cache *s;
	int r = 0;

	bpf_iter_kmem_cache_new(&it);
	bpf_rcu_read_lock();
	s = bpf_iter_kmem_cache_next(&it);
	if (s)
		r = s->size & 1;
	bpf_rcu_read_unlock();
	bpf_iter_kmem_cache_destroy(&it);
	return r;
}

SEC("syscall")
__description("new() with preemption disabled (bpf_preempt_disable())")
__failure
__msg("kernel func bpf_iter_kmem_cache_new is sleepable within non-preemptible region")
int new_with_preemption_disabled(void *ctx)
{
	int r;

	bpf_preempt_disable();
	r = walk();
	bpf_preempt_enable();
	return r;
}

char _license[] SEC("license") = "GPL";
