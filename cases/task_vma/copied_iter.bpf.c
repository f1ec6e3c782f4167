// SPDX-License-Identifier: GPL-2.0
/*
 * task_vma: the iterator's bytes copied (struct assignment, memcpy, a
 * helper reading them) instead of passing the iterator by pointer.
 * Contract: struct bpf_iter_task_vma is opaque and lives only in its own
 * stack slot; its bytes cannot be read, so an iterator cannot be copied,
 * saved or cloned; a copy is never an iterator.
 * Enforced by: kernel/bpf/verifier.c check_stack_read_fixed_off()
 * ("invalid read from stack off %d+%d size %d": STACK_ITER bytes are not
 * readable), check_stack_range_initialized() for helper arguments
 * ("invalid read from stack R%d off %d+%d size %d", formerly "invalid
 * indirect read from stack ..."), and process_iter_arg()
 * ("expected an initialized iter_%s as arg #%d") for a copy of a
 * destroyed iterator. Handing an active iterator to a global subprog (its
 * bytes are read as the callee's PTR_TO_MEM argument) is covered once, in
 * subprogs.bpf.c iter_ptr_to_global_subprog.
 * Applies: every kernel with the kfunc (6.7+); older kernels -> unsupported (automatic).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"
#include "bpf_experimental.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct bpf_iter_task_vma);
} saved_iter SEC(".maps");

SEC("raw_tp/sys_enter")
__description("struct assignment copy of an active iterator, copy used")
__failure
__msg("invalid read from stack off {{-[0-9]+}}+0 size 8")
int struct_copy_then_next(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct bpf_iter_task_vma it, copy;
	struct vm_area_struct *vma;

	bpf_iter_task_vma_new(&it, task, 0);
	copy = it;
	vma = bpf_iter_task_vma_next(&copy);
	bpf_iter_task_vma_destroy(&it);
	return vma ? 1 : 0;
}

SEC("raw_tp/sys_enter")
__description("memcpy of an active iterator, copy used")
__failure
__msg("invalid read from stack off {{-[0-9]+}}+0 size 8")
int memcpy_then_next(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct bpf_iter_task_vma it, copy;
	struct vm_area_struct *vma;

	bpf_iter_task_vma_new(&it, task, 0);
	__builtin_memcpy(&copy, &it, sizeof(it));
	vma = bpf_iter_task_vma_next(&copy);
	bpf_iter_task_vma_destroy(&it);
	return vma ? 1 : 0;
}

SEC("raw_tp/sys_enter")
__description("read of the iterator's opaque field")
__failure
__msg("invalid read from stack off {{-[0-9]+}}+0 size 8")
int read_opaque_field(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct bpf_iter_task_vma it;
	u64 val;

	bpf_iter_task_vma_new(&it, task, 0);
	val = *(volatile u64 *)&it.__opaque[0];
	bpf_iter_task_vma_destroy(&it);
	return val & 1;
}

SEC("raw_tp/sys_enter")
__description("active iterator saved into a map with bpf_map_update_elem()")
__failure
__msg("invalid{{( indirect)?}} read from stack R{{[0-9]}} off {{-[0-9]+}}+0 size 8")
int save_iter_to_map(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct bpf_iter_task_vma it;
	u32 key = 0;

	bpf_iter_task_vma_new(&it, task, 0);
	bpf_map_update_elem(&saved_iter, &key, &it, BPF_ANY);
	bpf_iter_task_vma_destroy(&it);
	return 0;
}

SEC("raw_tp/sys_enter")
__description("copy of a destroyed iterator used as an iterator")
__failure
__msg("expected an initialized iter_task_vma as {{(arg #[01]|R1)}}")
int copy_after_destroy_then_next(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct bpf_iter_task_vma it, copy;
	struct vm_area_struct *vma;

	bpf_iter_task_vma_new(&it, task, 0);
	bpf_iter_task_vma_destroy(&it);
	__builtin_memcpy(&copy, &it, sizeof(it));
	vma = bpf_iter_task_vma_next(&copy);
	return vma ? 1 : 0;
}

char _license[] SEC("license") = "GPL";
