// SPDX-License-Identifier: GPL-2.0
/*
 * task_vma: the same correct loop in every kind of program that can call it.
 * Contract: the task_vma kfuncs are in common_kfunc_set, registered for
 * BPF_PROG_TYPE_UNSPEC (kernel/bpf/helpers.c kfunc_init()), i.e. callable from
 * every program type, sleepable or not; only the source of the task differs
 * by program type.
 * Enforced by: kernel/bpf/verifier.c check_kfunc_call() / fetch_kfunc_meta()
 * (btf_kfunc_id_set_contains() for the program type) -- accepted: every
 * program below is allowed the kfuncs and has a trusted task.
 * Applies: every kernel with the kfunc (6.7+); older kernels -> unsupported (automatic).
 * Task sources by program type: bpf_get_current_task_btf() is a tracing
 * helper (bpf_tracing_func_proto(): raw_tp, tp_btf, fentry, tp, kprobe,
 * perf_event, syscall, lsm, iter). Networking programs (tc, xdp) also get
 * it from bpf_base_func_proto() when loaded with CAP_PERFMON, but there
 * "current" is whatever task the packet path interrupted, so they look the
 * task up with bpf_task_from_pid() (generic kfunc set, registered for
 * TRACING, SCHED_CLS, STRUCT_OPS, XDP since 6.8 (7489723c2e26 "bpf: xdp:
 * Register generic_kfunc_set with XDP programs"), SYSCALL since 6.10
 * (a8e03b6bbb2c "bpf: Allow invoking kfuncs from BPF_PROG_TYPE_SYSCALL
 * progs"); on 6.18 also TRACEPOINT and PERF_EVENT, but not RAW_TRACEPOINT
 * or KPROBE: "calling kernel function bpf_task_from_pid is not allowed").
 * iter/task programs take the task from their context (trusted, may be NULL).
 * Host note: on the 6.18 development host every fentry/fexit/lsm load
 * (even of an empty program) fails with EPERM and an empty verifier log,
 * i.e. before verification, so those five programs can only be checked on
 * the QEMU kernels.
 * Runtime note (not checked here; programs are only loaded): since the 2026
 * task_vma rework (7.1; backported to 7.0.y, 6.18.y, 6.12.y) new() fails with
 * -EBUSY when IRQs are disabled, so in perf_event (NMI) programs the loop
 * body never runs there; older kernels could iterate in NMI.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"
#include "bpf_experimental.h"

int target_pid;
u64 total_bytes;

static __always_inline void sum_task_vmas(struct task_struct *task)
{
	struct bpf_iter_task_vma it;
	struct vm_area_struct *vma;
	u64 total = 0;

	bpf_iter_task_vma_new(&it, task, 0);
	while ((vma = bpf_iter_task_vma_next(&it)))
		total += vma->vm_end - vma->vm_start;
	bpf_iter_task_vma_destroy(&it);

	total_bytes = total;
}

SEC("raw_tp/sys_enter")
__description("raw_tp: RAW_TRACEPOINT program")
__success
int prog_raw_tp(void *ctx)
{
	sum_task_vmas(bpf_get_current_task_btf());
	return 0;
}

SEC("tp_btf/sys_enter")
__description("tp_btf: TRACING program (BPF_TRACE_RAW_TP)")
__success
int prog_tp_btf(u64 *ctx)
{
	sum_task_vmas(bpf_get_current_task_btf());
	return 0;
}

SEC("fentry/bpf_fentry_test1")
__description("fentry: TRACING program (BPF_TRACE_FENTRY)")
__success
int prog_fentry(u64 *ctx)
{
	sum_task_vmas(bpf_get_current_task_btf());
	return 0;
}

SEC("fexit/bpf_fentry_test1")
__description("fexit: TRACING program (BPF_TRACE_FEXIT)")
__success
int prog_fexit(u64 *ctx)
{
	sum_task_vmas(bpf_get_current_task_btf());
	return 0;
}

SEC("fentry.s/__x64_sys_getpgid")
__description("fentry.s: sleepable TRACING program on a syscall entry")
__success
int prog_fentry_sleepable(u64 *ctx)
{
	sum_task_vmas(bpf_get_current_task_btf());
	return 0;
}

SEC("syscall")
__description("syscall: sleepable SYSCALL program")
__success
int prog_syscall(void *ctx)
{
	sum_task_vmas(bpf_get_current_task_btf());
	return 0;
}

SEC("tp/syscalls/sys_enter_getpid")
__description("tp: TRACEPOINT program")
__success
int prog_tracepoint(void *ctx)
{
	sum_task_vmas(bpf_get_current_task_btf());
	return 0;
}

SEC("kprobe/bpf_fentry_test1")
__description("kprobe: KPROBE program")
__success
int prog_kprobe(struct pt_regs *ctx)
{
	sum_task_vmas(bpf_get_current_task_btf());
	return 0;
}

SEC("uprobe.s")
__description("uprobe.s: sleepable KPROBE program")
__success
int prog_uprobe_sleepable(struct pt_regs *ctx)
{
	sum_task_vmas(bpf_get_current_task_btf());
	return 0;
}

SEC("perf_event")
__description("perf_event: PERF_EVENT program (NMI context at runtime)")
__success
int prog_perf_event(void *ctx)
{
	sum_task_vmas(bpf_get_current_task_btf());
	return 0;
}

SEC("lsm/file_open")
__description("lsm: LSM program")
__success
int prog_lsm(u64 *ctx)
{
	sum_task_vmas(bpf_get_current_task_btf());
	return 0;
}

SEC("lsm.s/file_open")
__description("lsm.s: sleepable LSM program")
__success
int prog_lsm_sleepable(u64 *ctx)
{
	sum_task_vmas(bpf_get_current_task_btf());
	return 0;
}

SEC("iter/task")
__description("iter/task: task from the iterator context (NULL-checked)")
__success
int prog_iter_task(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;

	/*
	 * ctx->task is PTR_TO_BTF_ID_OR_NULL | PTR_TRUSTED (NULL marks the end
	 * of the walk); trusted since 6.7-rc (commit 0de4f50de25a "bpf: Let
	 * verifier consider {task,cgroup} is trusted in bpf_iter_reg").
	 */
	if (!task)
		return 0;
	sum_task_vmas(task);
	return 0;
}

SEC("iter.s/task")
__description("iter.s/task: sleepable iterator program, task from the context")
__success
int prog_iter_task_sleepable(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;

	if (!task)
		return 0;
	sum_task_vmas(task);
	return 0;
}

SEC("tc")
__description("tc: SCHED_CLS program, task from bpf_task_from_pid()")
__success
int prog_tc(void *ctx)
{
	struct task_struct *task;

	task = bpf_task_from_pid(target_pid);
	if (!task)
		return 0;
	sum_task_vmas(task);
	bpf_task_release(task);
	return 0;
}

/* generic kfuncs (bpf_task_from_pid) reach XDP in 6.8, commit 7489723c2e26 */
SEC("xdp")
__description("xdp: XDP program, task from bpf_task_from_pid()")
__success
__kver_failure("<6.8")
__kver_msg("<6.8", "calling kernel function bpf_task_from_pid is not allowed")
int prog_xdp(void *ctx)
{
	struct task_struct *task;

	task = bpf_task_from_pid(target_pid);
	if (task) {
		sum_task_vmas(task);
		bpf_task_release(task);
	}
	return 2; /* XDP_PASS */
}

char _license[] SEC("license") = "GPL";
