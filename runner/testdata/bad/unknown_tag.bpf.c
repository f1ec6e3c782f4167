// SPDX-License-Identifier: GPL-2.0
/* An annotation key nobody knows (a typo of test_expect_msg). Contract: runner test data. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"

SEC("raw_tp/sys_enter")
__failure
__attribute__((btf_decl_tag("comment:99:test_expect_mgs=oops")))
int typo_prog(void *ctx)
{
	return 0;
}

char _license[] SEC("license") = "GPL";
