// SPDX-License-Identifier: GPL-2.0
/*
 * num: iterator addresses the stack-slot computation must refuse.
 * Contract: an iterator is a run of whole 8-byte slots of the frame: its
 * address is the frame pointer plus a constant, negative, 8-aligned offset.
 * A variable offset (an array of iterators indexed at run time) and the
 * frame pointer itself (fp+0, the first byte above the frame) are not
 * iterator addresses.
 * Enforced by: kernel/bpf/verifier.c stack_slot_obj_get_spi() via
 * iter_get_spi() ("%s has to be at a constant offset"; "cannot pass in %s
 * at an offset=%d"), then process_iter_arg() ("expected an initialized
 * iter_%s as %s").
 * Applies: every kernel with the kfunc (6.4+); older kernels -> unsupported
 * (automatic). fp+0: see History.
 * History: the constant-offset check is as old as the iterators (6.4).
 * Before 2026 the offset check was only "off % BPF_REG_SIZE" and spi was
 * (-off - 1) / 8, so fp+0 computes spi 0 (truncating division) and
 * aliases the fp-8 slot; 7.2.13 has "if (off >= 0 || off % BPF_REG_SIZE)"
 * (it came with the 2026 stack-argument work, commit not pinned). What an
 * older kernel does with next(fp+0) is recorded per kernel below. These
 * programs exist to kill slot-var-offset-accepted and
 * slot-offset-zero-accepted of images/mutants.toml.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"
#include "bpf_experimental.h"

SEC("raw_tp/sys_enter")
__description("new() on an array element of iterators picked at run time")
__failure
__msg("iter has to be at a constant offset")
int new_at_variable_offset(void *ctx)
{
	struct bpf_iter_num its[2];
	__u32 i = bpf_get_prandom_u32() & 1;

	bpf_iter_num_new(&its[i], 0, 3);
	bpf_iter_num_next(&its[i]);
	bpf_iter_num_destroy(&its[i]);
	return 0;
}

SEC("raw_tp/sys_enter")
__description("next() on fp+0 while an iterator lives at fp-8")
__failure
__msg("cannot pass in iter at an offset=0")
__naked int next_at_frame_pointer(void *ctx)
{
	asm volatile("r1 = r10;"
		     "r1 += -8;"
		     "r2 = 0;"
		     "r3 = 3;"
		     "call %[bpf_iter_num_new];"
		     "r1 = r10;"
		     "call %[bpf_iter_num_next];"
		     "r1 = r10;"
		     "r1 += -8;"
		     "call %[bpf_iter_num_destroy];"
		     "r0 = 0;"
		     "exit;"
		     :
		     : [bpf_iter_num_new] "i"(bpf_iter_num_new),
		       [bpf_iter_num_next] "i"(bpf_iter_num_next),
		       [bpf_iter_num_destroy] "i"(bpf_iter_num_destroy)
		     : "r0", "r1", "r2", "r3", "r4", "r5", "memory");
}

char _license[] SEC("license") = "GPL";
