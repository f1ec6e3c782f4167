// SPDX-License-Identifier: GPL-2.0
/*
 * Tag format of upstream bpf_misc.h since 2026 (and of iterconf's own):
 * __COUNTER__ before every key, "comment:<N>:<key>[=<value>]".
 * Contract: runner test data (contract 1, every tag format), not corpus.
 */
#define __XSTR(s)	__STR(s)
#define __STR(s)	#s
#define TAG(s)		__attribute__((btf_decl_tag("comment:" __XSTR(__COUNTER__) ":" s)))
#define CTAG(k, v)	TAG(k "=" v)
#include "progs.inc"
