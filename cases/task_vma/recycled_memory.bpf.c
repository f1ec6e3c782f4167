// SPDX-License-Identifier: GPL-2.0
/*
 * task_vma: a new iterator owes nothing to the memory it was given.
 * Contract: bpf_iter_task_vma_new() takes its state from bpf_global_ma, the
 * allocator that other kfuncs hand back to BPF programs, and must not trust
 * what a previous owner left there: next() and destroy() drop the snapshot's
 * file reference (fput) only when new() or next() put one there. Here a bits
 * iterator of exactly the task_vma state's size, filled with a non-canonical
 * pointer (the x86-64 poison 0xdead000000000000), is destroyed just before
 * new(), so the per-CPU free list (LIFO) hands its object to new(). A kernel
 * whose new() leaves the old bytes in snapshot.vm_file fput()s the poison in
 * the first next(): a general protection fault in the guest.
 * Enforced by: kernel/bpf/task_iter.c bpf_iter_task_vma_new()
 * ("kit->data->snapshot.vm_file = NULL"), bpf_iter_task_vma_snapshot_reset();
 * kernel/bpf/helpers.c bpf_iter_bits_new() (bpf_mem_alloc(&bpf_global_ma,
 * nr_words * 8) for more than one word) and bpf_iter_bits_destroy()
 * (bpf_mem_free: immediate reuse).
 * Applies: kernels with both kfuncs (bits 6.11+); older kernels ->
 * unsupported (automatic). The state's size comes from the kernel's BTF
 * (CO-RE), so the bucket matches on every build; a kernel whose BTF lacks
 * struct bpf_iter_task_vma_kern_data returns -2 (a mismatch, not a silent
 * pass). The __retval runs in guests only (SEC("syscall"),
 * BPF_PROG_TEST_RUN); on the host only the verdict is checked.
 * History: the snapshot (a copy of the VMA with its own file reference) is
 * the 2026 rework of next(); before it the state held a vma_iterator, which
 * new() initialises whole, and this program only walks. It exists to kill
 * vma-new-snapshot-file-uninit of images/mutants.toml.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "bpf_misc.h"
#include "bpf_experimental.h"

#define BITS_MAX_WORDS 511
#define POISON 0xdead000000000000ULL

/* Only the name matters: a CO-RE type size relocation matches it by name. */
struct bpf_iter_task_vma_kern_data___iterconf {
	struct task_struct *task;
};

__u64 poison[BITS_MAX_WORDS] = {[0 ... BITS_MAX_WORDS - 1] = POISON};

SEC("syscall")
__description("new() in memory a destroyed bits iterator filled with a poison pointer")
__success
__retval(0)
int new_in_poisoned_memory(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct bpf_iter_task_vma it;
	struct bpf_iter_bits bits;
	struct vm_area_struct *vma;
	__u32 size, nr_words;
	int round, walked = 0, err;

	if (!bpf_core_type_exists(struct bpf_iter_task_vma_kern_data___iterconf))
		return -2;
	size = bpf_core_type_size(struct bpf_iter_task_vma_kern_data___iterconf);
	nr_words = size / 8;
	if (nr_words < 2 || nr_words > BITS_MAX_WORDS)
		return -3;

	/* a few rounds, in case an allocator refill lands between free and alloc */
	for (round = 0; round < 4; round++) {
		err = bpf_iter_bits_new(&bits, poison, nr_words);
		bpf_iter_bits_destroy(&bits);
		if (err)
			return err;
		bpf_iter_task_vma_new(&it, task, 0);
		vma = bpf_iter_task_vma_next(&it);
		if (vma)
			walked++;
		bpf_iter_task_vma_destroy(&it);
	}
	return walked == 4 ? 0 : 1;
}

char _license[] SEC("license") = "GPL";
