#include "qemu/qemu.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <linux/close_range.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace iterconf::qemu {

const char* const k_tcg_cpu = "max,cx16=off";

Result<void> check_kernel_image(const std::string& path) {
    std::ifstream f(path, std::ios::binary | std::ios::ate);
    if (!f)
        return make_error(ErrorKind::input, "kernel '" + path + "'",
                          std::string("cannot read: ") + std::strerror(errno),
                          "pass a bzImage path, a manifest name or 'host'");
    auto size = static_cast<uint64_t>(f.tellg());
    std::string head(0x300, '\0');
    f.seekg(0);
    f.read(head.data(), static_cast<std::streamsize>(head.size()));
    size_t got = static_cast<size_t>(f.gcount());
    if (got >= 4 && head.compare(0, 4,
                                 "\x7f"
                                 "ELF") == 0)
        return {};
    if (got < 0x206 || head.compare(0x202, 4, "HdrS") != 0)
        return make_error(
            ErrorKind::input, "kernel '" + path + "'",
            "not an x86 bzImage (no 'HdrS' boot header)" +
                std::string(got < 0x206 ? ", only " + std::to_string(size) + " bytes" : ""),
            "pass arch/x86/boot/bzImage or /boot/vmlinuz-*");
    auto u8 = [&](size_t o) { return static_cast<uint64_t>(static_cast<unsigned char>(head[o])); };
    uint64_t setup_sects = u8(0x1f1) ? u8(0x1f1) : 4;
    uint64_t syssize = u8(0x1f4) | u8(0x1f5) << 8 | u8(0x1f6) << 16 | u8(0x1f7) << 24;
    uint64_t need = (setup_sects + 1) * 512 + syssize * 16;
    if (size < need)
        return make_error(ErrorKind::input, "kernel '" + path + "'",
                          "truncated bzImage: " + std::to_string(size) +
                              " bytes, its boot header announces " + std::to_string(need),
                          "copy the kernel image again");
    return {};
}

std::vector<std::string> qemu_argv(const BootSpec& s) {
    std::vector<std::string> a = {
        s.qemu, "-nodefaults", "-display", "none", "-no-reboot", "-accel", s.accel, "-cpu",
        !s.cpu.empty()                     ? s.cpu
        : std::getenv("ITERCONF_QEMU_CPU") ? std::getenv("ITERCONF_QEMU_CPU")
        : s.accel == "kvm"                 ? "host"
                                           : k_tcg_cpu,
        "-smp", std::to_string(s.cpus), "-m", std::to_string(s.memory_mb), "-kernel", s.kernel,
        "-initrd", s.initrd, "-append", s.append, "-chardev",
        "file,id=con,path=" + s.console + ",append=on", "-serial", "chardev:con",
        // The result channel: the agent writes to the virtio
        // port where the guest kernel has the driver built
        // in, else to the second serial port; /init writes
        // there too once the agent has died. Both append to
        // one file (the host empties it before each boot).
        "-chardev", "file,id=chan,path=" + s.channel + ",append=on", "-serial", "chardev:chan",
        "-chardev", "file,id=vchan,path=" + s.channel + ",append=on", "-device",
        "virtio-serial-pci,id=vser", "-device",
        "virtserialport,bus=vser.0,chardev=vchan,name=iterconf.channel", "-monitor", "none"};
    return a;
}

bool have_qemu(const std::string& qemu) {
    if (qemu.find('/') != std::string::npos)
        return access(qemu.c_str(), X_OK) == 0;
    const char* path = std::getenv("PATH");
    std::string p = path ? path : "/usr/bin:/bin";
    size_t b = 0;
    while (b <= p.size()) {
        size_t e = p.find(':', b);
        if (e == std::string::npos)
            e = p.size();
        std::string cand = p.substr(b, e - b) + "/" + qemu;
        if (access(cand.c_str(), X_OK) == 0)
            return true;
        b = e + 1;
    }
    return false;
}

Qemu::~Qemu() {
    kill();
}

Result<void> Qemu::start(const BootSpec& spec) {
    auto argv_s = qemu_argv(spec);
    std::vector<char*> argv;
    for (auto& a : argv_s)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    int out = ::open(spec.stderr_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (out < 0)
        return make_error(ErrorKind::io, spec.stderr_path,
                          std::string("cannot open: ") + std::strerror(errno));
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        // Only async-signal-safe calls here. The guest dies with iterconf
        // (even on SIGKILL), owns no fd of ours but its stdio, and sits in
        // its own process group so a terminal's Ctrl-C reaches only
        // iterconf, which then stops it.
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(127);
        setpgid(0, 0);
        int in = ::open("/dev/null", O_RDONLY);
        dup2(in, 0);
        dup2(out, 1);
        dup2(out, 2);
        close_range(3, ~0U, 0);
        execvp(argv[0], argv.data());
        _exit(127);
    }
    int err = errno;
    ::close(out);
    if (pid < 0)
        return make_error(ErrorKind::infra, spec.qemu,
                          std::string("cannot fork: ") + strerror(err));
    m_pid = pid;
    m_done = false;
    m_status = 0;
    return {};
}

bool Qemu::exited(int* status) {
    if (m_pid >= 0 && !m_done) {
        int st = 0;
        pid_t r = waitpid(m_pid, &st, WNOHANG);
        if (r == m_pid || (r < 0 && errno == ECHILD)) {
            m_done = true;
            m_status = st;
        }
    }
    if (status)
        *status = m_status;
    return m_done || m_pid < 0;
}

void Qemu::kill() {
    if (m_pid < 0 || m_done)
        return;
    if (!exited()) {
        ::kill(m_pid, SIGKILL);
        int st = 0;
        while (waitpid(m_pid, &st, 0) < 0 && errno == EINTR) {
        }
        m_status = st;
        m_done = true;
        m_killed = true;
    }
}

} // namespace iterconf::qemu
