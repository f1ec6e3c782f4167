// SPDX-License-Identifier: GPL-2.0
/*
 * task_vma (and num): an iterator passed at the frame pointer itself (fp+0).
 * Contract: an iterator argument is a run of whole 8-byte slots of the
 * frame, at a constant, negative, 8-aligned offset from the frame pointer.
 * fp+0 is the first byte above the frame: no slot, no iterator. next() or
 * destroy() handed fp+0 must be refused, whatever lives at fp-8.
 * Enforced by: kernel/bpf/verifier.c stack_slot_obj_get_spi() via
 * iter_get_spi() ("cannot pass in %s at an offset=%d", %s being "iter").
 * Applies: every kernel with the kfuncs (task_vma 6.7+, num 6.4+); older
 * kernels -> unsupported (automatic). Debian 6.12.y (6.12.95, 6.12.117)
 * accepts these programs: images/known-bugs.toml.
 * History: until 2026 the check was only "off % BPF_REG_SIZE" and the slot
 * index (-off - 1) / 8, which C truncates to 0 for off = 0: fp+0 aliased
 * the fp-8 slot, so next()/destroy() at fp+0 acted on the iterator at fp-8
 * (at run time a NULL dereference for task_vma, a page fault for num, seen
 * in 6.12.117 guests). 7.2.13 has "if (off >= 0 || off % BPF_REG_SIZE)",
 * with the same message; the commit is not pinned (see the known-bugs
 * entry). num's next() at fp+0 is num/stack_offsets. The two accepted
 * programs are the controls: the same calls on the iterator's own slot
 * (and, written in C, they give the kfuncs the BTF the asm calls need).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"
#include "bpf_experimental.h"

SEC("raw_tp/sys_enter")
__description("task_vma new/next/destroy on the iterator's own slot")
__success
int vma_at_own_slot(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct bpf_iter_task_vma it;

	bpf_iter_task_vma_new(&it, task, 0);
	bpf_iter_task_vma_next(&it);
	bpf_iter_task_vma_destroy(&it);
	return 0;
}

SEC("raw_tp/sys_enter")
__description("num new/destroy on the iterator's own slot")
__success
int num_at_own_slot(void *ctx)
{
	struct bpf_iter_num it;

	bpf_iter_num_new(&it, 0, 3);
	bpf_iter_num_destroy(&it);
	return 0;
}

SEC("raw_tp/sys_enter")
__description("task_vma next() on fp+0 while an iterator lives at fp-8")
__failure
__msg("cannot pass in iter at an offset=0")
__naked int vma_next_at_frame_pointer(void *ctx)
{
	asm volatile("call %[bpf_get_current_task_btf];"
		     "r2 = r0;"
		     "r1 = r10;"
		     "r1 += -8;"
		     "r3 = 0;"
		     "call %[bpf_iter_task_vma_new];"
		     "r1 = r10;"
		     "call %[bpf_iter_task_vma_next];"
		     "r1 = r10;"
		     "r1 += -8;"
		     "call %[bpf_iter_task_vma_destroy];"
		     "r0 = 0;"
		     "exit;"
		     :
		     : [bpf_get_current_task_btf] "i"(bpf_get_current_task_btf),
		       [bpf_iter_task_vma_new] "i"(bpf_iter_task_vma_new),
		       [bpf_iter_task_vma_next] "i"(bpf_iter_task_vma_next),
		       [bpf_iter_task_vma_destroy] "i"(bpf_iter_task_vma_destroy)
		     : "r0", "r1", "r2", "r3", "r4", "r5", "memory");
}

SEC("raw_tp/sys_enter")
__description("task_vma destroy() on fp+0 for an iterator made at fp-8")
__failure
__msg("cannot pass in iter at an offset=0")
__naked int vma_destroy_at_frame_pointer(void *ctx)
{
	asm volatile("call %[bpf_get_current_task_btf];"
		     "r2 = r0;"
		     "r1 = r10;"
		     "r1 += -8;"
		     "r3 = 0;"
		     "call %[bpf_iter_task_vma_new];"
		     "r1 = r10;"
		     "call %[bpf_iter_task_vma_destroy];"
		     "r0 = 0;"
		     "exit;"
		     :
		     : [bpf_get_current_task_btf] "i"(bpf_get_current_task_btf),
		       [bpf_iter_task_vma_new] "i"(bpf_iter_task_vma_new),
		       [bpf_iter_task_vma_destroy] "i"(bpf_iter_task_vma_destroy)
		     : "r0", "r1", "r2", "r3", "r4", "r5", "memory");
}

SEC("raw_tp/sys_enter")
__description("num destroy() on fp+0 for an iterator made at fp-8")
__failure
__msg("cannot pass in iter at an offset=0")
__naked int num_destroy_at_frame_pointer(void *ctx)
{
	asm volatile("r1 = r10;"
		     "r1 += -8;"
		     "r2 = 0;"
		     "r3 = 3;"
		     "call %[bpf_iter_num_new];"
		     "r1 = r10;"
		     "call %[bpf_iter_num_destroy];"
		     "r0 = 0;"
		     "exit;"
		     :
		     : [bpf_iter_num_new] "i"(bpf_iter_num_new),
		       [bpf_iter_num_destroy] "i"(bpf_iter_num_destroy)
		     : "r0", "r1", "r2", "r3", "r4", "r5", "memory");
}

char _license[] SEC("license") = "GPL";
