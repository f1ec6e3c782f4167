// SPDX-License-Identifier: GPL-2.0
/*
 * Test input for the runner: a known kfunc that the host kernel's BTF lacks
 * (the selftests' bpf_testmod module is not loaded on a host or a guest), so
 * the program is `unsupported` with a positive reason: the message says why
 * the name is known (images/kfuncs.txt: "in module bpf_testmod").
 * Contract: runner test data, not part of the corpus.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"

struct bpf_iter_testmod_seq {
	__s64 value;
	int cnt;
};

extern int bpf_iter_testmod_seq_new(struct bpf_iter_testmod_seq *it, __s64 value,
				    int cnt) __ksym;
extern __s64 *bpf_iter_testmod_seq_next(struct bpf_iter_testmod_seq *it) __ksym;
extern void bpf_iter_testmod_seq_destroy(struct bpf_iter_testmod_seq *it) __ksym;

SEC("raw_tp/sys_enter")
__description("module iterator, module not loaded")
__success
int testmod_seq_sum(void *ctx)
{
	struct bpf_iter_testmod_seq it;
	__s64 *v, sum = 0;

	bpf_iter_testmod_seq_new(&it, 1, 3);
	while ((v = bpf_iter_testmod_seq_next(&it)))
		sum += *v;
	bpf_iter_testmod_seq_destroy(&it);
	return sum;
}

char _license[] SEC("license") = "GPL";
