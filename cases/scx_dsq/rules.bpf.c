// SPDX-License-Identifier: GPL-2.0
/*
 * scx_dsq: where the sched_ext DSQ iterator may be created, and its
 * protocol.
 * Contract: bpf_iter_scx_dsq_new is registered only for the sched_ext
 * kfunc hooks (struct_ops, syscall, tracing); a kprobe program may not call
 * it. It is KF_RCU_PROTECTED: a sleepable program creates it inside
 * bpf_rcu_read_lock(). The flags are not checked by the verifier (new()
 * fails at run time, cases/scx_dsq/runtime). The generic protocol
 * holds for its 48-byte (six-slot) iterator.
 * Enforced by: kernel/bpf/verifier.c check_kfunc_call() ("calling kernel
 * function %s is not allowed", "kernel func %s requires RCU critical
 * section protection"), process_iter_arg() ("expected uninitialized
 * iter_%s as %s"), check_reference_leak() ("Unreleased reference id=%d
 * alloc_insn=%d").
 * Applies: kernels with CONFIG_SCHED_CLASS_EXT: of the Debian images 7.2 and
 * 7.3 (6.12's is built without it); the others -> unsupported (automatic).
 * History: the iterator is 6.12's (650ba21b131e); "requires RCU critical
 * section protection" is 6.18's, so every kernel judged here prints it; 7.2
 * registers new() with KF_IMPLICIT_ARGS (bpf_iter_scx_dsq_new_impl in BTF),
 * programs still call the three-argument name; "R1" is 7.x's designator.
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

SEC("syscall")
__description("syscall program, inside bpf_rcu_read_lock(), a bad flag")
__success
int syscall_inside_rcu_section(void *ctx)
{
	struct bpf_iter_scx_dsq it;
	struct task_struct *p;
	int n = 0;

	bpf_rcu_read_lock();
	bpf_iter_scx_dsq_new(&it, SCX_DSQ_GLOBAL, 1);
	while ((p = bpf_iter_scx_dsq_next(&it)))
		n++;
	bpf_iter_scx_dsq_destroy(&it);
	bpf_rcu_read_unlock();
	return n & 1;
}

SEC("kprobe/bpf_fentry_test1")
__description("kprobe: not a sched_ext kfunc hook")
__failure
__msg("calling kernel function bpf_iter_scx_dsq_new is not allowed")
int kprobe_refused(void *ctx)
{
	struct bpf_iter_scx_dsq it;

	bpf_iter_scx_dsq_new(&it, SCX_DSQ_GLOBAL, 0);
	bpf_iter_scx_dsq_destroy(&it);
	return 0;
}

SEC("syscall")
__description("syscall program without an RCU section")
__failure
__kver_msg(">=6.18", "kernel func bpf_iter_scx_dsq_new requires RCU critical section protection")
__kver_msg("<6.18", "expected an RCU CS when using bpf_iter_scx_dsq_destroy")
int syscall_outside_rcu_section(void *ctx)
{
	struct bpf_iter_scx_dsq it;

	bpf_iter_scx_dsq_new(&it, SCX_DSQ_GLOBAL, 0);
	bpf_iter_scx_dsq_destroy(&it);
	return 0;
}

SEC("syscall")
__description("new() twice on the six-slot iterator")
__failure
__msg("expected uninitialized iter_scx_dsq as {{(arg #0|R1)}}")
int new_twice(void *ctx)
{
	struct bpf_iter_scx_dsq it;

	bpf_rcu_read_lock();
	bpf_iter_scx_dsq_new(&it, SCX_DSQ_GLOBAL, 0);
	bpf_iter_scx_dsq_new(&it, SCX_DSQ_GLOBAL, 0);
	bpf_iter_scx_dsq_destroy(&it);
	bpf_rcu_read_unlock();
	return 0;
}

SEC("syscall")
__description("no destroy()")
__failure
__msg("Unreleased reference id={{[0-9]+}} alloc_insn={{[0-9]+}}")
int never_destroyed(void *ctx)
{
	struct bpf_iter_scx_dsq it;

	bpf_rcu_read_lock();
	bpf_iter_scx_dsq_new(&it, SCX_DSQ_GLOBAL, 0);
	bpf_rcu_read_unlock();
	return 0;
}

char _license[] SEC("license") = "GPL";
