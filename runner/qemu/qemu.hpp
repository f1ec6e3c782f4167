// One qemu-system-x86_64 process: a guest booted from a kernel image and
// the project's initramfs, console on ttyS0 (appended to a file), results
// on ttyS1 (a file of its own), stdin detached, no display, no reboot.
#pragma once

#include "common/result.hpp"

#include <string>
#include <sys/types.h>
#include <vector>

namespace iterconf::qemu {

struct BootSpec {
    std::string qemu = "qemu-system-x86_64";
    std::string kernel;      // bzImage (or an ELF vmlinux with a PVH note)
    std::string initrd;      // cpio
    std::string append;      // kernel command line
    std::string console;     // ttyS0, appended to
    std::string channel;     // ttyS1, truncated
    std::string stderr_path; // QEMU's own messages
    std::string accel = "tcg";
    std::string cpu; // -cpu; default: "host" under KVM, k_tcg_cpu under TCG
    int memory_mb = 1024;
    int cpus = 1;
};

// The CPU model under TCG. QEMU 7.2's TCG corrupts EFLAGS in cmpxchg16b
// (the RAX bits leak into the flags), which double-faults SLUB's lockless
// fast path in the guest at random; without cx16 the kernel takes the
// locked path. Override with ITERCONF_QEMU_CPU.
extern const char* const k_tcg_cpu;

// Checks that `path` looks like a bootable x86 kernel: a bzImage whose
// boot header ("HdrS") is intact and whose size covers the protected-mode
// part it announces, or an ELF image. The error names what is wrong.
Result<void> check_kernel_image(const std::string& path);

// The argv QEMU is started with (for messages and reproduce lines).
std::vector<std::string> qemu_argv(const BootSpec& spec);

class Qemu {
  public:
    Qemu() = default;
    Qemu(const Qemu&) = delete;
    Qemu& operator=(const Qemu&) = delete;
    ~Qemu();

    Result<void> start(const BootSpec& spec);
    // True once the process has exited (or was killed); `status` is its
    // wait status.
    bool exited(int* status = nullptr);
    // SIGKILL and reap (no-op when it has exited).
    void kill();
    // Whether it ended by kill() rather than on its own.
    bool killed() const { return m_killed; }
    pid_t pid() const { return m_pid; }

  private:
    pid_t m_pid = -1;
    int m_status = 0;
    bool m_done = false;
    bool m_killed = false;
};

// Whether QEMU can be found.
bool have_qemu(const std::string& qemu);

} // namespace iterconf::qemu
