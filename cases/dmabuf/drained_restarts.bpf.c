// SPDX-License-Identifier: GPL-2.0
/*
 * dmabuf: next() on a drained dmabuf iterator (kernel finding).
 * Contract: once next() has returned NULL it returns NULL for good. The
 * verifier relies on it: on the NULL branch it marks the iterator DRAINED,
 * and every later next() of a DRAINED iterator gets R0 = the constant 0, so
 * a branch on that R0 is dead (hard-wired away in privileged programs) and
 * its value may be used as a known 0.
 * Kernel behaviour (Debian 7.2.13 and 7.3-rc7 guests, images/known-bugs.toml): the
 * dmabuf iterator starts over. bpf_iter_dmabuf_next() calls
 * dma_buf_iter_begin() whenever kit->dmabuf is NULL, which is both the
 * initial and the drained state, so the first buffer comes back (with a
 * file reference the iterator now holds): a kernel pointer where the
 * verifier believes the constant 0. The program returns bit 63 of that
 * "constant" and, in bit 1, whether it is the walk's first buffer: 0 by
 * the contract; both kernels return 3 (the guest agent exports two buffers, so
 * the walk is never empty).
 * Why it matters: the believed 0 is a known scalar to the verifier. A
 * program may add it to a map value pointer, index a stack buffer with it
 * or pass it as a size, and the verifier checks that access at offset 0;
 * at run time the offset is a kernel address (out-of-bounds access), and
 * the value leaks a kernel pointer as a scalar.
 * Enforced by: kernel/bpf/verifier.c process_iter_next_call()
 * (__mark_reg_const_zero() on the DRAINED branch);
 * kernel/bpf/dmabuf_iter.c bpf_iter_dmabuf_next().
 * Applies: every kernel with the kfunc (6.16+); older kernels ->
 * unsupported (automatic). The __retval check runs in guests only.
 * History: bpf_iter_dmabuf_next() is unchanged since "bpf: Add open coded
 * dmabuf iterator" (6eab7ac7c5ee, 6.16).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"
#include "bpf_experimental.h"

/* a pointer stored here (root may) reads back as a plain number */
volatile __u64 out[2];

SEC("syscall")
__description("next() after NULL is NULL (the verifier's const 0)")
__success
__retval(0)
int next_after_null(void *ctx)
{
	struct dma_buf *d, *first = NULL;
	struct bpf_iter_dmabuf it;
	int r;

	bpf_iter_dmabuf_new(&it);
	while ((d = bpf_iter_dmabuf_next(&it)))
		if (!first)
			first = d;
	d = bpf_iter_dmabuf_next(&it); /* the verifier: R0 = 0 */
	out[0] = (__u64)d;
	out[1] = (__u64)first;
	r = out[0] >> 63 | (out[0] == out[1]) << 1;
	bpf_iter_dmabuf_destroy(&it);
	return r;
}

char _license[] SEC("license") = "GPL";
