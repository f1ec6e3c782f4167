// SPDX-License-Identifier: GPL-2.0
/*
 * task_vma: iterators across function boundaries.
 * Contract: an iterator is a stack object of the frame that declared it; a
 * static subprogram (verified inline, in its caller's context) may create,
 * advance or destroy an iterator of any frame through a PTR_TO_STACK pointer,
 * and the iterator reference must still be released before the program
 * exits. A global subprogram is verified on its own, with only its BTF
 * argument types: a struct bpf_iter_task_vma * argument is plain memory there,
 * so the caller cannot hand it an iterator slot (STACK_ITER is not readable).
 * Enforced by: kernel/bpf/verifier.c process_iter_arg() (any frame's stack),
 * check_reference_leak() / check_resource_leak() at BPF_EXIT of the main
 * program, check_func_call() / btf_check_subprog_call() for global callees.
 * Applies: every kernel with the kfunc (6.7+); older kernels -> unsupported (automatic).
 * Upstream analogues: selftests iters.c iter_pass_iter_ptr_to_subprog (success),
 * iters_state_safety.c leak_iter_from_subprog_fail ("Unreleased reference id=1").
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"
#include "bpf_experimental.h"

u64 total_bytes;
u32 vma_count;

static __noinline u64 sum_in_static_subprog(struct bpf_iter_task_vma *it)
{
	struct vm_area_struct *vma;
	u64 total = 0;

	while ((vma = bpf_iter_task_vma_next(it)))
		total += vma->vm_end - vma->vm_start;
	return total;
}

SEC("raw_tp/sys_enter")
__description("iterator pointer passed to a static subprogram that iterates")
__success
int iter_ptr_to_static_subprog(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct bpf_iter_task_vma it;

	bpf_iter_task_vma_new(&it, task, 0);
	total_bytes = sum_in_static_subprog(&it);
	bpf_iter_task_vma_destroy(&it);
	return 0;
}

static __noinline int new_in_static_subprog(struct bpf_iter_task_vma *it,
					    struct task_struct *task)
{
	return bpf_iter_task_vma_new(it, task, 0);
}

SEC("raw_tp/sys_enter")
__description("iterator created in a static subprogram, iterated and destroyed by the caller")
__success
int iter_new_in_subprog_destroy_in_caller(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct bpf_iter_task_vma it;
	struct vm_area_struct *vma;
	u32 n = 0;

	new_in_static_subprog(&it, task);
	while ((vma = bpf_iter_task_vma_next(&it)))
		n++;
	bpf_iter_task_vma_destroy(&it);

	vma_count = n;
	return 0;
}

static __noinline void destroy_in_static_subprog(struct bpf_iter_task_vma *it)
{
	bpf_iter_task_vma_destroy(it);
}

SEC("raw_tp/sys_enter")
__description("new, next and destroy each in a static subprogram of its own")
__success
int iter_lifecycle_split_over_subprogs(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct bpf_iter_task_vma it;

	new_in_static_subprog(&it, task);
	total_bytes = sum_in_static_subprog(&it);
	destroy_in_static_subprog(&it);
	return 0;
}

static __noinline u32 count_in_static_subprog(struct task_struct *task)
{
	struct bpf_iter_task_vma it;
	struct vm_area_struct *vma;
	u32 n = 0;

	bpf_iter_task_vma_new(&it, task, 0);
	while ((vma = bpf_iter_task_vma_next(&it)))
		n++;
	bpf_iter_task_vma_destroy(&it);
	return n;
}

SEC("raw_tp/sys_enter")
__description("whole iterator lifetime inside a static subprogram's own frame")
__success
int iter_owned_by_static_subprog(void *ctx)
{
	vma_count = count_in_static_subprog(bpf_get_current_task_btf());
	return 0;
}

/*
 * check_reference_leak() ignores BPF_EXIT of a static subprogram (frameno >
 * 0): the reference travels back to the caller with the state, and the leak
 * is reported at the main program's exit, i.e. after the log-level-1 trace
 * line "returning from callee:" (6.18 then adds "BPF_EXIT instruction in
 * main prog would lead to reference leak", from check_resource_leak(),
 * which older kernels do not print).
 */
SEC("raw_tp/sys_enter")
__description("iterator created in a static subprogram and never destroyed")
__failure
__msg("returning from callee:")
__msg("Unreleased reference id={{[0-9]+}}")
int iter_new_in_subprog_never_destroyed(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct bpf_iter_task_vma it;
	struct vm_area_struct *vma;
	u32 n = 0;

	new_in_static_subprog(&it, task);
	while ((vma = bpf_iter_task_vma_next(&it)))
		n++;

	vma_count = n;
	return 0;
}

static int loop_cb_own_iter(u32 idx, void *data)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct bpf_iter_task_vma it;
	struct vm_area_struct *vma;
	u64 *total = data;

	bpf_iter_task_vma_new(&it, task, 0);
	while ((vma = bpf_iter_task_vma_next(&it)))
		*total += vma->vm_end - vma->vm_start;
	bpf_iter_task_vma_destroy(&it);
	return 0;
}

SEC("raw_tp/sys_enter")
__description("bpf_loop() callback creates, iterates and destroys its own iterator")
__success
int iter_in_bpf_loop_callback(void *ctx)
{
	u64 total = 0;

	bpf_loop(2, loop_cb_own_iter, &total, 0);
	total_bytes = total;
	return 0;
}

