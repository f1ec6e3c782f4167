// SPDX-License-Identifier: GPL-2.0
/*
 * task_vma: the references new(), next() and destroy() take are dropped.
 * Contract: new() takes a reference on the task (get_task_struct) and on its
 * mm (mmget); next() takes one on the file of the VMA it returns (get_file,
 * held in the iterator's snapshot until the next call); destroy() drops all
 * three, and a new() that fails (-ENOENT: the task has no mm, e.g. it has
 * exited and is a zombie) drops the task reference itself. A reference left
 * behind keeps the child's task_struct, its whole address space or its
 * memfd alive after the child is reaped.
 * Enforced by: kernel/bpf/task_iter.c bpf_iter_task_vma_new()
 * ("err_cleanup_iter: put_task_struct(kit->data->task)"),
 * bpf_iter_task_vma_next() (get_file(snap->vm_file)),
 * bpf_iter_task_vma_destroy() (bpf_iter_task_vma_snapshot_reset,
 * put_task_struct, bpf_iter_mmput_async). The verifier checks none of it:
 * every program here is accepted; the runtime is checked by __leak_check in
 * guests (each program runs N times against fresh children the agent forks,
 * ctx = struct leak_ctx below, and the kernel's memory counters must not
 * grow; cases/README.md). On the host they are only loaded.
 * Applies: kernels with bpf_task_from_pid() for syscall programs (6.10+) and
 * task_vma; older kernels -> unsupported (automatic).
 * History: these programs exist to kill vma-destroy-mm-ref-leaked,
 * vma-destroy-task-ref-leaked, vma-new-err-task-ref-leaked,
 * vma-destroy-file-ref-leaked and vma-snapshot-file-not-cleared of
 * images/mutants.toml.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"
#include "bpf_experimental.h"

/* What the guest agent passes (agent/leak.hpp LeakCtx). */
struct leak_ctx {
	int pid;
	int zombie;
	__u64 file_start; /* the child's memfd mapping, 0 if it has none */
	__u64 file_end;
};

SEC("syscall")
__description("a live child walked to the end: task, mm and file references dropped")
__success
__retval(0)
__leak_check(2000)
int walk_live_child_fully(struct leak_ctx *ctx)
{
	struct bpf_iter_task_vma it;
	struct vm_area_struct *vma;
	struct task_struct *task;
	int seen = 0;

	task = bpf_task_from_pid(ctx->pid);
	if (!task)
		return 1;
	bpf_iter_task_vma_new(&it, task, 0);
	while ((vma = bpf_iter_task_vma_next(&it)))
		seen = 1; /* a counter would not converge */
	bpf_iter_task_vma_destroy(&it);
	bpf_task_release(task);
	return seen ? 0 : 2;
}

SEC("syscall")
__description("a walk stopped at the child's memfd VMA: the snapshot's file dropped by destroy()")
__success
__retval(0)
__leak_check(512)
int break_on_file_vma(struct leak_ctx *ctx)
{
	struct bpf_iter_task_vma it;
	struct vm_area_struct *vma;
	struct task_struct *task;
	int found = 0;

	task = bpf_task_from_pid(ctx->pid);
	if (!task)
		return 1;
	bpf_iter_task_vma_new(&it, task, 0);
	while ((vma = bpf_iter_task_vma_next(&it))) {
		if (vma->vm_file && vma->vm_start == ctx->file_start) {
			found = 1;
			break;
		}
	}
	bpf_iter_task_vma_destroy(&it);
	bpf_task_release(task);
	return found ? 0 : 2;
}

/* The agent maps the child's memfd at the top of the user address space, so
 * a walk to the end finishes on it: the next() that returns NULL drops the
 * snapshot's reference to that file, and destroy() must not drop it again
 * (a double fput frees the memfd under the child's mapping: a WARN
 * "imbalanced put on file reference count" or a use-after-free). Where the
 * top was taken the program returns 4: its check did not happen. */
SEC("syscall")
__description("a walk that ends on the child's memfd, its highest VMA: the file is put once")
__success
__retval(0)
__leak_check(512)
int walk_ends_on_file_vma(struct leak_ctx *ctx)
{
	struct bpf_iter_task_vma it;
	struct vm_area_struct *vma;
	struct task_struct *task;
	int last_is_file = 0;

	task = bpf_task_from_pid(ctx->pid);
	if (!task)
		return 1;
	bpf_iter_task_vma_new(&it, task, 0);
	while ((vma = bpf_iter_task_vma_next(&it)))
		last_is_file = vma->vm_file && vma->vm_start == ctx->file_start;
	bpf_iter_task_vma_destroy(&it);
	bpf_task_release(task);
	if (!ctx->file_start)
		return 3;
	return last_is_file ? 0 : 4;
}

SEC("syscall")
__description("new() on a zombie fails with -ENOENT and drops its task reference")
__success
__retval(-2)
__leak_check_zombie(2000)
int new_on_zombie_is_enoent(struct leak_ctx *ctx)
{
	struct bpf_iter_task_vma it;
	struct task_struct *task;
	int err;

	task = bpf_task_from_pid(ctx->pid);
	if (!task)
		return 1;
	err = bpf_iter_task_vma_new(&it, task, 0);
	if (bpf_iter_task_vma_next(&it))
		err = 3;
	bpf_iter_task_vma_destroy(&it);
	bpf_task_release(task);
	return err;
}

char _license[] SEC("license") = "GPL";
