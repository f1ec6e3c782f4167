// SPDX-License-Identifier: GPL-2.0
/*
 * css: what bpf_iter_css_new/next/destroy yield at run time.
 * Contract: bpf_iter_css_new(&it, start, flags) returns 0 for flags
 * BPF_CGROUP_ITER_DESCENDANTS_PRE (start first), _POST (start last) and
 * _ANCESTORS_UP (start, its parent, ..., the root), and -EINVAL for any
 * other value (0, SELF_ONLY, 7), after which next() yields nothing. A
 * destroyed iterator created again walks the same css's again. What next()
 * yields once it has returned NULL is cases/css/drained_restarts.
 * Enforced by: kernel/bpf/cgroup_iter.c bpf_iter_css_new() (kit->start =
 * NULL before the flag switch, "default: return -EINVAL"), bpf_iter_css_next()
 * (css_next_descendant_pre/post(), pos->parent).
 * Applies: every kernel with the kfunc (6.7+); older kernels -> unsupported
 * (automatic). The walk starts at the default hierarchy's root cgroup (id 1,
 * bpf_cgroup_from_id), which has no children in the guests (cgroup2 is not
 * mounted there): every walk is that one css. SEC("syscall") programs are
 * sleepable, so each walk is inside bpf_rcu_read_lock(). The __retval checks
 * run in guests only; on the host only the verdicts are checked.
 * History: BPF_CGROUP_ITER_CHILDREN (5) is 7.0's ("752b807028e6"), not
 * covered here.
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

/* count | (first == start) << 8 | (last == start) << 9 of a walk of flags */
static __always_inline int css_walk(unsigned int flags)
{
	struct cgroup_subsys_state *start, *pos, *first = NULL, *last = NULL;
	struct bpf_iter_css it;
	struct cgroup *cg;
	int n = 0, err, r;

	cg = bpf_cgroup_from_id(ROOT_CGROUP_ID);
	if (!cg)
		return -1000;
	start = &cg->self;
	bpf_rcu_read_lock();
	err = bpf_iter_css_new(&it, start, flags);
	while ((pos = bpf_iter_css_next(&it))) {
		if (!first)
			first = pos;
		last = pos;
		n++;
	}
	r = (n & 0xff) | (first == start) << 8 | (last == start) << 9;
	bpf_iter_css_destroy(&it);
	bpf_rcu_read_unlock();
	bpf_cgroup_release(cg);
	return err ? err : r;
}

SEC("syscall")
__description("DESCENDANTS_PRE from the childless root: the root alone, first and last")
__success
__retval(0x301)
int pre_yields_start_first(void *ctx)
{
	return css_walk(BPF_CGROUP_ITER_DESCENDANTS_PRE);
}

SEC("syscall")
__description("DESCENDANTS_POST from the childless root: the root alone")
__success
__retval(0x301)
int post_yields_start_last(void *ctx)
{
	return css_walk(BPF_CGROUP_ITER_DESCENDANTS_POST);
}

SEC("syscall")
__description("ANCESTORS_UP from the root: the root alone (it has no parent)")
__success
__retval(0x301)
int ancestors_up_from_root(void *ctx)
{
	return css_walk(BPF_CGROUP_ITER_ANCESTORS_UP);
}

SEC("syscall")
__description("flags 0 (ORDER_UNSPEC): new() returns -EINVAL, next() yields nothing")
__success
__retval(-22)
int flags_zero_is_einval(void *ctx)
{
	return css_walk(0);
}

SEC("syscall")
__description("SELF_ONLY is the cgroup iter's, not the css iterator's: -EINVAL")
__success
__retval(-22)
int self_only_is_einval(void *ctx)
{
	return css_walk(BPF_CGROUP_ITER_SELF_ONLY);
}

SEC("syscall")
__description("after a failed new() (-EINVAL), next() twice returns NULL")
__success
__retval(-22)
int failed_new_yields_null(void *ctx)
{
	struct cgroup_subsys_state *a, *b;
	struct bpf_iter_css it;
	struct cgroup *cg;
	int err;

	cg = bpf_cgroup_from_id(ROOT_CGROUP_ID);
	if (!cg)
		return -1000;
	bpf_rcu_read_lock();
	err = bpf_iter_css_new(&it, &cg->self, 7);
	a = bpf_iter_css_next(&it);
	b = a ? bpf_iter_css_next(&it) : NULL;
	bpf_iter_css_destroy(&it);
	bpf_rcu_read_unlock();
	bpf_cgroup_release(cg);
	/* a non-NULL a or b shows up as 1000 or 2000 added to -EINVAL */
	return err + (a ? 1000 : 0) + (b ? 2000 : 0);
}

SEC("syscall")
__description("destroy() then new() on the slot: the second walk is the first one again")
__success
__retval(0x0101)
int destroy_then_new_walks_again(void *ctx)
{
	struct cgroup_subsys_state *pos, *start;
	struct bpf_iter_css it;
	struct cgroup *cg;
	struct cgroup_subsys_state *first = NULL;
	int n1 = 0, n2 = 0;

	cg = bpf_cgroup_from_id(ROOT_CGROUP_ID);
	if (!cg)
		return -1000;
	start = &cg->self;
	bpf_rcu_read_lock();
	bpf_iter_css_new(&it, start, BPF_CGROUP_ITER_DESCENDANTS_PRE);
	while ((pos = bpf_iter_css_next(&it)))
		n1++;
	bpf_iter_css_destroy(&it);
	bpf_iter_css_new(&it, start, BPF_CGROUP_ITER_DESCENDANTS_PRE);
	while ((pos = bpf_iter_css_next(&it))) {
		if (!first)
			first = pos;
		n2++;
	}
	bpf_iter_css_destroy(&it);
	bpf_rcu_read_unlock();
	bpf_cgroup_release(cg);
	out[0] = n1;
	out[1] = n2;
	return (out[0] == out[1] ? n2 & 0xff : 0xff) | (first == start) << 8;
}

char _license[] SEC("license") = "GPL";
