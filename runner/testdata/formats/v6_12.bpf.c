// SPDX-License-Identifier: GPL-2.0
/*
 * Tag format of upstream bpf_misc.h from 6.12 until 2026: the keys that may
 * repeat carry __COUNTER__ inside the value, "comment:<key>=<N>=<value>";
 * the others have no counter.
 * Contract: runner test data (contract 1, every tag format), not corpus.
 */
#define __XSTR(s)	__STR(s)
#define __STR(s)	#s
#define TAG(s)		__attribute__((btf_decl_tag("comment:" s)))
#define CTAG(k, v)	TAG(k "=" __XSTR(__COUNTER__) "=" v)
#include "progs.inc"
