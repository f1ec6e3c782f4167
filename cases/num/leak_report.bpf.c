// SPDX-License-Identifier: GPL-2.0
/*
 * num and task_vma: the words and numbers of a missing-destroy report.
 * Contract: a program that exits with a live iterator is refused with
 * "Unreleased reference id=N alloc_insn=I", N being the reference id the
 * verifier gave the iterator's new(). Ids are handed out in program order
 * along the path, one by each new() and one by each next() (its maybe-NULL
 * result gets an id before the ACTIVE/DRAINED split), so with new(a), next(a),
 * destroy(a), new(b) the leaked b is id=3. Newer kernels add the line
 * "BPF_EXIT instruction in main prog would lead to reference leak".
 * Enforced by: kernel/bpf/verifier.c check_reference_leak(),
 * check_resource_leak() ("%s would lead to reference leak"),
 * mark_stack_slots_iter() (acquire_reference), check_kfunc_call()
 * (KF_RET_NULL: regs[BPF_REG_0].id = ++env->id_gen).
 * Applies: every kernel with the kfunc (6.4+); older kernels -> unsupported
 * (automatic). The second line: measured on 6.18.44 and 7.2.13, absent from
 * 6.12.y; check_resource_leak() came around 6.13/6.14 (release not pinned,
 * first worded "BPF_EXIT instruction", later "... in main prog"), so it is
 * claimed from 6.18 on only.
 * History: these programs exist to kill leak-suffix-dropped,
 * flags-num-next-no-ret-null and flags-vma-next-no-ret-null of
 * images/mutants.toml (the id numbering is the only trace of KF_RET_NULL on
 * an iterator's next()).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"
#include "bpf_experimental.h"

SEC("raw_tp/sys_enter")
__description("new(a), next(a), destroy(a), new(b), exit: b is reference id=3")
__failure
__msg("Unreleased reference id=3 alloc_insn={{[0-9]+}}")
int leaked_second_iterator_is_id_3(void *ctx)
{
	struct bpf_iter_num a, b;

	bpf_iter_num_new(&a, 0, 3);
	bpf_iter_num_next(&a);
	bpf_iter_num_destroy(&a);
	bpf_iter_num_new(&b, 0, 3);
	return 0;
}

SEC("raw_tp/sys_enter")
__description("task_vma: new(a), next(a), destroy(a), new(b), exit: b is reference id=3")
__failure
__msg("Unreleased reference id=3 alloc_insn={{[0-9]+}}")
int leaked_second_task_vma_iterator_is_id_3(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct bpf_iter_task_vma a, b;

	bpf_iter_task_vma_new(&a, task, 0);
	bpf_iter_task_vma_next(&a);
	bpf_iter_task_vma_destroy(&a);
	bpf_iter_task_vma_new(&b, task, 0);
	return 0;
}

SEC("raw_tp/sys_enter")
__description("a missing destroy() is reported as a leak at the main program's exit")
__failure
__msg("Unreleased reference id={{[0-9]+}} alloc_insn={{[0-9]+}}")
__kver_msg(">=6.18", "BPF_EXIT instruction{{( in main prog)?}} would lead to reference leak")
int leak_reported_at_main_exit(void *ctx)
{
	struct bpf_iter_num it;

	bpf_iter_num_new(&it, 0, 3);
	return 0;
}

char _license[] SEC("license") = "GPL";
