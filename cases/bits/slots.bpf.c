// SPDX-License-Identifier: GPL-2.0
/*
 * bits: the two stack slots of a 16-byte iterator.
 * Contract: struct bpf_iter_bits takes two 8-byte stack slots. Both must be
 * iterator slots for next()/destroy(): a store into either one ends the
 * iterator; the first slot (the iterator's own address) carries the
 * reference and the second must not carry one (it must not be the first
 * slot of another iterator); and both slots must lie inside the frame, so
 * the iterator cannot start at fp-8.
 * Enforced by: kernel/bpf/verifier.c process_iter_arg() (nr_slots =
 * t->size / BPF_REG_SIZE), is_iter_reg_valid_init() (every slot STACK_ITER,
 * an id in the first slot only: "expected an initialized iter_%s as %s"),
 * stack_slot_obj_get_spi() ("cannot pass in %s at an offset=%d" when
 * spi + 1 < nr_slots).
 * Applies: every kernel with the kfunc (6.11+); older kernels -> unsupported
 * (automatic).
 * History: "arg #1" on 6.11 .. 6.12.4, "arg #0" since bd74e238ae69 (6.13,
 * 6.12.5), "R1" in 2026 mainline (argno_t); the checks themselves are those
 * of the first open-coded iterators (6.4). These programs exist to kill the
 * multi-slot mutants of images/mutants.toml (arg-nr-slots-one,
 * init-second-slot-id-off-by-one, slot-nr-slots-check-loose).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"
#include "bpf_experimental.h"

SEC("raw_tp/sys_enter")
__description("a store into the second slot of a bits iterator, then next()")
__failure
__msg("expected an initialized iter_bits as {{(arg #[01]|R1)}}")
int second_slot_store_then_next(void *ctx)
{
	struct bpf_iter_bits it;
	__u64 w = 5;
	int n = 0;

	bpf_iter_bits_new(&it, &w, 1);
	((volatile __u64 *)&it)[1] = 0;
	while (bpf_iter_bits_next(&it))
		n++;
	bpf_iter_bits_destroy(&it);
	return n;
}

SEC("raw_tp/sys_enter")
__description("an iterator whose second slot became the first slot of another one")
__failure
__msg("expected an initialized iter_bits as {{(arg #[01]|R1)}}")
int second_slot_is_another_iterator(void *ctx)
{
	/* buf[0..1]: iterator A; buf[1..2]: iterator B, built over A's second slot */
	__u64 buf[3];
	__u64 w = 5;
	int n = 0;

	bpf_iter_bits_new((struct bpf_iter_bits *)&buf[0], &w, 1);
	((volatile __u64 *)buf)[1] = 0;
	bpf_iter_bits_new((struct bpf_iter_bits *)&buf[1], &w, 1);
	/* A's first slot is intact, its second slot is B's first: not A's any more */
	if (bpf_iter_bits_next((struct bpf_iter_bits *)&buf[0]))
		n++;
	bpf_iter_bits_destroy((struct bpf_iter_bits *)&buf[0]);
	return n;
}

SEC("raw_tp/sys_enter")
__description("a bits iterator at fp-8: its second slot would be above the frame")
__failure
__msg("cannot pass in iter at an offset=-8")
__naked int bits_iterator_at_fp_minus_8(void *ctx)
{
	asm volatile("r1 = 0;"
		     "*(u64 *)(r10 - 16) = r1;"
		     "r1 = r10;"
		     "r1 += -8;"
		     "r2 = r10;"
		     "r2 += -16;"
		     "r3 = 1;"
		     "call %[bpf_iter_bits_new];"
		     "r1 = r10;"
		     "r1 += -8;"
		     "call %[bpf_iter_bits_destroy];"
		     "r0 = 0;"
		     "exit;"
		     :
		     : [bpf_iter_bits_new] "i"(bpf_iter_bits_new),
		       [bpf_iter_bits_destroy] "i"(bpf_iter_bits_destroy)
		     : "r0", "r1", "r2", "r3", "r4", "r5", "memory");
}

char _license[] SEC("license") = "GPL";
