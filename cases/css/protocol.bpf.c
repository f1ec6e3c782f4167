// SPDX-License-Identifier: GPL-2.0
/*
 * css: the iterator protocol on the three-slot css iterator.
 * Contract: new() needs an uninitialized slot, next() and destroy() an
 * initialized one, and every new() is matched by one destroy() on every
 * path, as for every kind (cases/task_vma/{double_new,use_after_destroy,
 * missing_destroy}); struct bpf_iter_css is 24 bytes (3 stack slots).
 * Enforced by: kernel/bpf/verifier.c process_iter_arg()
 * ("expected uninitialized iter_%s as %s", "expected an initialized
 * iter_%s as %s"), check_reference_leak() ("Unreleased reference id=%d
 * alloc_insn=%d").
 * Applies: every kernel with the kfunc (6.7+); older kernels -> unsupported
 * (automatic).
 * History: the argument designator is "arg #1" on 6.7 .. 6.12.4, "arg #0"
 * since bd74e238ae69 (6.13, 6.12.5) and "R1" in 7.x.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"
#include "bpf_experimental.h"

#define ROOT_CGROUP_ID 1

SEC("tp_btf/sys_enter")
__description("new() twice on the same css iterator")
__failure
__msg("expected uninitialized iter_css as {{(arg #[01]|R1)}}")
int new_twice(void *ctx)
{
	struct bpf_iter_css it;
	struct cgroup *cg;

	cg = bpf_cgroup_from_id(ROOT_CGROUP_ID);
	if (!cg)
		return 0;
	bpf_iter_css_new(&it, &cg->self, BPF_CGROUP_ITER_DESCENDANTS_PRE);
	bpf_iter_css_new(&it, &cg->self, BPF_CGROUP_ITER_DESCENDANTS_POST);
	bpf_iter_css_destroy(&it);
	bpf_cgroup_release(cg);
	return 0;
}

SEC("tp_btf/sys_enter")
__description("destroy() twice")
__failure
__msg("expected an initialized iter_css as {{(arg #[01]|R1)}}")
int destroy_twice(void *ctx)
{
	struct bpf_iter_css it;
	struct cgroup *cg;

	cg = bpf_cgroup_from_id(ROOT_CGROUP_ID);
	if (!cg)
		return 0;
	bpf_iter_css_new(&it, &cg->self, BPF_CGROUP_ITER_ANCESTORS_UP);
	bpf_iter_css_destroy(&it);
	bpf_iter_css_destroy(&it);
	bpf_cgroup_release(cg);
	return 0;
}

SEC("tp_btf/sys_enter")
__description("a walk left by return without destroy()")
__failure
__msg("Unreleased reference id={{[0-9]+}} alloc_insn={{[0-9]+}}")
int return_from_loop_leaks(void *ctx)
{
	struct cgroup_subsys_state *pos;
	struct bpf_iter_css it;
	struct cgroup *cg;

	cg = bpf_cgroup_from_id(ROOT_CGROUP_ID);
	if (!cg)
		return 0;
	bpf_iter_css_new(&it, &cg->self, BPF_CGROUP_ITER_DESCENDANTS_PRE);
	while ((pos = bpf_iter_css_next(&it))) {
		if (pos == &cg->self) {
			bpf_cgroup_release(cg);
			return 1;
		}
	}
	bpf_iter_css_destroy(&it);
	bpf_cgroup_release(cg);
	return 0;
}

char _license[] SEC("license") = "GPL";
