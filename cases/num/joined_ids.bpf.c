// SPDX-License-Identifier: GPL-2.0
/*
 * num: two paths that create the same two iterators in opposite orders and
 * take a next() pointer from a different one, joined.
 * Contract: which iterator a next() pointer belongs to is part of the
 * verifier state. Two states are the same only if one renaming of reference
 * ids maps the iterators' slots, the pointer's owner and the reference list
 * onto each other; a pointer owned by b on one path is not the pointer
 * owned by a on the other, and destroy(b) must end it on that path.
 * Enforced by: kernel/bpf/states.c stacksafe() (STACK_ITER: check_ids() on
 * the slot's id), regsafe() (the pointer's parent_id; ref_obj_id on 6.12),
 * refsafe(); then release_reference() and check_mem_access()
 * ("R%d invalid mem access 'scalar'").
 * Applies: every kernel with the kfunc (6.4+); older kernels -> unsupported (automatic).
 * History: written in assembly so that the path taking its pointer from a
 * is explored first (the fall-through) and a checkpoint at every instruction
 * (BPF_F_TEST_STATE_FREQ) lets the other path meet it at the join. This
 * program exists to kill conv-prune-ignores-iter-id of images/mutants.toml:
 * without the slot ids the reference list of the second path (b, a) maps
 * onto the first one's (a, b) and its pointer is taken for a's.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"
#include "bpf_experimental.h"

SEC("raw_tp/sys_enter")
__description("pointer owned by b on the second path, read after destroy(b) at the join")
__failure
__flag(BPF_F_TEST_STATE_FREQ)
__msg("R6 invalid mem access 'scalar'")
__naked int pointer_owner_differs_at_join(void *ctx)
{
	asm volatile("call %[bpf_get_prandom_u32];"
		     "if r0 != 0 goto 1f;"
		     /* first path: a (fp-8), then b (fp-16); the pointer from a */
		     "r1 = r10;"
		     "r1 += -8;"
		     "r2 = 0;"
		     "r3 = 3;"
		     "call %[bpf_iter_num_new];"
		     "r1 = r10;"
		     "r1 += -16;"
		     "r2 = 0;"
		     "r3 = 3;"
		     "call %[bpf_iter_num_new];"
		     "r1 = r10;"
		     "r1 += -8;"
		     "call %[bpf_iter_num_next];"
		     "r6 = r0;"
		     "goto 2f;"
		     /* second path: b, then a; the pointer from b */
		     "1:"
		     "r1 = r10;"
		     "r1 += -16;"
		     "r2 = 0;"
		     "r3 = 3;"
		     "call %[bpf_iter_num_new];"
		     "r1 = r10;"
		     "r1 += -8;"
		     "r2 = 0;"
		     "r3 = 3;"
		     "call %[bpf_iter_num_new];"
		     "r1 = r10;"
		     "r1 += -16;"
		     "call %[bpf_iter_num_next];"
		     "r6 = r0;"
		     "2:"
		     "r1 = r10;"
		     "r1 += -16;"
		     "call %[bpf_iter_num_destroy];"
		     "r0 = 0;"
		     "if r6 == 0 goto 3f;"
		     "r0 = *(u32 *)(r6 + 0);"
		     "3:"
		     "r7 = r0;"
		     "r1 = r10;"
		     "r1 += -8;"
		     "call %[bpf_iter_num_destroy];"
		     "r0 = r7;"
		     "exit;"
		     :
		     : [bpf_get_prandom_u32] "i"(bpf_get_prandom_u32),
		       [bpf_iter_num_new] "i"(bpf_iter_num_new),
		       [bpf_iter_num_next] "i"(bpf_iter_num_next),
		       [bpf_iter_num_destroy] "i"(bpf_iter_num_destroy)
		     : "r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "memory");
}

SEC("raw_tp/sys_enter")
__description("the same two paths with the pointer read before destroy(b)")
__success
__flag(BPF_F_TEST_STATE_FREQ)
int pointer_read_before_either_destroy(void *ctx)
{
	struct bpf_iter_num a, b;
	int *v, r = 0;

	bpf_iter_num_new(&a, 0, 3);
	bpf_iter_num_new(&b, 0, 3);
	v = bpf_iter_num_next(bpf_get_prandom_u32() & 1 ? &a : &b);
	if (v)
		r = *v;
	bpf_iter_num_destroy(&b);
	bpf_iter_num_destroy(&a);
	return r;
}

char _license[] SEC("license") = "GPL";
