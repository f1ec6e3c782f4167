// SPDX-License-Identifier: GPL-2.0
/*
 * num: reading the slot of a destroyed iterator.
 * Contract: destroy() gives the iterator's slots back as uninitialized stack
 * (STACK_INVALID), not as data: a program may read them only where reading
 * uninitialized stack is allowed, i.e. with CAP_PERFMON (root here); with
 * CAP_BPF alone the read is refused.
 * Enforced by: kernel/bpf/verifier.c unmark_stack_slots_iter() (slot_type
 * STACK_INVALID), check_stack_read_fixed_off() / check_stack_range_initialized()
 * ("invalid read from stack off %d+%d size %d" unless env->allow_uninit_stack).
 * Applies: every kernel with the kfunc (6.4+); older kernels -> unsupported
 * (automatic). The CAP_BPF-only pass runs in guests only (uid 65534 with
 * CAP_BPF; a socket filter loads with it); on the host it is unchecked.
 * History: allow_uninit_stack follows CAP_PERFMON since 5.8 (CAP_BPF split).
 * This program exists to kill unmark-slot-misc of images/mutants.toml
 * (destroyed slots marked STACK_MISC, readable by anyone).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"
#include "bpf_experimental.h"

SEC("socket")
__description("read a destroyed iterator's slot: root may, CAP_BPF alone may not")
__success
__iterconf_tag("test_expect_failure_unpriv")
__iterconf_tag("test_expect_msg_unpriv=invalid read from stack")
__iterconf_tag("test_caps_unpriv=39")
int read_destroyed_slot(void *ctx)
{
	struct bpf_iter_num it;
	__u64 bytes;

	bpf_iter_num_new(&it, 0, 3);
	bpf_iter_num_destroy(&it);
	bytes = *(volatile __u64 *)&it;
	return bytes & 1;
}

char _license[] SEC("license") = "GPL";
