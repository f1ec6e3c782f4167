/* SPDX-License-Identifier: GPL-2.0 */
/*
 * iterconf annotation macros (contract 1, see cases/README.md).
 *
 * Each annotation becomes a BTF decl tag on the program's FUNC, of the
 * form "comment:<n>:<key>[=<value>]", where <n> is __COUNTER__ so that the
 * runner can restore the order in which the annotations were written
 * (clang does not keep attribute order). The keys are those of the kernel
 * selftests' test_loader, so objects built against upstream's bpf_misc.h
 * parse the same way; the iterconf_* keys are our version-scoped
 * extensions.
 */
#ifndef __ITERCONF_BPF_MISC_H__
#define __ITERCONF_BPF_MISC_H__

#define __ITERCONF_STR(x) #x
#define __ITERCONF_XSTR(x) __ITERCONF_STR(x)
#define __iterconf_tag(tag) \
	__attribute__((btf_decl_tag("comment:" __ITERCONF_XSTR(__COUNTER__) ":" tag)))

/* verdict on every kernel that has the kfuncs the program calls */
#define __success		__iterconf_tag("test_expect_success")
#define __failure		__iterconf_tag("test_expect_failure")
/* a verifier log line contains msg; several match in order; {{re}} = ERE */
#define __msg(msg)		__iterconf_tag("test_expect_msg=" msg)
/* msg must not appear between the surrounding __msg matches */
#define __not_msg(msg)		__iterconf_tag("test_expect_not_msg=" msg)
#define __description(desc)	__iterconf_tag("test_description=" desc)
#define __retval(val)		__iterconf_tag("test_retval=" #val)
#define __log_level(lvl)	__iterconf_tag("test_log_level=" #lvl)
#define __flag(flag)		__iterconf_tag("test_prog_flags=" #flag)
#define __auxiliary		__iterconf_tag("test_auxiliary")

/*
 * Version-scoped extensions. range: ">=X.Y", "<X.Y" or both separated by
 * a space (">=6.12 <7.1"), matched against the kernel release.
 */
#define __kver_msg(range, msg)	__iterconf_tag("iterconf_kver_msg=[" range "]" msg)
#define __kver_success(range)	__iterconf_tag("iterconf_kver_success=" range)
#define __kver_failure(range)	__iterconf_tag("iterconf_kver_failure=" range)
/* guests only: run N times against fresh children; memory must not grow (cases/README.md) */
#define __leak_check(n)		__iterconf_tag("iterconf_leak_check=" #n)
#define __leak_check_zombie(n)	__iterconf_tag("iterconf_leak_check=zombie " #n)

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif
#ifndef __noinline
#define __noinline __attribute__((noinline))
#endif
#define __naked __attribute__((naked))

#endif /* __ITERCONF_BPF_MISC_H__ */
