// SPDX-License-Identifier: GPL-2.0
/*
 * Upstream-layout fixture (a plain .c file, as in the kernel's progs/):
 * bpf_for_each, whose only destroy() call is the loop variable's cleanup
 * attribute, loads; the libbpf "failed to find BTF for extern" trap; and
 * headers from the system include dirs (<limits.h>, <linux/...>).
 * Contract: runner test data.
 */
#include <limits.h>
#include <linux/errno.h>
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"
#include "bpf_experimental.h"

SEC("raw_tp/sys_enter")
__description("bpf_for_each over the current task's VMAs")
__success
int for_each_vma(void *ctx)
{
	struct vm_area_struct *vma;
	long first = LONG_MAX;

	bpf_for_each(task_vma, vma, bpf_get_current_task_btf(), 0)
		first = vma->vm_start < first ? vma->vm_start : first;
	return first == LONG_MAX ? -ENOENT : 0;
}

SEC("raw_tp/sys_enter")
__description("BPF_FUNC_* and other kernel enums come from the generated vmlinux.h")
__success
int kernel_enum(void *ctx)
{
	return BPF_FUNC_get_current_task_btf > 0 ? 0 : 1;
}

char _license[] SEC("license") = "GPL";
