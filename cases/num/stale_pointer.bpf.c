// SPDX-License-Identifier: GPL-2.0
/*
 * num: the int * from bpf_iter_num_next() after destroy().
 * Contract: the pointer next() returns points into the iterator and lives
 * as long as the iterator: destroy() ends it, and a dereference afterwards
 * is refused (it has become an unknown scalar). Before destroy() it may be
 * read, also after next() has returned NULL.
 * Enforced by: kernel/bpf/verifier.c process_iter_arg() (the iterator's
 * reference recorded for the call: update_ref_obj(); ref_obj_id on 6.12),
 * check_kfunc_call() (PTR_TO_MEM result tied to it: parent_id; ref_obj_id
 * on 6.12), unmark_stack_slots_iter() -> release_reference() (registers
 * tied to the iterator -> mark_reg_invalid()), check_mem_access()
 * ("R%d invalid mem access 'scalar'").
 * Applies: every kernel with the kfunc (6.4+); older kernels -> unsupported (automatic).
 * History: the tie is as old as the num iterator (6.4: ref_obj_id); 2026
 * mainline expresses it with parent_id. These programs exist to kill
 * arg-ref-obj-dropped and release-children-kept of images/mutants.toml
 * (the generated corpus's default bound of 3 operations cannot hold new,
 * next, destroy and a read).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"
#include "bpf_experimental.h"

SEC("raw_tp/sys_enter")
__description("the pointer from next() dereferenced after destroy()")
__failure
__msg("R{{[0-9]+}} invalid mem access 'scalar'")
int pointer_read_after_destroy(void *ctx)
{
	struct bpf_iter_num it;
	int *v;

	bpf_iter_num_new(&it, 0, 3);
	v = bpf_iter_num_next(&it);
	bpf_iter_num_destroy(&it);
	if (!v)
		return 0;
	return *v;
}

SEC("raw_tp/sys_enter")
__description("the pointer from next() dereferenced before destroy()")
__success
int pointer_read_before_destroy(void *ctx)
{
	struct bpf_iter_num it;
	int *v, r = 0;

	bpf_iter_num_new(&it, 0, 3);
	v = bpf_iter_num_next(&it);
	if (v)
		r = *v;
	bpf_iter_num_destroy(&it);
	return r;
}

char _license[] SEC("license") = "GPL";
