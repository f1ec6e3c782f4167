#include "oracle/layout.hpp"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

// The static layout binary, embedded by embed.cpp.
extern "C" const unsigned char iterconf_bounds_layout_bin[], iterconf_bounds_layout_bin_end[];

namespace iterconf::oracle {

namespace {

bool write_full(int fd, const void* buf, size_t n) {
    auto* p = static_cast<const char*>(buf);
    while (n) {
        ssize_t r = ::write(fd, p, n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return false;
        p += r;
        n -= static_cast<size_t>(r);
    }
    return true;
}

bool read_full(int fd, void* buf, size_t n) {
    auto* p = static_cast<char*>(buf);
    while (n) {
        ssize_t r = ::read(fd, p, n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return false;
        p += r;
        n -= static_cast<size_t>(r);
    }
    return true;
}

} // namespace

Result<std::unique_ptr<LayoutProcess>> LayoutProcess::spawn() {
    // The binary lives in a memfd made once; each spawn execs it from there.
    static int exe = -1;
    if (exe < 0) {
        exe = static_cast<int>(::syscall(SYS_memfd_create, "iterconf-bounds-layout", MFD_CLOEXEC));
        size_t n = static_cast<size_t>(iterconf_bounds_layout_bin_end - iterconf_bounds_layout_bin);
        if (exe < 0 || !write_full(exe, iterconf_bounds_layout_bin, n))
            return make_error(ErrorKind::infra, "layout process",
                              std::string("cannot make the layout binary: ") +
                                  std::strerror(errno));
    }
    std::signal(SIGPIPE, SIG_IGN); // a dead process shows as EPIPE, then a respawn
    std::unique_ptr<LayoutProcess> t(new LayoutProcess);
    const char* tmp = std::getenv("TMPDIR");
    std::string tmpl = std::string(tmp && *tmp ? tmp : "/tmp") + "/iterconf-bounds-XXXXXX";
    t->m_file = ::mkostemp(tmpl.data(), O_CLOEXEC);
    if (t->m_file < 0 || ::ftruncate(t->m_file, LAYOUT_FILE_PAGES * 4096) != 0)
        return make_error(ErrorKind::io, tmpl, std::strerror(errno),
                          "set TMPDIR to a writable dir");
    ::unlink(tmpl.c_str());
    int in[2], out[2];
    if (::pipe2(in, O_CLOEXEC) || ::pipe2(out, O_CLOEXEC))
        return make_error(ErrorKind::infra, "layout process", std::strerror(errno));
    pid_t pid = ::fork();
    if (pid < 0)
        return make_error(ErrorKind::infra, "layout process",
                          std::string("fork: ") + std::strerror(errno));
    if (pid == 0) {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::dup2(in[0], 0) < 0 || ::dup2(out[1], 1) < 0 || ::dup2(t->m_file, 3) < 0)
            ::_exit(127);
        char name[] = "iterconf-bounds-layout";
        char* argv[] = {name, nullptr};
        char* envp[] = {nullptr};
        ::syscall(SYS_execveat, exe, "", argv, envp, AT_EMPTY_PATH);
        ::_exit(127);
    }
    ::close(in[0]);
    ::close(out[1]);
    t->m_pid = pid;
    t->m_in = in[1];
    t->m_out = out[0];
    return t;
}

LayoutProcess::~LayoutProcess() {
    if (m_pid > 0) {
        ::kill(m_pid, SIGKILL);
        ::waitpid(m_pid, nullptr, 0);
    }
    for (int fd : {m_in, m_out, m_file})
        if (fd >= 0)
            ::close(fd);
}

Result<layout_reply> LayoutProcess::apply(const std::vector<layout_cmd>& cmds) {
    std::vector<layout_cmd> all = cmds;
    layout_cmd sync{};
    sync.op = LAYOUT_SYNC;
    all.push_back(sync);
    layout_reply r{};
    if (!write_full(m_in, all.data(), all.size() * sizeof(layout_cmd)) ||
        !read_full(m_out, &r, sizeof(r))) {
        int status = 0;
        ::kill(m_pid, SIGKILL);
        ::waitpid(m_pid, &status, 0);
        m_pid = -1;
        return make_error(ErrorKind::infra, "layout process",
                          "the layout process died (status " + std::to_string(status) + ")");
    }
    return r;
}

} // namespace iterconf::oracle
