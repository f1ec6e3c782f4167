// SPDX-License-Identifier: GPL-2.0
/*
 * task_vma: an iterator of the main program handed to a bpf_loop()
 * callback as its context (PTR_TO_STACK of frame 0).
 * Contract: the callback may run zero or more times, so whatever it does to
 * the caller's iterator must leave a state the caller can go on from; the
 * verifier explores the caller after bpf_loop() first (zero calls), then the
 * callback, coming back to the call after each run (push_callback_call(),
 * prepare_func_exit(): "verify callbacks as if they are called unknown
 * number of times", ab5cfac139ab, 6.7).
 * Enforced by: kernel/bpf/verifier.c process_iter_arg()
 * ("expected an initialized iter_%s as arg #%d"), check_reference_leak().
 * Why interesting: the generator's minimal programs for its bpf_loop
 * feature (runner/gen, op `bpfloop`). Before 6.13 ("bpf: Drop special
 * callback reference handling") a callback could not release a caller's
 * reference: release_reference_state() failed, and for an iterator that
 * failure is a WARN_ON_ONCE() in unmark_stack_slots_iter(); the first
 * program here reaches that destroy() only after the zero-calls path
 * passed; and a callback's own reference had to be released before it
 * returned (callback_ref), so re-creating the iterator there was rejected.
 * Applies: every kernel with the kfunc (6.7+); older kernels -> unsupported (automatic).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"
#include "bpf_experimental.h"

static int destroy_cb(__u64 index, void *ctx)
{
	bpf_iter_task_vma_destroy(ctx);
	return 0;
}

SEC("tp_btf/sys_enter")
__description("the callback destroys the caller's iterator, the caller destroys it again")
__failure
__msg("expected an initialized iter_task_vma as {{(arg #[01]|R1)}}")
int callback_destroys_callers_iter(void *ctx)
{
	struct bpf_iter_task_vma it;

	bpf_iter_task_vma_new(&it, bpf_get_current_task_btf(), 0);
	bpf_loop(1, destroy_cb, &it, 0);
	bpf_iter_task_vma_destroy(&it);
	return 0;
}

static int renew_cb(__u64 index, void *ctx)
{
	bpf_iter_task_vma_destroy(ctx);
	bpf_iter_task_vma_new(ctx, bpf_get_current_task_btf(), 0);
	return 0;
}

SEC("tp_btf/sys_enter")
__description("the callback destroys and re-creates the caller's iterator")
__failure
__kver_success(">=6.13")
__kver_msg("<6.13", "Unreleased reference id={{[0-9]+}} alloc_insn={{[0-9]+}}")
int callback_renews_callers_iter(void *ctx)
{
	struct bpf_iter_task_vma it;

	bpf_iter_task_vma_new(&it, bpf_get_current_task_btf(), 0);
	bpf_loop(1, renew_cb, &it, 0);
	bpf_iter_task_vma_destroy(&it);
	return 0;
}

char _license[] SEC("license") = "GPL";
