// SPDX-License-Identifier: GPL-2.0
/*
 * task_vma: correct uses of the open-coded task_vma iterator.
 * Contract: new() on an uninitialized stack slot with a trusted task, next()
 * results NULL-checked before use, destroy() on every path that called new()
 * (also when new() failed); a destroyed slot is uninitialized again and may
 * hold a new iterator.
 * Enforced by: kernel/bpf/verifier.c process_iter_arg(),
 * process_iter_next_call(), check_reference_leak() -- accepted: every
 * program here keeps the contract.
 * Applies: every kernel with the kfunc (6.7+); older kernels -> unsupported (automatic).
 * The vma fields read here (vm_start, vm_end, vm_flags, vm_pgoff, vm_file)
 * are CO-RE relocated; vm_flags sits in an anonymous union since 6.3
 * (const vm_flags_t vm_flags / vm_flags_t __vm_flags), which CO-RE resolves.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"
#include "bpf_experimental.h"

#define VMA_NAME_LEN	64
#define MAX_RECORDED	256

struct vma_event {
	u64 start;
	u64 end;
	u64 flags;
	u64 pgoff;
	u32 pid;
	u32 has_file;
	char name[VMA_NAME_LEN];
};

struct vma_range {
	u64 start;
	u64 end;
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} vma_events SEC(".maps");

u64 total_bytes;
u32 vma_count;
u32 recorded;
struct vma_range ranges[MAX_RECORDED];

SEC("raw_tp/sys_enter")
__description("while loop over next() summing VMA sizes, then destroy")
__success
int while_loop_sum_sizes(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct bpf_iter_task_vma it;
	struct vm_area_struct *vma;
	u64 total = 0;
	u32 n = 0;

	bpf_iter_task_vma_new(&it, task, 0);
	while ((vma = bpf_iter_task_vma_next(&it))) {
		total += vma->vm_end - vma->vm_start;
		n++;
	}
	bpf_iter_task_vma_destroy(&it);

	total_bytes = total;
	vma_count = n;
	return 0;
}

SEC("raw_tp/sys_enter")
__description("break out of the loop on a VMA property, then destroy")
__success
int early_break_then_destroy(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct bpf_iter_task_vma it;
	struct vm_area_struct *vma;
	u64 first_file_start = 0;

	bpf_iter_task_vma_new(&it, task, 0);
	while ((vma = bpf_iter_task_vma_next(&it))) {
		if (vma->vm_file) {
			first_file_start = vma->vm_start;
			break;
		}
	}
	bpf_iter_task_vma_destroy(&it);

	total_bytes = first_file_start;
	return 0;
}

SEC("raw_tp/sys_enter")
__description("break out of the loop after a bounded count, then destroy")
__success
int counted_break_then_destroy(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct bpf_iter_task_vma it;
	struct vm_area_struct *vma;
	u32 n = 0;

	bpf_iter_task_vma_new(&it, task, 0);
	while ((vma = bpf_iter_task_vma_next(&it))) {
		if (++n >= 16)
			break;
	}
	bpf_iter_task_vma_destroy(&it);

	vma_count = n;
	return 0;
}

SEC("raw_tp/sys_enter")
__description("new() fails (return value checked): destroy anyway, then return")
__success
int destroy_when_new_fails(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct bpf_iter_task_vma it;
	struct vm_area_struct *vma;
	u32 n = 0;

	if (bpf_iter_task_vma_new(&it, task, 0)) {
		/* the slot is an iterator even when new() failed */
		bpf_iter_task_vma_destroy(&it);
		return 0;
	}
	while ((vma = bpf_iter_task_vma_next(&it)))
		n++;
	bpf_iter_task_vma_destroy(&it);

	vma_count = n;
	return 0;
}

SEC("raw_tp/sys_enter")
__description("start address in the middle of the address space (0x7f0000000000)")
__success
int start_addr_constant_mid(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct bpf_iter_task_vma it;
	struct vm_area_struct *vma;
	u64 total = 0;

	bpf_iter_task_vma_new(&it, task, 0x7f0000000000ULL);
	while ((vma = bpf_iter_task_vma_next(&it)))
		total += vma->vm_end - vma->vm_start;
	bpf_iter_task_vma_destroy(&it);

	total_bytes = total;
	return 0;
}

