// SPDX-License-Identifier: GPL-2.0
/*
 * css_task: the iterator protocol on the one-slot css_task iterator.
 * Contract: new() needs an uninitialized slot, next() and destroy() an
 * initialized one, and every new() is matched by one destroy() on every
 * path, as for every kind (cases/task_vma/{double_new,use_after_destroy,
 * missing_destroy}).
 * Enforced by: kernel/bpf/verifier.c process_iter_arg()
 * ("expected uninitialized iter_%s as %s", "expected an initialized
 * iter_%s as %s"), check_reference_leak() ("Unreleased reference id=%d
 * alloc_insn=%d").
 * Applies: every kernel with the kfunc (6.7+); older kernels -> unsupported
 * (automatic). SEC("syscall"): on the allow-list (cases/css_task/prog_types).
 * History: the argument designator is "arg #1" on 6.7 .. 6.12.4, "arg #0"
 * since bd74e238ae69 (6.13, 6.12.5) and "R1" in 7.x.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"
#include "bpf_experimental.h"

SEC("syscall")
__description("new() on a drained slot, without destroy()")
__failure
__msg("expected uninitialized iter_css_task as {{(arg #[01]|R1)}}")
int new_on_drained_slot(void *ctx)
{
	struct bpf_iter_css_task it;
	struct task_struct *t;
	struct cgroup *cg;
	int n = 0;

	cg = bpf_cgroup_from_id(1);
	if (!cg)
		return 0;
	bpf_iter_css_task_new(&it, &cg->self, CSS_TASK_ITER_PROCS);
	while ((t = bpf_iter_css_task_next(&it)))
		n++;
	bpf_iter_css_task_new(&it, &cg->self, CSS_TASK_ITER_PROCS);
	bpf_iter_css_task_destroy(&it);
	bpf_cgroup_release(cg);
	return n & 1;
}

SEC("syscall")
__description("next() after destroy()")
__failure
__msg("expected an initialized iter_css_task as {{(arg #[01]|R1)}}")
int next_after_destroy(void *ctx)
{
	struct bpf_iter_css_task it;
	struct task_struct *t;
	struct cgroup *cg;

	cg = bpf_cgroup_from_id(1);
	if (!cg)
		return 0;
	bpf_iter_css_task_new(&it, &cg->self, CSS_TASK_ITER_PROCS);
	bpf_iter_css_task_destroy(&it);
	t = bpf_iter_css_task_next(&it);
	bpf_cgroup_release(cg);
	return t ? 1 : 0;
}

SEC("syscall")
__description("destroy() on one branch only")
__failure
__msg("Unreleased reference id={{[0-9]+}} alloc_insn={{[0-9]+}}")
int destroy_on_one_branch(void *ctx)
{
	struct bpf_iter_css_task it;
	struct cgroup *cg;

	cg = bpf_cgroup_from_id(1);
	if (!cg)
		return 0;
	bpf_iter_css_task_new(&it, &cg->self, CSS_TASK_ITER_PROCS);
	if (bpf_get_prandom_u32() & 1)
		bpf_iter_css_task_destroy(&it);
	bpf_cgroup_release(cg);
	return 0;
}

char _license[] SEC("license") = "GPL";
