// SPDX-License-Identifier: GPL-2.0
/*
 * task_vma: the iterator's stack slot overwritten between new() and
 * destroy().
 * Contract: the 8-byte struct bpf_iter_task_vma is opaque; the program may
 * not write into it. A store into an active iterator slot is not rejected
 * where it happens (the slot silently stops being an iterator), but every
 * later next()/destroy() on it is a use of an uninitialized iterator, and
 * the reference taken by new() can then never be released.
 * Enforced by: kernel/bpf/verifier.c check_stack_write_fixed_off() /
 * check_helper_mem_access() (the write turns the slot into STACK_MISC),
 * then process_iter_arg() via is_iter_reg_valid_init()
 * ("expected an initialized iter_%s as arg #%d") or, without a later use,
 * check_reference_leak() ("Unreleased reference id=%d alloc_insn=%d").
 * Applies: every kernel with the kfunc (6.7+); older kernels -> unsupported (automatic).
 * History: "arg #1" on 6.7 .. 6.12.4, "arg #0" since bd74e238ae69 (6.13,
 * 6.12.5), "R1" in 2026 mainline (argno_t).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"
#include "bpf_experimental.h"

SEC("raw_tp/sys_enter")
__description("full 8-byte store over an active iterator, then next()")
__failure
__msg("expected an initialized iter_task_vma as {{(arg #[01]|R1)}}")
int full_store_then_next(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct bpf_iter_task_vma it;
	struct vm_area_struct *vma;
	int n = 0;

	bpf_iter_task_vma_new(&it, task, 0);
	*(volatile u64 *)&it = 0;
	while ((vma = bpf_iter_task_vma_next(&it)))
		n++;
	bpf_iter_task_vma_destroy(&it);
	return n;
}

SEC("raw_tp/sys_enter")
__description("one-byte store into an active iterator, then destroy()")
__failure
__msg("expected an initialized iter_task_vma as {{(arg #[01]|R1)}}")
int one_byte_store_then_destroy(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct bpf_iter_task_vma it;

	bpf_iter_task_vma_new(&it, task, 0);
	((volatile u8 *)&it)[3] = 0x5a;
	bpf_iter_task_vma_destroy(&it);
	return 0;
}

SEC("raw_tp/sys_enter")
__description("helper writes one byte into an active iterator, then next()")
__failure
__msg("expected an initialized iter_task_vma as {{(arg #[01]|R1)}}")
int helper_write_then_next(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct bpf_iter_task_vma it;
	struct vm_area_struct *vma;
	int n = 0;

	bpf_iter_task_vma_new(&it, task, 0);
	bpf_probe_read_kernel((char *)&it + 7, 1, &task->pid);
	while ((vma = bpf_iter_task_vma_next(&it)))
		n++;
	bpf_iter_task_vma_destroy(&it);
	return n;
}

SEC("raw_tp/sys_enter")
__description("store over an active iterator and no destroy(): the reference leaks")
__failure
__msg("Unreleased reference id={{[0-9]+}} alloc_insn={{[0-9]+}}")
int full_store_and_skip_destroy(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct bpf_iter_task_vma it;

	bpf_iter_task_vma_new(&it, task, 0);
	*(volatile u64 *)&it = 0;
	return 0;
}

char _license[] SEC("license") = "GPL";