static int loop_cb_caller_iter(u32 idx, void *data)
{
	struct bpf_iter_task_vma *it = data;
	struct vm_area_struct *vma;

	/* advance the caller's iterator by one VMA per callback call */
	vma = bpf_iter_task_vma_next(it);
	if (!vma)
		return 1;
	total_bytes += vma->vm_end - vma->vm_start;
	return 0;
}

SEC("raw_tp/sys_enter")
__description("bpf_loop() callback advances the caller's iterator passed as its context")
__success
int caller_iter_in_bpf_loop_callback(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct bpf_iter_task_vma it;

	bpf_iter_task_vma_new(&it, task, 0);
	bpf_loop(64, loop_cb_caller_iter, &it, 0);
	bpf_iter_task_vma_destroy(&it);
	return 0;
}

static int loop_cb_leaks_iter(u32 idx, void *data)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct bpf_iter_task_vma it;
	struct vm_area_struct *vma;

	bpf_iter_task_vma_new(&it, task, 0);
	vma = bpf_iter_task_vma_next(&it);
	if (vma)
		total_bytes += vma->vm_end - vma->vm_start;
	/* no destroy: the reference outlives the callback frame */
	return 0;
}

/*
 * Where the leak is reported changed in 6.13 (commit 9bb162b059aa "bpf: Drop
 * special callback reference handling", Kumar Kartikeya Dwivedi, bpf-next
 * Nov 2024): before it, references acquired in a callback were tagged
 * (callback_ref) and checked at the callback's BPF_EXIT; since then they
 * are transferred to the caller and reported at the main program's exit
 * (6.18 log: "returning from callee:" ... "Unreleased reference id=1
 * alloc_insn=N", "BPF_EXIT instruction in main prog would lead to reference
 * leak"). Only the line common to both is matched.
 */
SEC("raw_tp/sys_enter")
__description("bpf_loop() callback creates an iterator and never destroys it")
__failure
__msg("Unreleased reference id={{[0-9]+}}")
int iter_leaked_by_bpf_loop_callback(void *ctx)
{
	bpf_loop(2, loop_cb_leaks_iter, NULL, 0);
	return 0;
}

static int loop_cb_new_for_caller(u32 idx, void *data)
{
	struct bpf_iter_task_vma *it = data;

	bpf_iter_task_vma_new(it, bpf_get_current_task_btf(), 0);
	return 1;
}

/*
 * Since 6.7 (commit ab5cfac139ab "bpf: verify callbacks as if they are
 * called unknown number of times", also in 6.1.y/6.6.y) bpf_loop() callbacks
 * are verified as running any number of times, zero included: the caller's
 * path where the callback never ran reaches destroy() on a slot that is not
 * an iterator. Designator: "arg #1" before 6.12.5/6.13 (bd74e238ae69),
 * "arg #0" after (6.18 prints "arg #0"), "R1" in the 2026 argno_t rework.
 */
SEC("raw_tp/sys_enter")
__description("bpf_loop() callback creates the caller's iterator, the caller destroys it")
__failure
__msg("expected an initialized iter_task_vma as {{(arg #[01]|R1)}}")
int caller_iter_created_in_bpf_loop_callback(void *ctx)
{
	struct bpf_iter_task_vma it;

	bpf_loop(1, loop_cb_new_for_caller, &it, 0);
	bpf_iter_task_vma_destroy(&it);
	return 0;
}

__noinline int global_subprog_iterates(struct bpf_iter_task_vma *it)
{
	struct vm_area_struct *vma;
	int n = 0;

	if (!it)
		return 0;
	while ((vma = bpf_iter_task_vma_next(it)))
		n++;
	return n;
}

/*
 * A global function's struct bpf_iter_task_vma * argument is plain memory
 * (PTR_TO_MEM, 8 bytes, maybe NULL); the caller must pass 8 readable bytes,
 * and STACK_ITER bytes are not readable: "invalid read from stack R1 off
 * -8+0 size 8" then "Caller passes invalid args into func#1
 * ('global_subprog_iterates')" (6.18). The messages are pinned to >=6.8:
 * since commit 2afae08c9dcb "bpf: Validate global subprogs lazily" (Andrii
 * Nakryiko; bpf-next Dec 2023, right after "libbpf: Start v1.4 development
 * cycle", so released in 6.8) the main program is verified first and the
 * caller-side check fails; 6.7 verified global functions first, so there
 * the error comes from inside global_subprog_iterates() (an iterator kfunc
 * on a non-stack pointer; not checked on a 6.7 kernel). The read error said "invalid indirect read" in
 * older kernels; the 2026 argno_t rework may name the argument differently,
 * hence only the stable prefix is matched. The verdict is reject everywhere.
 * (copied_iter.bpf.c had a duplicate of this case; it was dropped in favour
 * of this version-scoped one.)
 */
SEC("raw_tp/sys_enter")
__description("iterator pointer passed to a global (non-static) function")
__failure
__kver_msg(">=6.8", "invalid{{.*}} read from stack")
__kver_msg(">=6.8", "Caller passes invalid args into func#{{[0-9]+}}")
int iter_ptr_to_global_subprog(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct bpf_iter_task_vma it;

	bpf_iter_task_vma_new(&it, task, 0);
	vma_count = global_subprog_iterates(&it);
	bpf_iter_task_vma_destroy(&it);
	return 0;
}

char _license[] SEC("license") = "GPL";
