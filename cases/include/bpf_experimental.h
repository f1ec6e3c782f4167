/* SPDX-License-Identifier: GPL-2.0 */
/*
 * iterconf: kfunc declarations for the open-coded iterators under test,
 * and the kfuncs that produce the task pointers handed to them.
 *
 * All are __weak: an object whose programs call kfuncs missing from the
 * kernel (task_vma before 6.7) still opens and its other programs still
 * load; the runner reports a program that calls a missing kfunc as
 * `unsupported` before loading it.
 */
#ifndef __ITERCONF_BPF_EXPERIMENTAL_H__
#define __ITERCONF_BPF_EXPERIMENTAL_H__

#include <bpf/bpf_helpers.h>

/* task_vma: kernel/bpf/task_iter.c, Linux 6.7+ */
extern int bpf_iter_task_vma_new(struct bpf_iter_task_vma *it,
				 struct task_struct *task, __u64 addr) __weak __ksym;
extern struct vm_area_struct *bpf_iter_task_vma_next(struct bpf_iter_task_vma *it) __weak __ksym;
extern void bpf_iter_task_vma_destroy(struct bpf_iter_task_vma *it) __weak __ksym;

/* num: kernel/bpf/bpf_iter.c, Linux 6.4+ */
extern int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end) __weak __ksym;
extern int *bpf_iter_num_next(struct bpf_iter_num *it) __weak __ksym;
extern void bpf_iter_num_destroy(struct bpf_iter_num *it) __weak __ksym;

/* bits: kernel/bpf/helpers.c, Linux 6.11+ (the words pointer is __ign: not checked) */
extern int bpf_iter_bits_new(struct bpf_iter_bits *it, const __u64 *unsafe_ptr__ign,
			     __u32 nr_words) __weak __ksym;
extern int *bpf_iter_bits_next(struct bpf_iter_bits *it) __weak __ksym;
extern void bpf_iter_bits_destroy(struct bpf_iter_bits *it) __weak __ksym;

/* task: kernel/bpf/task_iter.c, Linux 6.7+ (RCU-protected; task__nullable may be NULL) */
extern int bpf_iter_task_new(struct bpf_iter_task *it, struct task_struct *task__nullable,
			     unsigned int flags) __weak __ksym;
extern struct task_struct *bpf_iter_task_next(struct bpf_iter_task *it) __weak __ksym;
extern void bpf_iter_task_destroy(struct bpf_iter_task *it) __weak __ksym;

/* css, css_task: kernel/bpf/cgroup_iter.c, kernel/bpf/task_iter.c, Linux 6.7+ */
extern int bpf_iter_css_new(struct bpf_iter_css *it, struct cgroup_subsys_state *start,
			    unsigned int flags) __weak __ksym;
extern struct cgroup_subsys_state *bpf_iter_css_next(struct bpf_iter_css *it) __weak __ksym;
extern void bpf_iter_css_destroy(struct bpf_iter_css *it) __weak __ksym;
extern int bpf_iter_css_task_new(struct bpf_iter_css_task *it, struct cgroup_subsys_state *css,
				 unsigned int flags) __weak __ksym;
extern struct task_struct *bpf_iter_css_task_next(struct bpf_iter_css_task *it) __weak __ksym;
extern void bpf_iter_css_task_destroy(struct bpf_iter_css_task *it) __weak __ksym;

/* kmem_cache: mm/slab_common.c, Linux 6.13+; dmabuf: drivers/dma-buf, Linux 6.16+ (sleepable) */
extern int bpf_iter_kmem_cache_new(struct bpf_iter_kmem_cache *it) __weak __ksym;
extern struct kmem_cache *bpf_iter_kmem_cache_next(struct bpf_iter_kmem_cache *it) __weak __ksym;
extern void bpf_iter_kmem_cache_destroy(struct bpf_iter_kmem_cache *it) __weak __ksym;
extern int bpf_iter_dmabuf_new(struct bpf_iter_dmabuf *it) __weak __ksym;
extern struct dma_buf *bpf_iter_dmabuf_next(struct bpf_iter_dmabuf *it) __weak __ksym;
extern void bpf_iter_dmabuf_destroy(struct bpf_iter_dmabuf *it) __weak __ksym;

/* cgroup references: kernel/bpf/helpers.c */
extern struct cgroup *bpf_cgroup_from_id(u64 cgid) __weak __ksym;
extern void bpf_cgroup_release(struct cgroup *cgrp) __weak __ksym;

/* task references and RCU sections: kernel/bpf/helpers.c */
extern struct task_struct *bpf_task_from_pid(s32 pid) __weak __ksym;
extern struct task_struct *bpf_task_acquire(struct task_struct *p) __weak __ksym;
extern void bpf_task_release(struct task_struct *p) __weak __ksym;
extern void bpf_rcu_read_lock(void) __weak __ksym;
extern void bpf_rcu_read_unlock(void) __weak __ksym;

/*
 * bpf_for_each(kind, cur, args...): walk an open-coded iterator declared
 * in the loop header; the iterator is destroyed when the loop is left by
 * any path (cleanup attribute), so break and return are safe. libbpf >= 1.2
 * defines it in bpf_helpers.h; this one is for older headers. The
 * `(void)bpf_iter_<kind>_destroy` keeps a reference clang emits BTF for: a
 * function named only in cleanup() gets none, and libbpf then fails with
 * "failed to find BTF for extern".
 */
#ifndef bpf_for_each
#define bpf_for_each(kind, cur, args...)						\
	for (struct bpf_iter_##kind ___it						\
		     __attribute__((aligned(8), cleanup(bpf_iter_##kind##_destroy))),	\
	     *___once __attribute__((unused)) =					\
		     (bpf_iter_##kind##_new(&___it, ##args),				\
		      (void)bpf_iter_##kind##_destroy, (void *)0);			\
	     ((cur) = bpf_iter_##kind##_next(&___it));)
#endif

#endif /* __ITERCONF_BPF_EXPERIMENTAL_H__ */
