// SPDX-License-Identifier: GPL-2.0
/*
 * Annotations that iterconf export cannot carry over: written through a
 * macro of the case's own instead of directly above the program.
 * Contract: runner test data (runner/testdata/cli/export_errors.test).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"
#include "bpf_experimental.h"

/* the verdict and message, hidden in a macro */
#define expect_uninit_next __failure __msg("expected an initialized iter_task_vma")
/* a version-scoped verdict, hidden in a macro */
#define accepted_before_6_1 __kver_success("<6.1")

SEC("raw_tp/sys_enter")
__description("next() before new(), expectations through a macro")
expect_uninit_next
int hidden_verdict(void *ctx)
{
	struct bpf_iter_task_vma it;

	bpf_iter_task_vma_next(&it);
	return 0;
}

SEC("raw_tp/sys_enter")
__description("next() before new(), a version-scoped verdict through a macro")
__failure
accepted_before_6_1
int hidden_kver(void *ctx)
{
	struct bpf_iter_task_vma it;

	bpf_iter_task_vma_next(&it);
	return 0;
}

char _license[] SEC("license") = "GPL";
