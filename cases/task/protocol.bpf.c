// SPDX-License-Identifier: GPL-2.0
/*
 * task: the iterator protocol on the three-slot task iterator.
 * Contract: new() needs an uninitialized slot, next() and destroy() an
 * initialized one, and every new() is matched by one destroy() on every
 * path, as for every kind (cases/task_vma/{double_new,use_after_destroy,
 * missing_destroy}); struct bpf_iter_task is 24 bytes (3 stack slots).
 * Enforced by: kernel/bpf/verifier.c process_iter_arg()
 * (is_iter_reg_valid_uninit(): "expected uninitialized iter_%s as %s";
 * is_iter_reg_valid_init(): "expected an initialized iter_%s as %s"),
 * check_reference_leak() ("Unreleased reference id=%d alloc_insn=%d").
 * Applies: every kernel with the kfunc (6.7+); older kernels -> unsupported
 * (automatic).
 * History: the argument designator is "arg #1" on 6.7 .. 6.12.4, "arg #0"
 * since bd74e238ae69 (6.13, 6.12.5) and "R1" in 7.x (see
 * cases/task_vma/double_new).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"
#include "bpf_experimental.h"

SEC("tp_btf/sys_enter")
__description("new() twice on the same task iterator")
__failure
__msg("expected uninitialized iter_task as {{(arg #[01]|R1)}}")
int new_twice(void *ctx)
{
	struct bpf_iter_task it;

	bpf_iter_task_new(&it, NULL, BPF_TASK_ITER_ALL_PROCS);
	bpf_iter_task_new(&it, NULL, BPF_TASK_ITER_ALL_PROCS);
	bpf_iter_task_destroy(&it);
	return 0;
}

SEC("tp_btf/sys_enter")
__description("next() after destroy()")
__failure
__msg("expected an initialized iter_task as {{(arg #[01]|R1)}}")
int next_after_destroy(void *ctx)
{
	struct bpf_iter_task it;
	struct task_struct *t;

	bpf_iter_task_new(&it, NULL, BPF_TASK_ITER_ALL_PROCS);
	bpf_iter_task_destroy(&it);
	t = bpf_iter_task_next(&it);
	return t ? 1 : 0;
}

SEC("tp_btf/sys_enter")
__description("a walk that never destroys its iterator")
__failure
__msg("Unreleased reference id={{[0-9]+}} alloc_insn={{[0-9]+}}")
int leaked_iterator(void *ctx)
{
	struct bpf_iter_task it;
	struct task_struct *t;
	int n = 0;

	bpf_iter_task_new(&it, NULL, BPF_TASK_ITER_ALL_PROCS);
	while ((t = bpf_iter_task_next(&it)))
		n++;
	return n & 1;
}

char _license[] SEC("license") = "GPL";
