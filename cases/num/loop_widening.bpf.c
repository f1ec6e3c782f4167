// SPDX-License-Identifier: GPL-2.0
/*
 * num: a value the loop body needs exactly, re-set to a constant each turn.
 * Contract: at each new turn of an iterator loop the verifier may forget
 * (widen) scalars that differ from the previous turn's loop entry, but only
 * imprecise ones: a scalar that was precise at the previous entry (its value
 * mattered there, e.g. as an index) keeps its value, so a loop whose body
 * indexes with it stays verifiable.
 * Enforced by: kernel/bpf/verifier.c process_iter_next_call() ->
 * widen_imprecise_scalars() / maybe_widen_reg() ("if (rold->precise ||
 * rcur->precise || scalars_exact_for_widen(rold, rcur)) return;"),
 * find_prev_entry().
 * Applies: every kernel with the kfunc (6.4+); older kernels -> unsupported (automatic).
 * History: widening came with "bpf: exact states comparison for iterator
 * convergence checks" (2793a8b015f7, 6.7, backported to 6.6.y/6.1.y). This
 * program exists to kill conv-widen-precise-old of images/mutants.toml:
 * idx is precise at the first turn's entry (the constant 0 indexed arr) and
 * imprecise in the second turn's state (a fresh value in [0, 1]), so only
 * the old state's mark keeps it from being widened into an out-of-range
 * index; the third turn then meets the second's state and the loop
 * converges.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"
#include "bpf_experimental.h"

SEC("raw_tp/sys_enter")
__description("an index used at the start of each turn and recomputed at its end")
__success
__naked int index_recomputed_each_turn(void *ctx)
{
	/* One next() call heads the loop (clang would rotate a C loop and give
	 * the first turn a next() of its own). fp-8: the iterator; fp-24 and
	 * fp-16: arr[2]; r7: idx, 0 on the first turn, then *v & 1; r8: sum. */
	asm volatile("r1 = 3;"
		     "*(u64 *)(r10 - 24) = r1;"
		     "r1 = 5;"
		     "*(u64 *)(r10 - 16) = r1;"
		     "r1 = r10;"
		     "r1 += -8;"
		     "r2 = 0;"
		     "r3 = 10;"
		     "call %[bpf_iter_num_new];"
		     "r7 = 0;"
		     "r8 = 0;"
		     "1:"
		     "r1 = r10;"
		     "r1 += -8;"
		     "call %[bpf_iter_num_next];"
		     "if r0 == 0 goto 2f;"
		     "r2 = r7;"
		     "r2 <<= 3;"
		     "r3 = r10;"
		     "r3 += -24;"
		     "r3 += r2;"
		     "r4 = *(u64 *)(r3 + 0);"
		     "r8 += r4;"
		     "r7 = *(u32 *)(r0 + 0);"
		     "r7 &= 1;"
		     "goto 1b;"
		     "2:"
		     "r1 = r10;"
		     "r1 += -8;"
		     "call %[bpf_iter_num_destroy];"
		     "r0 = r8;"
		     "r0 &= 1;"
		     "exit;"
		     :
		     : [bpf_iter_num_new] "i"(bpf_iter_num_new),
		       [bpf_iter_num_next] "i"(bpf_iter_num_next),
		       [bpf_iter_num_destroy] "i"(bpf_iter_num_destroy)
		     : "r0", "r1", "r2", "r3", "r4", "r5", "r7", "r8", "memory");
}

/* the C use that makes clang emit BTF for the kfuncs the assembly calls */
SEC("raw_tp/sys_enter")
__description("the same walk in C, where clang gives the first turn its own next()")
__success
int index_recomputed_each_turn_c(void *ctx)
{
	struct bpf_iter_num it;
	__u64 arr[2] = { 3, 5 };
	__u64 sum = 0;
	__u32 idx = 0;
	int *v;

	bpf_iter_num_new(&it, 0, 10);
	while ((v = bpf_iter_num_next(&it))) {
		sum += arr[idx];
		idx = *v & 1;
		asm volatile("" : "+r"(idx));
	}
	bpf_iter_num_destroy(&it);
	return sum & 1;
}

char _license[] SEC("license") = "GPL";
