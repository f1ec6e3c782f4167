// SPDX-License-Identifier: GPL-2.0
/*
 * dmabuf: the iterator protocol on the one-slot dmabuf iterator.
 * Contract: new() needs an uninitialized slot, next() and destroy() an
 * initialized one, and every new() is matched by one destroy() on every
 * path, as for every kind (cases/task_vma/{double_new,use_after_destroy,
 * missing_destroy}). new() takes no argument but the iterator.
 * Enforced by: kernel/bpf/verifier.c process_iter_arg()
 * ("expected uninitialized iter_%s as %s", "expected an initialized
 * iter_%s as %s"), check_reference_leak() ("Unreleased reference id=%d
 * alloc_insn=%d").
 * Applies: every kernel with the kfuncs (6.16+); older kernels ->
 * unsupported (automatic). SEC("syscall"): sleepable.
 * History: the argument designator is "arg #0" on 6.13 .. 6.18 (zero-based
 * since bd74e238ae69) and "R1" in 7.x.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"
#include "bpf_experimental.h"

SEC("syscall")
__description("new() inside the loop on the live iterator's slot")
__failure
__msg("expected uninitialized iter_dmabuf as {{(arg #0|R1)}}")
int new_inside_loop(void *ctx)
{
	struct bpf_iter_dmabuf it;
	struct dma_buf *s;
	int n = 0;

	bpf_iter_dmabuf_new(&it);
	while ((s = bpf_iter_dmabuf_next(&it))) {
		if (n++ == 3)
			bpf_iter_dmabuf_new(&it);
	}
	bpf_iter_dmabuf_destroy(&it);
	return n & 1;
}

SEC("syscall")
__description("next() before new()")
__failure
__msg("expected an initialized iter_dmabuf as {{(arg #0|R1)}}")
int next_before_new(void *ctx)
{
	struct bpf_iter_dmabuf it;
	struct dma_buf *s;

	s = bpf_iter_dmabuf_next(&it);
	bpf_iter_dmabuf_new(&it);
	bpf_iter_dmabuf_destroy(&it);
	return s ? 1 : 0;
}

SEC("syscall")
__description("destroy() inside the loop: the next turn's next() is on a destroyed slot")
__failure
__msg("expected an initialized iter_dmabuf as {{(arg #0|R1)}}")
int destroy_inside_loop(void *ctx)
{
	struct bpf_iter_dmabuf it;
	struct dma_buf *s;
	int n = 0;

	bpf_iter_dmabuf_new(&it);
	while ((s = bpf_iter_dmabuf_next(&it))) {
		n++;
		bpf_iter_dmabuf_destroy(&it);
	}
	bpf_iter_dmabuf_destroy(&it);
	return n & 1;
}

SEC("syscall")
__description("a walk left by break without destroy()")
__failure
__msg("Unreleased reference id={{[0-9]+}} alloc_insn={{[0-9]+}}")
int break_without_destroy(void *ctx)
{
	struct bpf_iter_dmabuf it;
	struct dma_buf *s;
	int n = 0;

	bpf_iter_dmabuf_new(&it);
	while ((s = bpf_iter_dmabuf_next(&it))) {
		if (s->size > 4096)
			break;
		n++;
	}
	return n & 1;
}

char _license[] SEC("license") = "GPL";
