// SPDX-License-Identifier: GPL-2.0
/*
 * The oracle's walk, the code under test. A sleepable syscall program, run
 * by the oracle with BPF_PROG_TEST_RUN (ctx = struct bounds_args): it takes
 * the task by pid (bpf_task_from_pid, acquired), walks its VMAs with
 * bpf_iter_task_vma_new(&it, task, addr) / _next / _destroy, and records up
 * to `limit` of them in the .bss buffer `out`, which user space reads
 * through the map's mmap. Loaded once per process, run once per query.
 *
 * Kernel types are declared here, minimal and CO-RE relocated
 * (preserve_access_index), for the fields read: those /proc/PID/maps
 * prints (fs/proc/task_mmu.c show_map_vma()).
 */
typedef signed char __s8;
typedef unsigned char __u8;
typedef short __s16;
typedef unsigned short __u16;
typedef int __s32;
typedef unsigned int __u32;
typedef long long __s64;
typedef unsigned long long __u64;
typedef __u16 __be16;
typedef __u32 __be32;
typedef __u32 __wsum;
typedef __s32 s32;
typedef _Bool bool;

#include <bpf/bpf_helpers.h>

#include "walk_abi.h"

#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)
struct super_block {
	unsigned int s_dev;
};
struct inode {
	unsigned long i_ino;
	struct super_block *i_sb;
};
struct file {
	struct inode *f_inode;
};
struct vm_area_struct {
	unsigned long vm_start;
	unsigned long vm_end;
	unsigned long vm_flags;
	unsigned long vm_pgoff;
	struct file *vm_file;
};
struct task_struct {
	int pid;
};
#pragma clang attribute pop

struct bpf_iter_task_vma {
	__u64 __opaque[1];
} __attribute__((aligned(8)));

extern int bpf_iter_task_vma_new(struct bpf_iter_task_vma *it, struct task_struct *task,
				 __u64 addr) __ksym;
extern struct vm_area_struct *bpf_iter_task_vma_next(struct bpf_iter_task_vma *it) __ksym;
extern void bpf_iter_task_vma_destroy(struct bpf_iter_task_vma *it) __ksym;
extern struct task_struct *bpf_task_from_pid(s32 pid) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;

struct bounds_out out;

SEC("syscall")
int walk(struct bounds_args *args)
{
	struct bpf_iter_task_vma it;
	struct vm_area_struct *vma;
	struct task_struct *task;
	__u32 limit = args->limit;

	out.n = 0;
	out.more = 0;
	task = bpf_task_from_pid(args->pid);
	if (!task) {
		out.err = BOUNDS_NO_TASK;
		out.runs++;
		return 0;
	}
	out.err = bpf_iter_task_vma_new(&it, task, args->addr);
	while ((vma = bpf_iter_task_vma_next(&it))) {
		/* The count is re-read from the map each time round, so the
		 * verifier sees an unknown bounded index and the loop converges
		 * instead of being explored once per count value. */
		__u32 n = out.n;

		if (n >= limit || n >= BOUNDS_MAX_VMAS) {
			out.more = 1;
			break;
		}
		struct bounds_vma *r = &out.vmas[n];
		struct file *f = vma->vm_file;

		r->start = vma->vm_start;
		r->end = vma->vm_end;
		r->flags = vma->vm_flags;
		r->pgoff = vma->vm_pgoff;
		r->has_file = f != 0;
		r->ino = f ? f->f_inode->i_ino : 0;
		r->dev = f ? f->f_inode->i_sb->s_dev : 0;
		out.n = n + 1;
	}
	bpf_iter_task_vma_destroy(&it);
	bpf_task_release(task);
	out.runs++;
	return 0;
}

char _license[] SEC("license") = "GPL";
