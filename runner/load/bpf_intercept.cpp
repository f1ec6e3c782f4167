// The bpf() calls libbpf makes, seen on their way to the kernel: what lets
// load_programs_on_host() load every program of a case object in one libbpf
// pass and still judge each program by itself (runner/load/loader.hpp).
//
// libbpf (1.1, shared) makes every bpf() call through libc's syscall(); an
// executable that defines syscall() is where the dynamic linker binds that
// call, so this definition sees them all and hands each to the calling
// thread's hook, if one is set, before forwarding it to libc's syscall().
// Linked into the host binaries only (iterconf, the host tests); without it
// (the static guest agent) bpf_intercept_linked() is false and the loader
// loads each program alone, as before.
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

extern "C" long syscall(long number, ...) {
    va_list ap;
    va_start(ap, number);
    long a[6];
    for (long& x : a)
        x = va_arg(ap, long);
    va_end(ap);
    using Real = long (*)(long, ...);
    static Real real = reinterpret_cast<Real>(dlsym(RTLD_NEXT, "syscall"));
    if (!real) {
        std::fputs("iterconf: internal error: libc's syscall() not found (dlsym)\n", stderr);
        std::abort();
    }
    if (number == SYS_bpf) {
        if (iterconf::load::BpfHook* hook = iterconf::load::bpf_hook()) {
            long ret = 0;
            if ((*hook)(static_cast<int>(a[0]), reinterpret_cast<union bpf_attr*>(a[1]),
                        static_cast<unsigned>(a[2]), ret,
                        [&] { return real(number, a[0], a[1], a[2]); }))
                return ret;
        }
    }
    return real(number, a[0], a[1], a[2], a[3], a[4], a[5]);
}
