#include "agent/leak.hpp"

#include <algorithm>
#include <bpf/bpf.h>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <linux/bpf.h>
#include <signal.h>
#include <sstream>
#include <string>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace iterconf::agent {

namespace {

judge::MemSample sample() {
    judge::MemSample s;
    std::ifstream in("/proc/meminfo");
    std::string key;
    int64_t kib = 0;
    std::string unit;
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream ls(line);
        if (!(ls >> key >> kib))
            continue;
        if (key == "AnonPages:")
            s.anon_kib = kib;
        else if (key == "Shmem:")
            s.shmem_kib = kib;
        else if (key == "SUnreclaim:")
            s.sunreclaim_kib = kib;
    }
    std::ifstream objs("/sys/kernel/slab/task_struct/objects");
    int64_t n = -1;
    if (objs >> n)
        s.task_objects = n;
    return s;
}

struct Child {
    pid_t pid = -1;
    int release = -1; // the live child exits when this end is closed
    LeakCtx ctx{};
};

// In the child: map and touch `anon` bytes of anonymous memory and a memfd
// of `file` bytes, send the memfd's address, then exit at once (zombie) or
// when the parent closes the pipe. The memfd goes at the top of the user
// address space, above the stack and the vDSO, so that a walk to the end
// finishes on a file-backed VMA (the snapshot's last file reference is then
// dropped by the next() that returns NULL, and must not be dropped again by
// destroy()). Where the top is taken (no ASLR: the stack ends there), the
// kernel places it, and a program that needs it on top says so.
constexpr uint64_t k_user_top = 0x7ffffffff000ULL; // x86-64 TASK_SIZE, 4-level paging
[[noreturn]] void child_main(int up, int down, size_t anon, size_t file, bool zombie) {
    uint64_t addr[2] = {0, 0};
    void* a = ::mmap(nullptr, anon, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (a != MAP_FAILED)
        std::memset(a, 0x5a, anon);
    int mfd = static_cast<int>(::syscall(SYS_memfd_create, "iterconf-leak", 1u /*MFD_CLOEXEC*/));
    if (mfd >= 0 && ::ftruncate(mfd, static_cast<off_t>(file)) == 0) {
        void* f = ::mmap(reinterpret_cast<void*>(k_user_top - file), file, PROT_READ | PROT_WRITE,
                         MAP_SHARED | MAP_FIXED_NOREPLACE, mfd, 0);
        if (f == MAP_FAILED)
            f = ::mmap(nullptr, file, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
        if (f != MAP_FAILED) {
            std::memset(f, 0xa5, file);
            addr[0] = reinterpret_cast<uint64_t>(f);
            addr[1] = addr[0] + file;
        }
    }
    if (mfd >= 0)
        ::close(mfd);
    if (::write(up, addr, sizeof(addr)) != sizeof(addr))
        ::_exit(1);
    if (!zombie) {
        char b;
        while (::read(down, &b, 1) < 0 && errno == EINTR) {
        }
    }
    ::_exit(0);
}

std::string spawn(Child& c, size_t anon, size_t file, bool zombie) {
    int up[2], down[2];
    if (::pipe2(up, O_CLOEXEC) != 0)
        return std::string("pipe: ") + std::strerror(errno);
    if (::pipe2(down, O_CLOEXEC) != 0) {
        ::close(up[0]);
        ::close(up[1]);
        return std::string("pipe: ") + std::strerror(errno);
    }
    pid_t pid = ::fork();
    if (pid == 0) {
        ::close(up[0]);
        ::close(down[1]);
        child_main(up[1], down[0], anon, file, zombie);
    }
    int err = errno;
    ::close(up[1]);
    ::close(down[0]);
    if (pid < 0) {
        ::close(up[0]);
        ::close(down[1]);
        return std::string("fork: ") + std::strerror(err);
    }
    c.pid = pid;
    c.release = down[1];
    uint64_t addr[2] = {0, 0};
    ssize_t n;
    while ((n = ::read(up[0], addr, sizeof(addr))) < 0 && errno == EINTR) {
    }
    ::close(up[0]);
    c.ctx = {pid, zombie ? 1 : 0, addr[0], addr[1]};
    if (n != sizeof(addr))
        return "the child died before it was ready";
    if (zombie) {
        siginfo_t si{};
        while (::waitid(P_PID, static_cast<id_t>(pid), &si, WEXITED | WNOWAIT) != 0)
            if (errno != EINTR)
                return std::string("waitid: ") + std::strerror(errno);
    }
    return "";
}

void reap(Child& c) {
    if (c.release >= 0)
        ::close(c.release);
    c.release = -1;
    if (c.pid > 0) {
        int status;
        while (::waitpid(c.pid, &status, 0) < 0 && errno == EINTR) {
        }
    }
    c.pid = -1;
}

} // namespace

judge::LeakRun leak_run(int fd, int type, const expect::LeakCheck& check,
                        const std::optional<expect::Retval>& want, judge::TestRun& first,
                        const std::function<void()>& alive) {
    judge::LeakRun run;
    run.runs = check.runs;
    run.zombie = check.zombie;
    if (type != BPF_PROG_TYPE_SYSCALL) {
        run.not_run = "guest: __leak_check runs syscall programs only";
        first.not_run = run.not_run;
        return run;
    }
    // 64 MiB of anonymous memory and 64 MiB of memfd over all runs, so that
    // a leak in every run fits a 1 GiB guest: 16 KiB .. 1 MiB per child.
    int64_t per = std::clamp<int64_t>((64 << 10) / check.runs, 16, 1024) / 4 * 4;
    run.child_anon_kib = run.child_file_kib = per;
    run.ran = true; // from here on, judged: a failed run is a mismatch
    size_t bytes = static_cast<size_t>(per) << 10;

    bool have_first = false;
    auto last_alive = std::chrono::steady_clock::now();
    auto one = [&]() -> std::string {
        if (auto now = std::chrono::steady_clock::now();
            now - last_alive > std::chrono::seconds(1)) {
            alive();
            last_alive = now;
        }
        Child c;
        if (std::string e = spawn(c, bytes, bytes, check.zombie); !e.empty()) {
            reap(c);
            return e;
        }
        LeakCtx ctx = c.ctx;
        LIBBPF_OPTS(bpf_test_run_opts, o, .ctx_in = &ctx, .ctx_size_in = sizeof(ctx));
        int rc = bpf_prog_test_run_opts(fd, &o);
        int err = errno;
        reap(c);
        if (rc < 0) {
            first = {.ran = true, .err = err};
            return std::string("BPF_PROG_TEST_RUN failed: ") + std::strerror(err);
        }
        if (!have_first || (want && first.retval == want->value && o.retval != want->value)) {
            first = {.ran = true, .retval = o.retval};
            have_first = true;
        }
        return "";
    };
    // warm-up: the slab caches, the pid and page-table allocations settle
    for (unsigned i = 0; i < std::min(check.runs, 32u); i++)
        if (std::string e = one(); !e.empty()) {
            run.error = e;
            return run;
        }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    run.before = sample();
    for (unsigned i = 0; i < check.runs; i++)
        if (std::string e = one(); !e.empty()) {
            run.error = e + " (run " + std::to_string(i + 1) + ")";
            return run;
        }
    // Freeing is deferred (RCU for task_structs, mmput_async for mms):
    // sample again until nothing exceeds its limit or 5 s have passed.
    for (int i = 0; i < 50; i++) {
        run.after = sample();
        if (judge::leak_excess(run).empty())
            break;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return run;
}

} // namespace iterconf::agent
