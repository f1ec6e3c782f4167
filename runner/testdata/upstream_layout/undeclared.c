// SPDX-License-Identifier: GPL-2.0
/*
 * A misspelled kfunc that is not declared anywhere: an implicit function
 * declaration, which is a compile error naming the file (never a program
 * judged `unsupported`).
 * Contract: runner test data.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"
#include "bpf_experimental.h"

SEC("raw_tp/sys_enter")
__success
int typo(void *ctx)
{
	struct bpf_iter_task_vma it;

	bpf_iter_task_vam_new(&it, bpf_get_current_task_btf(), 0);
	bpf_iter_task_vma_destroy(&it);
	return 0;
}

char _license[] SEC("license") = "GPL";
