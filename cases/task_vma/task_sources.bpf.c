// SPDX-License-Identifier: GPL-2.0
/*
 * task_vma: where the task handed to new() may come from.
 * Contract: bpf_iter_task_vma_new() is KF_RCU: its task argument must be a
 * trusted pointer (bpf_get_current_task_btf(), an acquired reference, a
 * trusted tracepoint argument) or an RCU-protected one (an RCU field such as
 * task->real_parent / task->group_leader walked inside an RCU read section;
 * a non-sleepable program is implicitly inside one), and must not be NULL.
 * Enforced by: kernel/bpf/verifier.c check_kfunc_args() (KF_ARG_PTR_TO_BTF_ID,
 * is_kfunc_rcu() && is_rcu_reg()), check_ptr_to_btf_access() (MEM_RCU for
 * fields in BTF_TYPE_SAFE_RCU(struct task_struct)), in_rcu_cs() --
 * accepted: every task below is trusted or RCU-protected.
 * Applies: every kernel with the kfunc (6.7+); older kernels -> unsupported (automatic).
 * History: task->real_parent and task->group_leader have been in
 * BTF_TYPE_SAFE_RCU(struct task_struct) and in_rcu_cs() has counted every
 * non-sleepable program as an RCU read section since 6.4 (commit 6fcd486b3a0a
 * "bpf: Refactor RCU enforcement in the verifier"), i.e. before task_vma
 * existed, so the verdicts here are the same on 6.7 .. 7.3.
 * bpf_task_from_pid()/bpf_task_acquire()/bpf_task_release() are in the
 * "generic" kfunc set, registered for BPF_PROG_TYPE_TRACING (tp_btf here),
 * SCHED_CLS, STRUCT_OPS, XDP (6.8+), SYSCALL (6.10+) and a few more, not for
 * RAW_TRACEPOINT ("calling kernel function bpf_task_from_pid is not
 * allowed" on 6.18), so the programs that use them are tp_btf or syscall.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"
#include "bpf_experimental.h"

int target_pid;
u64 total_bytes;
u32 vma_count;

static __always_inline u64 sum_vmas(struct bpf_iter_task_vma *it)
{
	struct vm_area_struct *vma;
	u64 total = 0;

	while ((vma = bpf_iter_task_vma_next(it)))
		total += vma->vm_end - vma->vm_start;
	return total;
}

SEC("raw_tp/sys_enter")
__description("task from bpf_get_current_task_btf() (trusted)")
__success
int task_from_current_task_btf(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct bpf_iter_task_vma it;

	bpf_iter_task_vma_new(&it, task, 0);
	total_bytes = sum_vmas(&it);
	bpf_iter_task_vma_destroy(&it);
	return 0;
}

SEC("tp_btf/sys_enter")
__description("task from bpf_task_from_pid(): NULL-checked, used, released")
__success
int task_from_pid_acquired(u64 *ctx)
{
	struct bpf_iter_task_vma it;
	struct task_struct *task;

	task = bpf_task_from_pid(target_pid);
	if (!task)
		return 0;

	bpf_iter_task_vma_new(&it, task, 0);
	total_bytes = sum_vmas(&it);
	bpf_iter_task_vma_destroy(&it);

	bpf_task_release(task);
	return 0;
}

SEC("tp_btf/sys_enter")
__description("task reference released only after the iterator is destroyed")
__success
int task_from_pid_release_after_destroy(u64 *ctx)
{
	struct task_struct *task;
	struct bpf_iter_task_vma it;
	struct vm_area_struct *vma;
	u32 n = 0;

	task = bpf_task_from_pid(target_pid);
	if (!task)
		return 0;

	if (bpf_iter_task_vma_new(&it, task, 0)) {
		bpf_iter_task_vma_destroy(&it);
		bpf_task_release(task);
		return 0;
	}
	while ((vma = bpf_iter_task_vma_next(&it)))
		n++;
	bpf_iter_task_vma_destroy(&it);
	bpf_task_release(task);

	vma_count = n;
	return 0;
}

SEC("tp_btf/sys_enter")
__description("task from bpf_task_acquire(current): NULL-checked, used, released")
__success
int task_from_task_acquire(u64 *ctx)
{
	struct bpf_iter_task_vma it;
	struct task_struct *task;

	/* bpf_task_acquire() is KF_RET_NULL since 6.4: check the result */
	task = bpf_task_acquire(bpf_get_current_task_btf());
	if (!task)
		return 0;

	bpf_iter_task_vma_new(&it, task, 0);
	total_bytes = sum_vmas(&it);
	bpf_iter_task_vma_destroy(&it);

	bpf_task_release(task);
	return 0;
}

