// SPDX-License-Identifier: GPL-2.0
/*
 * Expectations that are wrong on purpose, for the guest checks of __retval
 * and of the unprivileged pass: each program must come out as a mismatch
 * with the reason given, except retval_not_runnable, whose __retval cannot
 * be checked and is listed in the record's `unchecked`.
 * Contract: runner test data (qemu.formats), not corpus.
 */
#define __XSTR(s)	__STR(s)
#define __STR(s)	#s
#define TAG(s)		__attribute__((btf_decl_tag("comment:" __XSTR(__COUNTER__) ":" s)))
#define SEC(name)	__attribute__((section(name), used))
#define __success		TAG("test_expect_success")
#define __success_unpriv	TAG("test_expect_success_unpriv")
#define __retval(v)		TAG("test_retval=" __XSTR(v))
#define __retval_unpriv(v)	TAG("test_retval_unpriv=" __XSTR(v))

/* returns 0, not 1: "__retval: expected 1, the program returned 0" */
SEC("?syscall")
__success __retval(1)
int retval_wrong(void *ctx)
{
	return 0;
}

/* the context pointer as return value: refused unprivileged */
SEC("?socket")
__success __success_unpriv
int unpriv_wrong(void *skb)
{
	return (long)skb;
}

/* accepted unprivileged, but the unprivileged run returns 0, not 2 */
SEC("?socket")
__success __retval(0) __retval_unpriv(2)
int unpriv_retval_wrong(void *skb)
{
	return 0;
}

/* tracing programs are not run by BPF_PROG_TEST_RUN here: unchecked */
SEC("?tp_btf/sys_enter")
__success __retval(0)
int retval_not_runnable(void *ctx)
{
	return 0;
}

char _license[] SEC("license") = "GPL";
