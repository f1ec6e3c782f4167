// The bpf() calls libbpf makes, seen on their way to the kernel: what lets
// load_programs_on_host() load every program of a case object in one libbpf
// pass and still judge each program by itself (runner/load/loader.hpp).
//
// libbpf makes every bpf() call through libc's syscall(); a program that
// defines syscall() itself is where those calls arrive (the dynamic linker
// binds libbpf.so's call to the executable's definition, and a static link
// takes it instead of libc's), so this definition sees them all and hands
// each to the calling thread's hook, if one is set, before making the call
// itself. Linked into iterconf, the host tests and the guest agent; without
// it bpf_intercept_linked() is false and the loader loads each program
// alone.
#include "load/loader.hpp"

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <dlfcn.h>
#include <sys/syscall.h>

extern "C" int iterconf_bpf_intercept_linked() {
    return 1;
}

namespace {

// The system call itself (libc's syscall() is the one this file replaces).
long real_syscall(long n, long a1, long a2, long a3, long a4, long a5, long a6) {
#if defined(__x86_64__)
    long ret;
    register long r10 __asm__("r10") = a4;
    register long r8 __asm__("r8") = a5;
    register long r9 __asm__("r9") = a6;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(n), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    if (ret < 0 && ret > -4096) {
        errno = static_cast<int>(-ret);
        return -1;
    }
    return ret;
#else
    using Real = long (*)(long, ...);
    static Real real = reinterpret_cast<Real>(dlsym(RTLD_NEXT, "syscall"));
    if (!real) {
        std::fputs("iterconf: internal error: libc's syscall() not found (dlsym)\n", stderr);
        std::abort();
    }
    return real(n, a1, a2, a3, a4, a5, a6);
#endif
}

} // namespace

extern "C" long syscall(long number, ...) {
    va_list ap;
    va_start(ap, number);
    long a[6];
    for (long& x : a)
        x = va_arg(ap, long);
    va_end(ap);
    if (number == SYS_bpf) {
        if (iterconf::load::BpfHook* hook = iterconf::load::bpf_hook()) {
            long ret = 0;
            if ((*hook)(static_cast<int>(a[0]), reinterpret_cast<union bpf_attr*>(a[1]),
                        static_cast<unsigned>(a[2]), ret,
                        [&] { return real_syscall(number, a[0], a[1], a[2], 0, 0, 0); }))
                return ret;
        }
    }
    return real_syscall(number, a[0], a[1], a[2], a[3], a[4], a[5]);
}