SEC("tp_btf/sched_process_fork")
__description("task from a tp_btf argument (sched_process_fork child)")
__success
int task_from_tp_btf_arg(u64 *ctx)
{
	/* TP_PROTO(struct task_struct *parent, struct task_struct *child) */
	struct task_struct *child = (struct task_struct *)ctx[1];
	struct bpf_iter_task_vma it;

	/*
	 * tp_btf arguments are trusted. 6.13-rc briefly marked every raw_tp
	 * argument PTR_MAYBE_NULL (later narrowed to a list of nullable
	 * tracepoint arguments); the NULL check keeps the verdict stable.
	 */
	if (!child)
		return 0;

	bpf_iter_task_vma_new(&it, child, 0);
	total_bytes = sum_vmas(&it);
	bpf_iter_task_vma_destroy(&it);
	return 0;
}

SEC("raw_tp/sys_enter")
__description("task->group_leader in a non-sleepable program (MEM_RCU, implicit RCU section)")
__success
int task_group_leader_non_sleepable(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct task_struct *leader;
	struct bpf_iter_task_vma it;

	/*
	 * group_leader is in BTF_TYPE_SAFE_RCU(struct task_struct) ("trusted
	 * in RCU CS and never NULL"): walked from a trusted task in a
	 * non-sleepable program it is rcu_ptr_task_struct (MEM_RCU, not
	 * PTR_MAYBE_NULL), which a KF_RCU kfunc accepts. The verifier needs no
	 * NULL check (checked on 6.18); one is kept as real code would.
	 */
	leader = task->group_leader;
	if (!leader)
		return 0;

	bpf_iter_task_vma_new(&it, leader, 0);
	total_bytes = sum_vmas(&it);
	bpf_iter_task_vma_destroy(&it);
	return 0;
}

SEC("raw_tp/sys_enter")
__description("task->real_parent in a non-sleepable program (MEM_RCU, implicit RCU section)")
__success
int task_real_parent_non_sleepable(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct task_struct *parent;
	struct bpf_iter_task_vma it;

	/* real_parent is __rcu and in BTF_TYPE_SAFE_RCU(struct task_struct) */
	parent = task->real_parent;
	if (!parent)
		return 0;

	bpf_iter_task_vma_new(&it, parent, 0);
	total_bytes = sum_vmas(&it);
	bpf_iter_task_vma_destroy(&it);
	return 0;
}

SEC("raw_tp/sys_enter")
__description("task->real_parent->group_leader: RCU walk from an RCU pointer")
__success
int task_parent_leader_chain(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct task_struct *leader;
	struct bpf_iter_task_vma it;

	leader = task->real_parent->group_leader;
	if (!leader)
		return 0;

	bpf_iter_task_vma_new(&it, leader, 0);
	total_bytes = sum_vmas(&it);
	bpf_iter_task_vma_destroy(&it);
	return 0;
}

SEC("syscall")
__description("sleepable: task->real_parent inside bpf_rcu_read_lock()/unlock()")
__success
int rcu_section_sleepable(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct task_struct *parent;
	struct bpf_iter_task_vma it;

	bpf_rcu_read_lock();
	parent = task->real_parent;
	if (!parent) {
		bpf_rcu_read_unlock();
		return 0;
	}
	bpf_iter_task_vma_new(&it, parent, 0);
	total_bytes = sum_vmas(&it);
	bpf_iter_task_vma_destroy(&it);
	bpf_rcu_read_unlock();
	return 0;
}

SEC("syscall")
__description("sleepable: iterator created in an RCU section, used and destroyed after it")
__success
int iter_outlives_rcu_section(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct task_struct *parent;
	struct bpf_iter_task_vma it;

	/*
	 * task_vma's new() is KF_RCU, not KF_RCU_PROTECTED: only the task
	 * argument needs the RCU section (new() takes its own task reference),
	 * the iterator slot stays valid after bpf_rcu_read_unlock(). Contrast
	 * the task/css iterators, whose slots become untrusted there
	 * ("expected an RCU CS when using ...").
	 */
	bpf_rcu_read_lock();
	parent = task->real_parent;
	if (!parent) {
		bpf_rcu_read_unlock();
		return 0;
	}
	bpf_iter_task_vma_new(&it, parent, 0);
	bpf_rcu_read_unlock();

	total_bytes = sum_vmas(&it);
	bpf_iter_task_vma_destroy(&it);
	return 0;
}

/*
 * SYSCALL programs may call the generic kfuncs only since 6.10 (commit
 * a8e03b6bbb2c "bpf: Allow invoking kfuncs from BPF_PROG_TYPE_SYSCALL
 * progs", David Vernet, bpf-next Apr 2024); before, the verifier rejects
 * the bpf_task_from_pid() call.
 */
SEC("syscall")
__description("sleepable: task from bpf_task_from_pid(), no RCU section needed")
__success
__kver_failure("<6.10")
__kver_msg("<6.10", "calling kernel function bpf_task_from_pid is not allowed")
int task_from_pid_sleepable(void *ctx)
{
	struct bpf_iter_task_vma it;
	struct task_struct *task;

	task = bpf_task_from_pid(target_pid);
	if (!task)
		return 0;

	bpf_iter_task_vma_new(&it, task, 0);
	total_bytes = sum_vmas(&it);
	bpf_iter_task_vma_destroy(&it);

	bpf_task_release(task);
	return 0;
}

char _license[] SEC("license") = "GPL";
