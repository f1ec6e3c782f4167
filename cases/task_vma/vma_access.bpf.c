// SPDX-License-Identifier: GPL-2.0
/*
 * task_vma: misuse of the vm_area_struct returned by next().
 * Contract: bpf_iter_task_vma_next() is KF_RET_NULL (NULL at the end of the
 * iteration, so the result must be NULL-checked before use) and returns a
 * read-only kernel object (PTR_TO_BTF_ID: no stores through it).
 * Enforced by: kernel/bpf/verifier.c process_iter_next_call() (the drained
 * state gets R0 = 0, a scalar) then check_mem_access()
 * ("R%d invalid mem access '%s'"); stores: check_ptr_to_btf_access()
 * ("only read is supported") for program types without a
 * btf_struct_access callback (raw_tp, tracing, kprobe, ...).
 * Applies: every kernel with the kfunc (6.7+); older kernels -> unsupported (automatic).
 * History: "only read is supported" and "R%d invalid mem access '%s'" are
 * worded the same from 6.7 to 2026 mainline (the latter now comes after a
 * bpf_may_fault_on_deref() check in check_ptr_to_btf_access()). The verdict
 * for an unchecked vma->vm_file walk changes, see the last program.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"
#include "bpf_experimental.h"

SEC("raw_tp/sys_enter")
__description("vma from next() dereferenced without a NULL check")
__failure
__msg("R{{[0-9]}} invalid mem access 'scalar'")
int vma_deref_without_null_check(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct bpf_iter_task_vma it;
	struct vm_area_struct *vma;
	unsigned long start;

	bpf_iter_task_vma_new(&it, task, 0);
	vma = bpf_iter_task_vma_next(&it);
	start = vma->vm_start;
	bpf_iter_task_vma_destroy(&it);
	return start & 1;
}

SEC("raw_tp/sys_enter")
__description("write to vma->vm_start")
__failure
__msg("only read is supported")
int vma_write_vm_start(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct bpf_iter_task_vma it;
	struct vm_area_struct *vma;

	bpf_iter_task_vma_new(&it, task, 0);
	vma = bpf_iter_task_vma_next(&it);
	if (vma)
		vma->vm_start = 0;
	bpf_iter_task_vma_destroy(&it);
	return 0;
}

SEC("raw_tp/sys_enter")
__description("write to vma->vm_flags inside the loop")
__failure
__msg("only read is supported")
int vma_write_vm_flags(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct bpf_iter_task_vma it;
	struct vm_area_struct *vma;

	bpf_iter_task_vma_new(&it, task, 0);
	/* vm_flags is const in the kernel's own type (writes go through
	 * __vm_flags since 6.3); cast it away, the field is the same. */
	while ((vma = bpf_iter_task_vma_next(&it)))
		*(vm_flags_t *)&vma->vm_flags |= 1;
	bpf_iter_task_vma_destroy(&it);
	return 0;
}

SEC("raw_tp/sys_enter")
__description("vma dereferenced after the next() loop ended (always NULL there)")
__failure
__msg("R{{[0-9]}} invalid mem access 'scalar'")
int vma_deref_after_loop_end(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct bpf_iter_task_vma it;
	struct vm_area_struct *vma;
	int n = 0;

	bpf_iter_task_vma_new(&it, task, 0);
	while ((vma = bpf_iter_task_vma_next(&it)))
		n++;
	/* the loop only ends when next() returned NULL; hide that from clang */
	asm volatile("" : "+r"(vma));
	n += vma->vm_end & 1;
	bpf_iter_task_vma_destroy(&it);
	return n;
}

SEC("raw_tp/sys_enter")
__description("read past the end of struct vm_area_struct")
__failure
__msg("access beyond struct vm_area_struct at off {{[0-9]+}} size 8")
int vma_read_beyond_struct(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct bpf_iter_task_vma it;
	struct vm_area_struct *vma;
	u64 val = 0;

	bpf_iter_task_vma_new(&it, task, 0);
	vma = bpf_iter_task_vma_next(&it);
	if (vma)
		val = *(u64 *)((void *)vma + 8192);
	bpf_iter_task_vma_destroy(&it);
	return val & 1;
}

/*
 * vma->vm_file is NULL for anonymous mappings. Up to 6.18 (host-verified)
 * the walked pointer is a plain, untrusted PTR_TO_BTF_ID whose loads are
 * fault-tolerant (BPF_PROBE_MEM), so the missing NULL check is accepted
 * and the read yields 0 at run time. Commit 7484e7cd8ab1 "bpf: mark
 * vma->{vm_mm,vm_file} as __safe_trusted_or_null" (Yafang Shao; applied to
 * bpf-next after 6.18-rc2, listed in the "[GIT PULL] BPF changes for 6.19"
 * of 2025-12-01, tag bpf-next-6.19, so first released in 6.19) adds
 * BTF_TYPE_SAFE_TRUSTED_OR_NULL(struct vm_area_struct) { vm_mm; vm_file; }
 * to verifier.c: vm_file then becomes trusted_ptr_or_null_ and the
 * unchecked load is rejected by check_mem_access(). It is a feature, not a
 * fix: no stable backport to 6.12.y/6.18.y was found (the 2026 task_vma
 * fixes backported there only mention it in a comment).
 */
SEC("raw_tp/sys_enter")
__description("vma->vm_file dereferenced without a NULL check")
__success
__kver_failure(">=6.19")
__kver_msg(">=6.19", "invalid mem access '{{trusted_ptr_or_null_[a-z_]*}}'")
int vma_file_deref_without_null_check(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct bpf_iter_task_vma it;
	struct vm_area_struct *vma;
	unsigned long ino = 0;

	bpf_iter_task_vma_new(&it, task, 0);
	while ((vma = bpf_iter_task_vma_next(&it)))
		ino += vma->vm_file->f_inode->i_ino;
	bpf_iter_task_vma_destroy(&it);
	return ino & 1;
}

char _license[] SEC("license") = "GPL";
