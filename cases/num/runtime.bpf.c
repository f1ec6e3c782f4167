// SPDX-License-Identifier: GPL-2.0
/*
 * num: what bpf_iter_num_new/next/destroy yield at run time.
 * Contract: bpf_iter_num_new(&it, start, end) returns 0 and next() then
 * yields start, start+1, ..., end-1 (the empty range when start == end),
 * then NULL for good; new() returns -EINVAL when start > end and -E2BIG when
 * end - start (computed without overflow) exceeds BPF_MAX_LOOPS (1 << 23),
 * and then yields nothing. When next() returns NULL it resets the iterator
 * to 0 (a pointer kept from the last turn reads 0). What a destroyed slot
 * holds is not part of the contract: the verifier treats it as
 * uninitialized stack (and 7.3-rc7 does not read back the zeroes destroy()
 * wrote), so it is not checked.
 * Enforced by: kernel/bpf/bpf_iter.c bpf_iter_num_new(), bpf_iter_num_next(),
 * bpf_iter_num_destroy().
 * Applies: every kernel with the kfunc (6.4+); older kernels -> unsupported
 * (automatic). The __retval checks run in guests only (SEC("syscall"),
 * BPF_PROG_TEST_RUN without input); on the host only the verdicts are checked.
 * History: unchanged since the iterator was introduced (6.4, "bpf: add
 * bpf_iter_num_{new,next,destroy}"). These programs exist to kill the
 * num-runtime mutants of images/mutants.toml (off-by-one bounds, the int
 * overflow of the range check, the reset to 0).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"
#include "bpf_experimental.h"

#define NUM_MAX_LOOPS (1 << 23) /* BPF_MAX_LOOPS */

/* count | first << 8 | last << 16 of the numbers a walk of [start, end) yields */
static __always_inline int walk_summary(int start, int end)
{
	struct bpf_iter_num it;
	int n = 0, first = 0, last = 0;
	int *v;

	bpf_iter_num_new(&it, start, end);
	while ((v = bpf_iter_num_next(&it))) {
		if (n == 0)
			first = *v;
		last = *v;
		n++;
	}
	bpf_iter_num_destroy(&it);
	return (n & 0xff) | (first & 0xff) << 8 | (last & 0xff) << 16;
}

SEC("syscall")
__description("[3, 7) yields 3, 4, 5, 6: four numbers, the first 3, the last 6")
__success
__retval(0x60304)
int range_yields_start_to_end_minus_one(void *ctx)
{
	return walk_summary(3, 7);
}

SEC("syscall")
__description("[5, 5) is an empty range: new() returns 0 and next() yields nothing")
__success
__retval(0)
int empty_range_yields_nothing(void *ctx)
{
	struct bpf_iter_num it;
	int n = 0, err;

	err = bpf_iter_num_new(&it, 5, 5);
	while (bpf_iter_num_next(&it))
		n++;
	bpf_iter_num_destroy(&it);
	/* no branch on n: a precise counter would keep the loop from converging */
	return err * 1000 + n;
}

SEC("syscall")
__description("start > end: new() returns -EINVAL and next() yields nothing")
__success
__retval(-22)
int start_after_end_is_einval(void *ctx)
{
	struct bpf_iter_num it;
	int n = 0, err;

	err = bpf_iter_num_new(&it, 6, 5);
	while (bpf_iter_num_next(&it))
		n++;
	bpf_iter_num_destroy(&it);
	return err + n * 1000;
}

SEC("syscall")
__description("a range of exactly BPF_MAX_LOOPS numbers is allowed (new() returns 0)")
__success
__retval(0)
int max_loops_range_is_allowed(void *ctx)
{
	struct bpf_iter_num it;
	int err;

	err = bpf_iter_num_new(&it, 0, NUM_MAX_LOOPS);
	bpf_iter_num_destroy(&it);
	return err;
}

SEC("syscall")
__description("a range of BPF_MAX_LOOPS + 1 numbers: new() returns -E2BIG")
__success
__retval(-7)
int max_loops_plus_one_is_e2big(void *ctx)
{
	struct bpf_iter_num it;
	int err;

	err = bpf_iter_num_new(&it, -1, NUM_MAX_LOOPS);
	bpf_iter_num_destroy(&it);
	return err;
}

SEC("syscall")
__description("[INT_MIN, INT_MAX): the range is measured without int overflow, -E2BIG")
__success
__retval(-7)
int full_int_range_is_e2big(void *ctx)
{
	struct bpf_iter_num it;
	int err;

	err = bpf_iter_num_new(&it, -2147483647 - 1, 2147483647);
	bpf_iter_num_destroy(&it);
	return err;
}

SEC("syscall")
__description("the pointer from the last turn reads 0 once next() has returned NULL")
__success
__retval(0)
int last_pointer_reads_zero_after_drain(void *ctx)
{
	struct bpf_iter_num it;
	int *v, *last = NULL;
	int r;

	bpf_iter_num_new(&it, 40, 43);
	while ((v = bpf_iter_num_next(&it)))
		last = v;
	/* still valid: the pointer dies with destroy(), not with the NULL */
	r = last ? *last : -1;
	bpf_iter_num_destroy(&it);
	return r;
}

char _license[] SEC("license") = "GPL";
