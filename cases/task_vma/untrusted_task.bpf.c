// SPDX-License-Identifier: GPL-2.0
/*
 * task_vma: new() with a task pointer that is not trusted or RCU-protected.
 * Contract: bpf_iter_task_vma_new() is KF_RCU: its task argument must be a
 * non-NULL PTR_TO_BTF_ID task_struct that is trusted (e.g.
 * bpf_get_current_task_btf(), a NULL-checked bpf_task_from_pid()) or
 * MEM_RCU (an RCU-safe field such as real_parent/group_leader, walked in
 * an RCU read-side section; a non-sleepable program is one implicitly).
 * Enforced by: kernel/bpf/verifier.c check_kfunc_args():
 * KF_ARG_PTR_TO_BTF_ID with KF_RCU ("R%d must be a rcu pointer"), the
 * nullability check ("Possibly NULL pointer passed to trusted arg%d"), and
 * for a scalar get_kfunc_ptr_arg_type()
 * ("arg#%d pointer type %s %s must point to scalar, or struct with scalar").
 * Applies: every kernel with the kfunc (6.7+); older kernels -> unsupported (automatic).
 * History: 6.7 .. 6.18 print "Possibly NULL pointer passed to trusted arg1"
 * (0-based BTF argument index) and, for a scalar, "arg#1 pointer type
 * STRUCT task_struct must point to scalar, or struct with scalar". The 2026
 * mainline argno_t rework (read at torvalds/linux 5a8cd539ac19) prints
 * reg_arg_name() instead: "Possibly NULL pointer passed to trusted R2";
 * argument kinds are classified from the kfunc's BTF alone
 * (get_kfunc_arg_type()), so a scalar for a struct pointer is reported by
 * check_kfunc_args() as "%s is %s expected %s %s", i.e. "R2 is scalar
 * expected STRUCT task_struct". "R2 must be a rcu pointer" is worded the
 * same in both. Loaded under QEMU (iterconf run --kernel all): Debian
 * 6.12.107 and 6.18 print "arg#1 pointer type ..."; Debian 7.2.13 prints an
 * in-between form, "R2 pointer type STRUCT task_struct must point to
 * scalar, or struct with scalar" (register names, old classification);
 * 7.3-rc7 prints "R2 is scalar expected STRUCT task_struct". The regexes
 * accept all three; the first release of each is not pinned, hence no
 * __kver_msg.
 * Not misuse (accepted on 6.18 in raw_tp, so not here): task->real_parent
 * and task->group_leader (BTF_TYPE_SAFE_RCU fields) in a non-sleepable
 * program. task->parent and task->last_wakee are not RCU-safe fields.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"
#include "bpf_experimental.h"

extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __weak __ksym;

SEC("raw_tp/sys_enter")
__description("task from bpf_get_current_task() (a scalar, not a BTF pointer)")
__failure
__msg("{{((arg#1|R2) pointer type STRUCT task_struct must point to scalar, or struct with scalar|R2 is scalar expected STRUCT task_struct)}}")
int task_from_get_current_task(void *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct bpf_iter_task_vma it;

	bpf_iter_task_vma_new(&it, task, 0);
	bpf_iter_task_vma_destroy(&it);
	return 0;
}

SEC("raw_tp/sys_enter")
__description("task read with bpf_probe_read_kernel() into a local")
__failure
__msg("{{((arg#1|R2) pointer type STRUCT task_struct must point to scalar, or struct with scalar|R2 is scalar expected STRUCT task_struct)}}")
int task_from_probe_read(void *ctx)
{
	struct task_struct *cur = bpf_get_current_task_btf();
	struct task_struct *task = NULL;
	struct bpf_iter_task_vma it;

	bpf_probe_read_kernel(&task, sizeof(task), &cur->last_wakee);
	bpf_iter_task_vma_new(&it, task, 0);
	bpf_iter_task_vma_destroy(&it);
	return 0;
}

SEC("raw_tp/sys_enter")
__description("task walked from a field that is neither trusted nor RCU (last_wakee)")
__failure
__msg("R2 must be a rcu pointer")
int task_from_last_wakee(void *ctx)
{
	struct task_struct *cur = bpf_get_current_task_btf();
	struct bpf_iter_task_vma it;

	bpf_iter_task_vma_new(&it, cur->last_wakee, 0);
	bpf_iter_task_vma_destroy(&it);
	return 0;
}

SEC("raw_tp/sys_enter")
__description("task walked from parent")
__failure
__msg("R2 must be a rcu pointer")
int task_from_parent(void *ctx)
{
	struct task_struct *cur = bpf_get_current_task_btf();
	struct bpf_iter_task_vma it;

	bpf_iter_task_vma_new(&it, cur->parent, 0);
	bpf_iter_task_vma_destroy(&it);
	return 0;
}

SEC("raw_tp/sys_enter")
__description("task from bpf_rdonly_cast() (PTR_UNTRUSTED)")
__failure
__msg("R2 must be a rcu pointer")
int task_from_rdonly_cast(void *ctx)
{
	struct task_struct *task;
	struct bpf_iter_task_vma it;

	task = bpf_rdonly_cast((void *)bpf_get_current_task(),
			       __builtin_btf_type_id(*(struct task_struct *)0, 1));
	bpf_iter_task_vma_new(&it, task, 0);
	bpf_iter_task_vma_destroy(&it);
	return 0;
}

SEC("raw_tp/sys_enter")
__description("NULL as the task")
__failure
__msg("Possibly NULL pointer passed to trusted {{(arg1|R2)}}")
int null_task(void *ctx)
{
	struct bpf_iter_task_vma it;

	bpf_iter_task_vma_new(&it, NULL, 0);
	bpf_iter_task_vma_destroy(&it);
	return 0;
}

/* bpf_task_from_pid() is registered for tracing programs, not raw_tp */
SEC("tp_btf/sys_enter")
__description("task from bpf_task_from_pid() without the NULL check")
__failure
__msg("Possibly NULL pointer passed to trusted {{(arg1|R2)}}")
int task_from_pid_unchecked(void *ctx)
{
	struct task_struct *task = bpf_task_from_pid(1);
	struct bpf_iter_task_vma it;

	bpf_iter_task_vma_new(&it, task, 0);
	bpf_iter_task_vma_destroy(&it);
	if (task)
		bpf_task_release(task);
	return 0;
}

