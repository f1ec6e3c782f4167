// SPDX-License-Identifier: GPL-2.0
/*
 * Not a case: a BTF for `ITERCONF_HOST_BTF` (testdata/cli/kernels_kinds.test)
 * with iterator kfuncs of the shape the kernel registers
 * (btf_check_iter_kfuncs: bpf_iter_<kind>_{new,next,destroy}, the
 * iterator first): a known kind, a known kind of the wrong size, a kind the
 * table does not know and a partial triple.
 */
typedef unsigned long long u64;

#define KIND(name, words)                                                        \
	struct bpf_iter_##name {                                                 \
		u64 __opaque[words];                                             \
	};                                                                       \
	__attribute__((noinline)) int bpf_iter_##name##_new(struct bpf_iter_##name *it) \
	{                                                                        \
		it->__opaque[0] = 0;                                             \
		return 0;                                                        \
	}                                                                        \
	__attribute__((noinline)) int *bpf_iter_##name##_next(struct bpf_iter_##name *it) \
	{                                                                        \
		return (int *)it->__opaque[0];                                   \
	}

#define DESTROY(name)                                                            \
	__attribute__((noinline)) void bpf_iter_##name##_destroy(struct bpf_iter_##name *it) \
	{                                                                        \
		it->__opaque[0] = 1;                                             \
	}

KIND(num, 1)
DESTROY(num)
KIND(bits, 3) /* the table says 16 bytes */
DESTROY(bits)
KIND(foo, 2) /* unknown to the table */
DESTROY(foo)
KIND(half, 1) /* no destroy */
