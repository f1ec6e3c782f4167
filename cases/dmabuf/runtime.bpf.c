// SPDX-License-Identifier: GPL-2.0
/*
 * dmabuf: what bpf_iter_dmabuf_new/next/destroy yield at run time.
 * Contract: bpf_iter_dmabuf_new() never fails (returns 0); next() yields
 * every exported dma-buf once, holding a reference on the current one, then
 * NULL; a destroyed iterator created again walks the same buffers again.
 * What next() yields once it has returned NULL is
 * cases/dmabuf/drained_restarts.
 * Enforced by: kernel/bpf/dmabuf_iter.c bpf_iter_dmabuf_new(),
 * bpf_iter_dmabuf_next() (dma_buf_iter_begin(), dma_buf_iter_next()),
 * bpf_iter_dmabuf_destroy().
 * Applies: every kernel with the kfunc (6.16+); older kernels -> unsupported
 * (automatic). The kfuncs are KF_SLEEPABLE: SEC("syscall"). The guest agent
 * exports exactly two 4096-byte buffers from the system dma-heap before it
 * runs anything (runner/agent/main.cpp hold_dma_buffers()); nothing else in
 * the guest exports one. The __retval checks run in guests only; on the host
 * only the verdicts are checked.
 * History: unchanged since "bpf: Add open coded dmabuf iterator"
 * (6eab7ac7c5ee, 6.16).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"
#include "bpf_experimental.h"

SEC("syscall")
__description("the walk yields the agent's two 4096-byte buffers; new() returns 0")
__success
__retval(0x2002)
int walk_yields_each_buffer(void *ctx)
{
	struct bpf_iter_dmabuf it;
	struct dma_buf *d;
	__u64 bytes = 0;
	int n = 0, err;

	err = bpf_iter_dmabuf_new(&it);
	while ((d = bpf_iter_dmabuf_next(&it))) {
		bytes += d->size;
		n++;
	}
	bpf_iter_dmabuf_destroy(&it);
	if (err)
		return err;
	/* n | total size in pages << 12 */
	return (n & 0xfff) | ((bytes >> 12) & 0xfff) << 12;
}

SEC("syscall")
__description("destroy() then new() on the slot: the second walk sees as many buffers")
__success
__retval(0x202)
int destroy_then_new_walks_again(void *ctx)
{
	struct bpf_iter_dmabuf it;
	struct dma_buf *d;
	int n1 = 0, n2 = 0;

	bpf_iter_dmabuf_new(&it);
	while ((d = bpf_iter_dmabuf_next(&it)))
		n1++;
	bpf_iter_dmabuf_destroy(&it);
	bpf_iter_dmabuf_new(&it);
	while ((d = bpf_iter_dmabuf_next(&it)))
		n2++;
	bpf_iter_dmabuf_destroy(&it);
	return (n1 & 0xff) | (n2 & 0xff) << 8;
}

char _license[] SEC("license") = "GPL";
