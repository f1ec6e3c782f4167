// SPDX-License-Identifier: GPL-2.0
/*
 * css: next() on a drained css iterator (kernel finding).
 * Contract: once next() has returned NULL it returns NULL for good. The
 * verifier relies on it: on the NULL branch it marks the iterator DRAINED,
 * and every later next() of a DRAINED iterator gets R0 = the constant 0, so
 * a branch on that R0 is dead (hard-wired away in privileged programs) and
 * its value may be used as a known 0.
 * Kernel behaviour (Debian 6.12.95, 6.12.117, 7.2.13 and 7.3-rc7 guests, see
 * images/known-bugs.toml): the css iterator starts over instead. With pos
 * NULL again, bpf_iter_css_next() computes css_next_descendant_pre(NULL,
 * start) = start (_post likewise returns start: the leftmost leaf of a
 * childless start), and for ANCESTORS_UP "pos ? pos->parent : start" =
 * start: the first css comes back, a kernel pointer where the verifier
 * believes the constant 0. Each program below returns bit 63 of that
 * "constant" and, in bit 1, whether it is start: 0 by the contract; the
 * kernels return 3 (start itself, for all three orders).
 * Why it matters: the kfunc breaks the iterator contract that
 * process_iter_next_call() models (a DRAINED iterator's next() is the
 * constant 0). For css the verifier is saved by accident: its next() result
 * is MEM_RCU, which is not reg_not_null(), so the verifier also walks a loop
 * exit with the iterator still ACTIVE (model rule 46), where the post-loop
 * next() may be a pointer; a program it accepts cannot rely on the 0 (these
 * programs leak the value through a global, which root may do anyway).
 * dmabuf, whose result is PTR_TRUSTED, has no such second path: there the
 * believed 0 is all the verifier sees (cases/dmabuf/drained_restarts, and
 * the generated corpus's divergences on 7.2 and 7.3). A kfunc change that
 * made css results trusted would turn this into the dmabuf bug.
 * Enforced by: kernel/bpf/verifier.c process_iter_next_call()
 * (__mark_reg_const_zero() on the DRAINED branch); kernel/bpf/cgroup_iter.c
 * bpf_iter_css_next() (no end state: pos NULL is also the initial state).
 * Applies: every kernel with the kfunc (6.7+); older kernels -> unsupported
 * (automatic). The __retval checks run in guests only.
 * History: bpf_iter_css_next() is unchanged since "bpf: Introduce css
 * open-coded iterator kfuncs" (7251d0905e75, 6.7).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"
#include "bpf_experimental.h"

/*
 * A pointer stored here (root may) reads back as a plain number. The
 * verifier also walks a path where the loop ended on a css it could not
 * prove non-NULL (MEM_RCU) with the iterator still ACTIVE; there the
 * post-loop next() is a pointer and may not be shifted directly.
 */
volatile __u64 out[2];

#define ROOT_CGROUP_ID 1

/*
 * What next() returns after the first NULL of a walk of flags: bit 63 of it
 * (1: a kernel pointer) | (it is start) << 1.
 */
static __always_inline int next_after_null(unsigned int flags)
{
	struct cgroup_subsys_state *pos, *start;
	struct bpf_iter_css it;
	struct cgroup *cg;
	int r;

	cg = bpf_cgroup_from_id(ROOT_CGROUP_ID);
	if (!cg)
		return -1000;
	start = &cg->self;
	bpf_rcu_read_lock();
	bpf_iter_css_new(&it, start, flags);
	while (bpf_iter_css_next(&it))
		;
	pos = bpf_iter_css_next(&it); /* the verifier: R0 = 0 when drained */
	out[0] = (__u64)pos;
	out[1] = (__u64)start;
	r = out[0] >> 63 | (out[0] == out[1]) << 1;
	bpf_iter_css_destroy(&it);
	bpf_rcu_read_unlock();
	bpf_cgroup_release(cg);
	return r;
}

SEC("syscall")
__description("DESCENDANTS_PRE: next() after NULL is NULL (the verifier's const 0)")
__success
__retval(0)
int pre_next_after_null(void *ctx)
{
	return next_after_null(BPF_CGROUP_ITER_DESCENDANTS_PRE);
}

SEC("syscall")
__description("DESCENDANTS_POST: next() after NULL is NULL (the verifier's const 0)")
__success
__retval(0)
int post_next_after_null(void *ctx)
{
	return next_after_null(BPF_CGROUP_ITER_DESCENDANTS_POST);
}

SEC("syscall")
__description("ANCESTORS_UP: next() after NULL is NULL (the verifier's const 0)")
__success
__retval(0)
int ancestors_up_next_after_null(void *ctx)
{
	return next_after_null(BPF_CGROUP_ITER_ANCESTORS_UP);
}

char _license[] SEC("license") = "GPL";
