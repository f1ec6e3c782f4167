// SPDX-License-Identifier: GPL-2.0
/*
 * Test input for the runner: a kfunc no kernel has, nothing like any known
 * name. A harness error without a suggestion, never `unsupported`.
 * Contract: runner test data, not part of the corpus.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"

extern int iterconf_no_such_kfunc_anywhere(int x) __ksym;

SEC("raw_tp/sys_enter")
__description("calls a kfunc that exists nowhere")
__success
int calls_nothing_real(void *ctx)
{
	return iterconf_no_such_kfunc_anywhere(1);
}

char _license[] SEC("license") = "GPL";
