// SPDX-License-Identifier: GPL-2.0
/*
 * Test input for the runner: attach targets no kernel has. An lsm hook
 * name that exists nowhere and a misspelled fentry target must stay
 * load_error (a mismatch, exit 1), never `unsupported`: only a known hook
 * absent from a kernel (no CONFIG_BPF_LSM) is unsupported.
 * Contract: runner test data, not part of the corpus.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "bpf_misc.h"

SEC("lsm/iterconf_no_such_hook")
__description("lsm hook that exists on no kernel")
__success
int BPF_PROG(no_such_hook)
{
	return 0;
}

SEC("fentry/bpf_fentry_tset1")
__description("misspelled fentry target (bpf_fentry_test1)")
__success
int BPF_PROG(misspelled_fentry)
{
	return 0;
}

char _license[] SEC("license") = "GPL";
