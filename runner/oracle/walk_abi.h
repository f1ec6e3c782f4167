/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The interface between walk.bpf.c and the oracle (walker.cpp): the
 * BPF_PROG_TEST_RUN context the walk reads, and the .bss buffer it fills.
 * Included by both the BPF program and C++, so only fixed-width types.
 */
#ifndef ITERCONF_ORACLE_WALK_ABI_H
#define ITERCONF_ORACLE_WALK_ABI_H

#ifndef __bpf__
#include <linux/types.h>
#endif

/* Most VMAs one walk records; a walk that sees more sets `more`. */
#define BOUNDS_MAX_VMAS 8192

/* Set in bounds_out.err when bpf_task_from_pid() found no task (not an
 * errno of the iterator itself, which reports -ENOENT/-EBUSY/...). */
#define BOUNDS_NO_TASK (-3) /* -ESRCH */

struct bounds_args {
	__s32 pid;
	__u32 limit; /* record at most this many VMAs (capped at BOUNDS_MAX_VMAS) */
	__u64 addr;  /* bpf_iter_task_vma_new()'s start address */
};

struct bounds_vma {
	__u64 start, end;
	__u64 flags; /* vm_flags */
	__u64 pgoff; /* vm_pgoff (pages) */
	__u64 ino;   /* vm_file's inode number, 0 without a file */
	__u32 dev;   /* its super block's s_dev (kernel dev_t: major << 20 | minor) */
	__u32 has_file;
};

struct bounds_out {
	__s32 err;  /* bpf_iter_task_vma_new()'s return, or BOUNDS_NO_TASK */
	__u32 n;    /* VMAs recorded in vmas[] */
	__u32 more; /* next() returned another VMA after the limit was reached */
	__u32 runs; /* completed runs of the program (a sanity counter) */
	struct bounds_vma vmas[BOUNDS_MAX_VMAS];
};

#endif
