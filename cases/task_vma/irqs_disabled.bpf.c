// SPDX-License-Identifier: GPL-2.0
/*
 * task_vma: new() with interrupts disabled.
 * Contract: bpf_iter_task_vma_new() refuses to run with IRQs disabled
 * (returns -EBUSY, sets the iterator up as failed: next() yields nothing and
 * destroy() is a no-op): the per-VMA lock, fput() and mmput_async() it needs
 * may take spinlocks that a context with IRQs off (NMI, perf_event, a
 * tracepoint under a spinlock, bpf_local_irq_save()) could already hold.
 * Enforced by: kernel/bpf/task_iter.c bpf_iter_task_vma_new()
 * ("if (irqs_disabled()) ... return -EBUSY").
 * Applies: kernels with the 2026 task_vma fix series (d8e27d2d22b6 "bpf: fix
 * mm lifecycle in open-coded task_vma iterator", 7.1, stable 7.0.y, 6.18.y,
 * 6.12.y) and bpf_local_irq_save() (6.14+); older kernels -> unsupported
 * (automatic) for want of bpf_local_irq_save(). The __retval runs in guests
 * only (SEC("syscall"), BPF_PROG_TEST_RUN).
 * History: before d8e27d2d22b6 new() took mmap_read_trylock() and deferred
 * the unlock to irq_work when IRQs were off, so it could succeed here. This
 * program exists to kill vma-new-irqs-check-dropped of images/mutants.toml.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"
#include "bpf_experimental.h"

SEC("syscall")
__description("new() between bpf_local_irq_save() and _restore() returns -EBUSY")
__success
__retval(-16)
int new_with_irqs_disabled_is_ebusy(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct bpf_iter_task_vma it;
	unsigned long flags;
	int err;

	bpf_local_irq_save(&flags);
	err = bpf_iter_task_vma_new(&it, task, 0);
	if (bpf_iter_task_vma_next(&it))
		err = 1;
	bpf_iter_task_vma_destroy(&it);
	bpf_local_irq_restore(&flags);
	return err;
}

char _license[] SEC("license") = "GPL";
