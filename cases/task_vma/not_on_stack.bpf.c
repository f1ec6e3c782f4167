// SPDX-License-Identifier: GPL-2.0
/*
 * task_vma: iterator state that does not live on the BPF stack.
 * Contract: the struct bpf_iter_task_vma passed to new/next/destroy must be
 * a slot of the program's stack (the verifier tracks iterator state per
 * stack slot); a global variable, a map value or any other memory is not
 * an iterator.
 * Enforced by: kernel/bpf/verifier.c process_iter_arg()
 * ("arg#%d expected pointer to an iterator on stack"; "%s expected pointer
 * to an iterator on stack" with reg_arg_name() = "R1" in 2026 mainline).
 * Applies: every kernel with the kfunc (6.7+) that has 12659d28615d "bpf:
 * Ensure reg is PTR_TO_STACK in process_iter_arg" (Tao Lyu / Kumar
 * Kartikeya Dwivedi; bpf tree, Dec 2024: in 6.13 from -rc, and in the
 * "Linux 6.12.5" stable release of 2024-12-14, together with bd74e238ae69
 * "bpf: Zero index arg error string for dynptr and iter"; 6.7 .. 6.11 and
 * 6.12.0 .. 6.12.4 do not have it); older kernels -> unsupported (automatic).
 * History: before 12659d28615d process_iter_arg() never checked the
 * register type and treated a map-value pointer as a stack slot: upstream's
 * iters.c iter_new_bad_arg/iter_next_bad_arg/iter_destroy_bad_arg
 * (bpf_iter_num with a global) were accepted there. These programs are
 * expected to be rejected on every kernel the suite runs (Debian 6.12 is
 * 6.12.100+, then 7.2/7.3; 6.1 has no task_vma). On an unfixed 6.7 ..
 * 6.12.4 kernel the verdict is not known per program (derived from the
 * code, not run: a global/map-value pointer at offset 0 is taken for stack
 * slot 0, the ctx case would meet the ctx write check), so no
 * __kver_success(">=6.7 <6.12.5") is claimed.
 * The check was added printing "arg#%d" with regno - 1, i.e. "arg#0";
 * the 2026 argno_t rework prints reg_arg_name(), i.e. "R1".
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
} iter_map SEC(".maps");

struct bpf_iter_task_vma global_it;

SEC("raw_tp/sys_enter")
__description("new() on an iterator in a global variable")
__failure
__msg("{{(arg#0|R1)}} expected pointer to an iterator on stack")
int new_on_global_iter(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();

	bpf_iter_task_vma_new(&global_it, task, 0);
	bpf_iter_task_vma_destroy(&global_it);
	return 0;
}

SEC("raw_tp/sys_enter")
__description("next() on an iterator in a global variable")
__failure
__msg("{{(arg#0|R1)}} expected pointer to an iterator on stack")
int next_on_global_iter(void *ctx)
{
	return bpf_iter_task_vma_next(&global_it) ? 1 : 0;
}

SEC("raw_tp/sys_enter")
__description("destroy() on an iterator in a global variable")
__failure
__msg("{{(arg#0|R1)}} expected pointer to an iterator on stack")
int destroy_on_global_iter(void *ctx)
{
	bpf_iter_task_vma_destroy(&global_it);
	return 0;
}

SEC("raw_tp/sys_enter")
__description("new() on an iterator in an array map value")
__failure
__msg("{{(arg#0|R1)}} expected pointer to an iterator on stack")
int new_on_map_value_iter(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct bpf_iter_task_vma *it;
	u32 key = 0;

	it = bpf_map_lookup_elem(&iter_map, &key);
	if (!it)
		return 0;
	bpf_iter_task_vma_new(it, task, 0);
	bpf_iter_task_vma_destroy(it);
	return 0;
}

SEC("raw_tp/sys_enter")
__description("next() on an iterator in an array map value")
__failure
__msg("{{(arg#0|R1)}} expected pointer to an iterator on stack")
int next_on_map_value_iter(void *ctx)
{
	struct bpf_iter_task_vma *it;
	u32 key = 0;

	it = bpf_map_lookup_elem(&iter_map, &key);
	if (!it)
		return 0;
	return bpf_iter_task_vma_next(it) ? 1 : 0;
}

SEC("raw_tp/sys_enter")
__description("new() on a pointer into the program context")
__failure
__msg("{{(arg#0|R1)}} expected pointer to an iterator on stack")
int new_on_ctx_pointer(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();

	bpf_iter_task_vma_new((struct bpf_iter_task_vma *)ctx, task, 0);
	bpf_iter_task_vma_destroy((struct bpf_iter_task_vma *)ctx);
	return 0;
}

char _license[] SEC("license") = "GPL";
