// SPDX-License-Identifier: GPL-2.0
/* Does not compile. Contract: runner test data. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("raw_tp/sys_enter")
int broken_prog(void *ctx)
{
	return undeclared_variable;
}

char _license[] SEC("license") = "GPL";
