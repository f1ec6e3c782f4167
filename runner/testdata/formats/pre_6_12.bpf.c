// SPDX-License-Identifier: GPL-2.0
/*
 * Tag format of upstream bpf_misc.h before 6.12: "comment:<key>[=<value>]",
 * no counter; the order is the BTF order.
 * Contract: runner test data (contract 1, every tag format), not corpus.
 */
#define TAG(s)		__attribute__((btf_decl_tag("comment:" s)))
#define CTAG(k, v)	TAG(k "=" v)
#include "progs.inc"
