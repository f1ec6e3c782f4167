// SPDX-License-Identifier: GPL-2.0
/* A version range without an operator. Contract: runner test data. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"

SEC("raw_tp/sys_enter")
__success
__kver_failure("6.9")
int bad_range_prog(void *ctx)
{
	return 0;
}

char _license[] SEC("license") = "GPL";
