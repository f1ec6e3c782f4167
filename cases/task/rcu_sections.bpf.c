// SPDX-License-Identifier: GPL-2.0
/*
 * task: the RCU-protected task iterator inside and outside RCU sections.
 * Contract: bpf_iter_task_new is KF_RCU_PROTECTED: in a sleepable program
 * it must be created inside bpf_rcu_read_lock() and used before the matching
 * unlock; leaving the section turns the iterator untrusted, and a later
 * next() is refused. A state whose iterator went through an unlock is not
 * the same as one whose iterator did not, even back inside a section.
 * Enforced by: kernel/bpf/verifier.c check_kfunc_call() ("kernel func %s
 * requires RCU critical section protection"), mark_stack_slots_iter()
 * (MEM_RCU inside a section, PTR_UNTRUSTED outside), bpf_rcu_read_unlock ->
 * invalidate_rcu_protected_refs(), is_iter_reg_valid_init() (-EPROTO:
 * "expected an RCU CS when using %s"), states.c stacksafe() (STACK_ITER:
 * the slot's type is compared).
 * Applies: every kernel with the kfunc (6.7+); older kernels -> unsupported
 * (automatic). SEC("syscall") programs are sleepable, so no section is
 * implied.
 * History: "requires RCU critical section protection" is 6.18's ("bpf:
 * Enforce RCU protection for KF_RCU_PROTECTED", Sep 2025; present in host
 * 6.18.44 and 7.2.13, absent in 6.12.118). Before it, a new() outside a
 * section gives an untrusted iterator whose next() is then refused with
 * "expected an RCU CS"; each kernel is held to its own message, so a 6.18+
 * kernel that falls back to the old behaviour fails. The slot-type
 * comparison in stacksafe() is in 6.12.y and 7.2.13 (commit not pinned; see
 * shared/reference/iter-semantics.md section 4). Both orders of the pruning
 * pair are here (BPF_F_TEST_STATE_FREQ: a checkpoint at every instruction;
 * the verifier explores the fall-through first; clang lays the unlocking arm
 * out as the fall-through, so the second one is written in assembly). These programs exist to
 * kill mark-rcu-cs-inverted, task-rcu-cs-not-required,
 * init-untrusted-accepted and conv-prune-ignores-slot-type of
 * images/mutants.toml.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"
#include "bpf_experimental.h"

SEC("syscall")
__description("task iterator created and walked inside bpf_rcu_read_lock()")
__success
int task_iter_inside_rcu_section(void *ctx)
{
	struct bpf_iter_task it;
	struct task_struct *t;
	__u64 pids = 0;

	bpf_rcu_read_lock();
	bpf_iter_task_new(&it, NULL, BPF_TASK_ITER_ALL_PROCS);
	while ((t = bpf_iter_task_next(&it)))
		pids += t->pid;
	bpf_iter_task_destroy(&it);
	bpf_rcu_read_unlock();
	return pids & 1;
}

SEC("syscall")
__description("task iterator created outside any RCU section in a sleepable program")
__failure
__kver_msg(">=6.18", "kernel func bpf_iter_task_new requires RCU critical section protection")
__kver_msg("<6.18", "expected an RCU CS when using bpf_iter_task_next")
int task_iter_new_outside_rcu_section(void *ctx)
{
	struct bpf_iter_task it;
	struct task_struct *t;
	__u64 pids = 0;

	bpf_iter_task_new(&it, NULL, BPF_TASK_ITER_ALL_PROCS);
	while ((t = bpf_iter_task_next(&it)))
		pids += t->pid;
	bpf_iter_task_destroy(&it);
	return pids & 1;
}

SEC("syscall")
__description("next() after the RCU section that created the task iterator ended")
__failure
__msg("expected an RCU CS when using bpf_iter_task_next")
int task_iter_next_after_rcu_unlock(void *ctx)
{
	struct bpf_iter_task it;
	struct task_struct *t;
	int pid = 0;

	bpf_rcu_read_lock();
	bpf_iter_task_new(&it, NULL, BPF_TASK_ITER_ALL_PROCS);
	bpf_rcu_read_unlock();
	t = bpf_iter_task_next(&it);
	if (t)
		pid = t->pid;
	bpf_iter_task_destroy(&it);
	return pid & 1;
}

SEC("syscall")
__description("an unlock/lock on the then-arm only, next() after the join")
__failure
__flag(BPF_F_TEST_STATE_FREQ)
__msg("expected an RCU CS when using bpf_iter_task_next")
int task_iter_relocked_on_then_arm(void *ctx)
{
	struct bpf_iter_task it;
	struct task_struct *t;
	int pid = 0, where = 0;

	bpf_rcu_read_lock();
	bpf_iter_task_new(&it, NULL, BPF_TASK_ITER_ALL_PROCS);
	if (bpf_get_prandom_u32() & 1) {
		bpf_rcu_read_unlock();
		bpf_rcu_read_lock();
	} else {
		where = 1;
	}
	t = bpf_iter_task_next(&it);
	if (t)
		pid = t->pid;
	bpf_iter_task_destroy(&it);
	bpf_rcu_read_unlock();
	return (pid + where) & 1;
}

SEC("syscall")
__description("unlock/lock on the jump target only: the unlocked path meets the explored one at the join")
__failure
__flag(BPF_F_TEST_STATE_FREQ)
__msg("expected an RCU CS when using bpf_iter_task_next")
__naked int task_iter_relocked_path_meets_explored_one(void *ctx)
{
	/* The fall-through (no unlock) is explored first and reaches the join
	 * with a MEM_RCU iterator; the jump target then arrives there with an
	 * untrusted one, which must not be pruned against it. */
	asm volatile("call %[bpf_rcu_read_lock];"
		     "r1 = r10;"
		     "r1 += -24;"
		     "r2 = 0;"
		     "r3 = 0;"
		     "call %[bpf_iter_task_new];"
		     "call %[bpf_get_prandom_u32];"
		     "if r0 != 0 goto 1f;"
		     "goto 2f;"
		     "1:"
		     "call %[bpf_rcu_read_unlock];"
		     "call %[bpf_rcu_read_lock];"
		     "2:"
		     "r1 = r10;"
		     "r1 += -24;"
		     "call %[bpf_iter_task_next];"
		     "r1 = r10;"
		     "r1 += -24;"
		     "call %[bpf_iter_task_destroy];"
		     "call %[bpf_rcu_read_unlock];"
		     "r0 = 0;"
		     "exit;"
		     :
		     : [bpf_rcu_read_lock] "i"(bpf_rcu_read_lock),
		       [bpf_rcu_read_unlock] "i"(bpf_rcu_read_unlock),
		       [bpf_iter_task_new] "i"(bpf_iter_task_new),
		       [bpf_iter_task_next] "i"(bpf_iter_task_next),
		       [bpf_iter_task_destroy] "i"(bpf_iter_task_destroy),
		       [bpf_get_prandom_u32] "i"(bpf_get_prandom_u32)
		     : "r0", "r1", "r2", "r3", "r4", "r5", "memory");
}

char _license[] SEC("license") = "GPL";
