/* SPDX-License-Identifier: GPL-2.0 */
/*
 * iterconf's minimal vmlinux.h, written by hand for the cases in cases/.
 *
 * It declares only the kernel types the cases touch. Every kernel struct
 * carries preserve_access_index, so field offsets are CO-RE relocated
 * against the BTF of whichever kernel loads the object (6.1 .. 7.x); the
 * layouts below are what the program *reads*, not what the kernel has.
 *
 * A maintainer whose own case needs more types can put a full header
 * (bpftool btf dump file /sys/kernel/btf/vmlinux format c) first on the
 * include path: `iterconf run --cases X --include DIR`.
 */
#ifndef __ITERCONF_VMLINUX_H__
#define __ITERCONF_VMLINUX_H__

typedef signed char __s8;
typedef unsigned char __u8;
typedef short __s16;
typedef unsigned short __u16;
typedef int __s32;
typedef unsigned int __u32;
typedef long long __s64;
typedef unsigned long long __u64;
typedef __s8 s8;
typedef __u8 u8;
typedef __s16 s16;
typedef __u16 u16;
typedef __s32 s32;
typedef __u32 u32;
typedef __s64 s64;
typedef __u64 u64;
typedef __u16 __be16;
typedef __u32 __be32;
typedef __u32 __wsum;
typedef _Bool bool;
enum { false = 0, true = 1 };
typedef int pid_t;
typedef unsigned long vm_flags_t;
typedef __u64 size_t;

enum bpf_map_type {
	BPF_MAP_TYPE_UNSPEC = 0,
	BPF_MAP_TYPE_HASH = 1,
	BPF_MAP_TYPE_ARRAY = 2,
	BPF_MAP_TYPE_PERCPU_ARRAY = 6,
	BPF_MAP_TYPE_RINGBUF = 27,
};

enum {
	BPF_ANY = 0,
	BPF_NOEXIST = 1,
	BPF_EXIST = 2,
};

#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)
#endif

struct qstr {
	union {
		struct {
			u32 hash;
			u32 len;
		};
		u64 hash_len;
	};
	const unsigned char *name;
};

struct dentry {
	struct qstr d_name;
};

struct vfsmount;

struct path {
	struct vfsmount *mnt;
	struct dentry *dentry;
};

struct inode {
	unsigned long i_ino;
};

struct file {
	struct path f_path;
	struct inode *f_inode;
};

struct mm_struct {
	unsigned long mmap_base;
	unsigned long task_size;
	unsigned long start_code, end_code, start_data, end_data;
	unsigned long start_brk, brk, start_stack;
	unsigned long arg_start, arg_end, env_start, env_end;
	int map_count;
};

struct vm_area_struct {
	unsigned long vm_start;
	unsigned long vm_end;
	struct mm_struct *vm_mm;
	vm_flags_t vm_flags;
	unsigned long vm_pgoff;
	struct file *vm_file;
	void *vm_private_data;
};

struct task_struct {
	unsigned int __state;
	unsigned int flags;
	int prio;
	pid_t pid;
	pid_t tgid;
	struct task_struct *real_parent;
	struct task_struct *parent;
	struct task_struct *group_leader;
	struct task_struct *last_wakee;
	struct mm_struct *mm;
	struct mm_struct *active_mm;
	char comm[16];
};

struct pt_regs {
	unsigned long r15, r14, r13, r12, bp, bx, r11, r10, r9, r8;
	unsigned long ax, cx, dx, si, di, orig_ax, ip, cs, flags, sp, ss;
};

#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute pop
#endif

/*
 * Open-coded iterator state. These are opaque, fixed-size kernel types;
 * the verifier matches them by name and size (btf_check_iter_kfuncs()).
 */
struct bpf_iter_num {
	__u64 __opaque[1];
} __attribute__((aligned(8)));

struct bpf_iter_task_vma {
	__u64 __opaque[1];
} __attribute__((aligned(8)));

#endif /* __ITERCONF_VMLINUX_H__ */