/*
 * bpf_task_release() invalidates the register; for a privileged loader it
 * becomes an unknown scalar (unprivileged: not readable), hence the scalar
 * message.
 */
SEC("tp_btf/sys_enter")
__description("task from bpf_task_from_pid() used after bpf_task_release()")
__failure
__msg("{{((arg#1|R2) pointer type STRUCT task_struct must point to scalar, or struct with scalar|R2 is scalar expected STRUCT task_struct)}}")
int task_used_after_release(void *ctx)
{
	struct task_struct *task = bpf_task_from_pid(1);
	struct bpf_iter_task_vma it;

	if (!task)
		return 0;
	bpf_task_release(task);
	bpf_iter_task_vma_new(&it, task, 0);
	bpf_iter_task_vma_destroy(&it);
	return 0;
}

/*
 * A sleepable program is not in an RCU read-side section unless it calls
 * bpf_rcu_read_lock(), so walking even an RCU-safe field gives
 * PTR_UNTRUSTED. SEC("syscall") is used because it is sleepable without an
 * attach target (fentry.s/lsm.s need trampolines the host may refuse).
 */
SEC("syscall")
__description("sleepable: task walked from group_leader outside bpf_rcu_read_lock()")
__failure
__msg("R2 must be a rcu pointer")
int sleepable_group_leader_without_rcu_lock(void *ctx)
{
	struct task_struct *cur = bpf_get_current_task_btf();
	struct bpf_iter_task_vma it;

	bpf_iter_task_vma_new(&it, cur->group_leader, 0);
	bpf_iter_task_vma_destroy(&it);
	return 0;
}

char _license[] SEC("license") = "GPL";
