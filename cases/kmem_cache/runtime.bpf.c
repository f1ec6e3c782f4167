// SPDX-License-Identifier: GPL-2.0
/*
 * kmem_cache: what bpf_iter_kmem_cache_new/next/destroy yield at run time.
 * Contract: bpf_iter_kmem_cache_new() never fails (returns 0); next() yields
 * every cache on slab_caches once, in list order, then NULL for good (the
 * verifier's DRAINED state: a later next() is believed to be the constant
 * 0); a destroyed iterator created again walks the same caches again.
 * Enforced by: kernel/bpf/kmem_cache_iter.c
 * bpf_iter_kmem_cache_next() ("if (!prev) return NULL": the end state
 * differs from the start state, KMEM_CACHE_POS_START).
 * Applies: every kernel with the kfunc (6.13+); older kernels ->
 * unsupported (automatic). The kfuncs are KF_SLEEPABLE: SEC("syscall").
 * The __retval checks run in guests only; on the host only the verdicts are
 * checked.
 * History: unchanged since "bpf: Add open coded version of kmem_cache
 * iterator" (2e9a548009c2, 6.13).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"
#include "bpf_experimental.h"

/*
 * Values pass through this global (a map value) so that the verifier sees
 * them read back as unknown scalars: a branch on a loop counter would make
 * it precise and keep the loop from converging, and a pointer stored here
 * (root may) reads back as a plain number.
 */
volatile __u64 out[4];

SEC("syscall")
__description("two walks see the same number of caches, more than 16; new() returns 0")
__success
__retval(3)
int walks_see_every_cache(void *ctx)
{
	struct bpf_iter_kmem_cache it;
	struct kmem_cache *s;
	int n1 = 0, n2 = 0, err;

	err = bpf_iter_kmem_cache_new(&it);
	while ((s = bpf_iter_kmem_cache_next(&it)))
		n1++;
	bpf_iter_kmem_cache_destroy(&it);
	bpf_iter_kmem_cache_new(&it);
	while ((s = bpf_iter_kmem_cache_next(&it)))
		n2++;
	bpf_iter_kmem_cache_destroy(&it);
	if (err)
		return err;
	out[0] = n1;
	out[1] = n2;
	return (out[0] == out[1]) | (out[0] > 16) << 1;
}

SEC("syscall")
__description("next() after NULL, twice: NULL both times (the verifier's const 0)")
__success
__retval(0)
int next_after_null_stays_null(void *ctx)
{
	struct bpf_iter_kmem_cache it;
	struct kmem_cache *a, *b;
	int r;

	bpf_iter_kmem_cache_new(&it);
	while (bpf_iter_kmem_cache_next(&it))
		;
	a = bpf_iter_kmem_cache_next(&it); /* the verifier: R0 = 0 */
	b = bpf_iter_kmem_cache_next(&it);
	r = (__u64)a >> 63 | ((__u64)b >> 63) << 1;
	bpf_iter_kmem_cache_destroy(&it);
	return r;
}

char _license[] SEC("license") = "GPL";
