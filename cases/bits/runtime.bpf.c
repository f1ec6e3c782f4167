// SPDX-License-Identifier: GPL-2.0
/*
 * bits: what bpf_iter_bits_new/next/destroy yield at run time.
 * Contract: bpf_iter_bits_new(&it, words, nr_words) copies nr_words u64
 * words (1 <= nr_words <= 511) and next() yields the index of every set bit,
 * in ascending order, then NULL; nr_words == 0 (or a NULL pointer) is
 * -EINVAL, nr_words > 511 is -E2BIG. One word is kept inline in the
 * iterator, more are copied into bpf_mem_alloc'd memory that destroy() frees.
 * Enforced by: kernel/bpf/helpers.c bpf_iter_bits_new(), bpf_iter_bits_next(),
 * bpf_iter_bits_destroy() (BITS_ITER_NR_WORDS_MAX 511).
 * Applies: every kernel with the kfunc (6.11+); older kernels -> unsupported
 * (automatic). The __retval checks run in guests only (SEC("syscall"),
 * BPF_PROG_TEST_RUN without input); on the host only the verdicts are checked.
 * History: the inline one-word path and the 511-word limit date from the
 * iterator's first release (6.11, "bpf: Add bits iterator"); these programs
 * exist to kill the bits-runtime mutants of images/mutants.toml.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"
#include "bpf_experimental.h"

#define BITS_MAX_WORDS 511

__u64 words[BITS_MAX_WORDS + 1];

SEC("syscall")
__description("one word (the inline path): bits 0, 2 and 63, in order")
__success
__retval(0x4103)
int one_word_yields_set_bits(void *ctx)
{
	struct bpf_iter_bits it;
	__u64 w = 0x8000000000000005ULL;
	int n = 0, sum = 0, err;
	int *bit;

	err = bpf_iter_bits_new(&it, &w, 1);
	while ((bit = bpf_iter_bits_next(&it))) {
		sum += *bit;
		n++;
	}
	bpf_iter_bits_destroy(&it);
	if (err)
		return err;
	/* n = 3, sum = 0 + 2 + 63 = 65 */
	return (n & 0xff) | (sum & 0xffff) << 8;
}

SEC("syscall")
__description("nr_words == 0 is -EINVAL, and next() yields nothing")
__success
__retval(-22)
int zero_words_is_einval(void *ctx)
{
	struct bpf_iter_bits it;
	__u64 w = 1;
	int n = 0, err;

	err = bpf_iter_bits_new(&it, &w, 0);
	while (bpf_iter_bits_next(&it))
		n++;
	bpf_iter_bits_destroy(&it);
	/* no branch on n: a precise counter would keep the loop from converging */
	return err + n * 1000;
}

SEC("syscall")
__description("nr_words == 511 (the maximum) is copied: bits 0 and 511 * 64 - 1")
__success
__retval(2)
int max_words_are_allowed(void *ctx)
{
	struct bpf_iter_bits it;
	int n = 0, last = -1, err;
	int *bit;

	words[0] = 1;
	words[BITS_MAX_WORDS - 1] = 0x8000000000000000ULL;
	err = bpf_iter_bits_new(&it, words, BITS_MAX_WORDS);
	while ((bit = bpf_iter_bits_next(&it))) {
		last = *bit;
		n++;
	}
	bpf_iter_bits_destroy(&it);
	if (err)
		return err;
	return last == BITS_MAX_WORDS * 64 - 1 ? n : 100 + n;
}

SEC("syscall")
__description("nr_words == 512 is -E2BIG")
__success
__retval(-7)
int too_many_words_is_e2big(void *ctx)
{
	struct bpf_iter_bits it;
	int err;

	err = bpf_iter_bits_new(&it, words, BITS_MAX_WORDS + 1);
	bpf_iter_bits_destroy(&it);
	return err;
}

char _license[] SEC("license") = "GPL";
