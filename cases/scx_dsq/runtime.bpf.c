// SPDX-License-Identifier: GPL-2.0
/*
 * scx_dsq: what the DSQ iterator yields at run time with no sched_ext
 * scheduler loaded (the guests load none).
 * Contract: bpf_iter_scx_dsq_new() clears the iterator first; with no
 * scheduler loaded it fails with -ENODEV whatever the DSQ and the flags
 * (the flag check, -EINVAL outside SCX_DSQ_ITER_REV, and the DSQ lookup,
 * -ENOENT, come after it); after a failed new() next() yields nothing,
 * again and again.
 * Enforced by: kernel/sched/ext.c bpf_iter_scx_dsq_new() ("kit->dsq = NULL"
 * first, 3ca42b7aea35, May 2025, stable 6.12+), bpf_iter_scx_dsq_next()
 * ("if (!kit->dsq) return NULL").
 * Applies: kernels with CONFIG_SCHED_CLASS_EXT (Debian 7.2, 7.3); the others
 * -> unsupported (automatic). The __retval checks run in guests only.
 * History: measured on 7.2.13 and 7.3-rc7 (-19 for all three programs, bad
 * flags included); the release that put the scheduler check first (the
 * sched_ext sub-scheduler work, which looks DSQs up per scheduler) is not
 * pinned. 6.12's sched_ext returned -ENOENT from the lookup instead, but
 * no Debian 6.12 image has sched_ext.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"
#include "bpf_experimental.h"

/*
 * The host this corpus is built on has no sched_ext (its vmlinux.h has no
 * DSQ iterator): the iterator, its kfuncs and the DSQ ids are declared here
 * (include/linux/sched/ext.h, kernel/sched/ext.c).
 */
struct bpf_iter_scx_dsq {
	__u64 __opaque[6];
} __attribute__((aligned(8)));
extern int bpf_iter_scx_dsq_new(struct bpf_iter_scx_dsq *it, __u64 dsq_id, __u64 flags) __weak __ksym;
extern struct task_struct *bpf_iter_scx_dsq_next(struct bpf_iter_scx_dsq *it) __weak __ksym;
extern void bpf_iter_scx_dsq_destroy(struct bpf_iter_scx_dsq *it) __weak __ksym;

#define SCX_DSQ_GLOBAL (1ULL << 63)	/* SCX_DSQ_FLAG_BUILTIN, id 1 */
#define SCX_DSQ_ITER_REV (1ULL << 16)

static __always_inline int walk(__u64 dsq_id, __u64 flags)
{
	struct bpf_iter_scx_dsq it;
	struct task_struct *a, *b;
	int err;

	bpf_rcu_read_lock();
	err = bpf_iter_scx_dsq_new(&it, dsq_id, flags);
	a = bpf_iter_scx_dsq_next(&it);
	b = a ? a : bpf_iter_scx_dsq_next(&it);
	bpf_iter_scx_dsq_destroy(&it);
	bpf_rcu_read_unlock();
	return err + (a ? 1000 : 0) + (b ? 2000 : 0);
}

SEC("syscall")
__description("a flag outside SCX_DSQ_ITER_REV with no scheduler: -ENODEV comes first, then next() NULL twice")
__success
__retval(-19)
int bad_flags_without_scheduler(void *ctx)
{
	return walk(SCX_DSQ_GLOBAL, 1);
}

SEC("syscall")
__description("the global DSQ with no scheduler loaded: -ENODEV, next() NULL twice")
__success
__retval(-19)
int global_dsq_without_scheduler(void *ctx)
{
	return walk(SCX_DSQ_GLOBAL, 0);
}

SEC("syscall")
__description("a user DSQ id, in reverse, with no scheduler loaded: -ENODEV, next() NULL twice")
__success
__retval(-19)
int user_dsq_without_scheduler(void *ctx)
{
	return walk(42, SCX_DSQ_ITER_REV);
}

char _license[] SEC("license") = "GPL";