SEC("raw_tp/sys_enter")
__description("start address read from the task's mm (mm->start_stack)")
__success
int start_addr_from_mm_start_stack(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct bpf_iter_task_vma it;
	struct vm_area_struct *vma;
	struct mm_struct *mm;
	u64 start = 0;
	u32 n = 0;

	/* a kernel thread has no mm: start at 0, new() then fails with -ENOENT */
	mm = task->mm;
	if (mm)
		start = mm->start_stack;

	bpf_iter_task_vma_new(&it, task, start);
	while ((vma = bpf_iter_task_vma_next(&it)))
		n++;
	bpf_iter_task_vma_destroy(&it);

	vma_count = n;
	return 0;
}

SEC("raw_tp/sys_enter")
__description("bpf_for_each(task_vma, ...) macro with break")
__success
int for_each_macro(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct vm_area_struct *vma;
	u64 total = 0;

	bpf_for_each(task_vma, vma, task, 0) {
		if (vma->vm_start >= 0x7f0000000000ULL)
			break;
		total += vma->vm_end - vma->vm_start;
	}

	total_bytes = total;
	return 0;
}

SEC("raw_tp/sys_enter")
__description("profiler: emit each VMA (range, flags, pgoff, file name) to a ring buffer")
__success
int profiler_ringbuf_records(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct bpf_iter_task_vma it;
	struct vm_area_struct *vma;
	struct vma_event *e;
	struct file *file;
	const unsigned char *name;

	bpf_iter_task_vma_new(&it, task, 0);
	while ((vma = bpf_iter_task_vma_next(&it))) {
		e = bpf_ringbuf_reserve(&vma_events, sizeof(*e), 0);
		if (!e)
			break;
		e->start = vma->vm_start;
		e->end = vma->vm_end;
		e->flags = vma->vm_flags;
		e->pgoff = vma->vm_pgoff;
		e->pid = task->tgid;
		e->has_file = 0;
		e->name[0] = '\0';
		file = vma->vm_file;
		if (file) {
			e->has_file = 1;
			name = file->f_path.dentry->d_name.name;
			bpf_probe_read_kernel_str(e->name, sizeof(e->name), name);
		}
		bpf_ringbuf_submit(e, 0);
	}
	bpf_iter_task_vma_destroy(&it);
	return 0;
}

SEC("raw_tp/sys_enter")
__description("profiler: copy VMA ranges into a bounded global array")
__success
int profiler_global_array(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct bpf_iter_task_vma it;
	struct vm_area_struct *vma;
	u32 i = 0;

	bpf_iter_task_vma_new(&it, task, 0);
	while ((vma = bpf_iter_task_vma_next(&it))) {
		/* keep clang from turning ranges[i] into a separately advanced pointer */
		barrier_var(i);
		if (i >= MAX_RECORDED)
			break;
		ranges[i].start = vma->vm_start;
		ranges[i].end = vma->vm_end;
		i++;
	}
	bpf_iter_task_vma_destroy(&it);

	recorded = i;
	return 0;
}

SEC("raw_tp/sys_enter")
__description("a destroyed iterator slot is reused for a second iterator")
__success
int destroyed_slot_reused(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct bpf_iter_task_vma it;
	struct vm_area_struct *vma;
	u64 below = 0, above = 0;

	bpf_iter_task_vma_new(&it, task, 0);
	while ((vma = bpf_iter_task_vma_next(&it))) {
		if (vma->vm_start >= 0x7f0000000000ULL)
			break;
		below++;
	}
	bpf_iter_task_vma_destroy(&it);

	/* same stack object, uninitialized again after destroy() */
	bpf_iter_task_vma_new(&it, task, 0x7f0000000000ULL);
	while ((vma = bpf_iter_task_vma_next(&it)))
		above++;
	bpf_iter_task_vma_destroy(&it);

	total_bytes = below + above;
	return 0;
}

char _license[] SEC("license") = "GPL";
