#include "iter_bounds/oracle.hpp"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

// The walk object and the static target binary, embedded by embed.S.
extern "C" const unsigned char iterconf_bounds_walk_obj[], iterconf_bounds_walk_obj_end[];
extern "C" const unsigned char iterconf_bounds_target_bin[], iterconf_bounds_target_bin_end[];

namespace iterconf::bounds {

namespace {

constexpr uint64_t k_vm_read = 0x1, k_vm_write = 0x2, k_vm_exec = 0x4, k_vm_mayshare = 0x80;

int silent_print(enum libbpf_print_level, const char*, va_list) {
    return 0;
}

bool parse_hex(const char*& p, uint64_t& v) {
    if (!std::isxdigit(static_cast<unsigned char>(*p))) // strtoull would skip spaces, '\n'
        return false;
    char* end = nullptr;
    errno = 0;
    v = std::strtoull(p, &end, 16);
    if (end == p || errno)
        return false;
    p = end;
    return true;
}

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

Result<std::vector<MapsEntry>> parse_maps(const std::string& text) {
    std::vector<MapsEntry> out;
    out.reserve(text.size() / 48);
    size_t pos = 0;
    int lineno = 0;
    while (pos < text.size()) {
        size_t nl = text.find('\n', pos);
        if (nl == std::string::npos)
            nl = text.size();
        // The line is parsed in place: text[nl] is '\n' or the terminator,
        // where strtoull stops; a copy per line costs with thousands.
        const char* p = text.c_str() + pos;
        const char* eol = text.c_str() + nl;
        const char* bol = p;
        pos = nl + 1;
        lineno++;
        MapsEntry e;
        uint64_t maj = 0, min = 0;
        bool ok = parse_hex(p, e.start) && *p++ == '-' && parse_hex(p, e.end) && *p++ == ' ';
        if (ok && eol - p >= 5 && p[4] == ' ') {
            e.perms.assign(p, 4);
            p += 5;
            ok = parse_hex(p, e.offset) && *p++ == ' ' && parse_hex(p, maj) && *p++ == ':' &&
                 parse_hex(p, min) && *p++ == ' ';
        } else {
            ok = false;
        }
        if (ok) {
            char* end = nullptr;
            e.ino = std::strtoull(p, &end, 10);
            ok = std::isdigit(static_cast<unsigned char>(*p)) && end <= eol;
            p = end;
        }
        if (!ok)
            return make_error(ErrorKind::infra, "/proc/PID/maps:" + std::to_string(lineno),
                              "cannot parse '" + std::string(bol, eol) + "'",
                              "the maps format changed; fix fuzz/iter_bounds/oracle.cpp");
        while (p < eol && *p == ' ')
            p++;
        e.name.assign(p, eol);
        e.major = static_cast<uint32_t>(maj);
        e.minor = static_cast<uint32_t>(min);
        out.push_back(std::move(e));
    }
    return out;
}

Result<std::vector<MapsEntry>> read_maps(pid_t pid) {
    std::string path = "/proc/" + std::to_string(pid) + "/maps";
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return make_error(ErrorKind::io, path, std::strerror(errno));
    std::string text;
    char buf[1 << 16];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof(buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            ::close(fd);
            return make_error(ErrorKind::io, path, std::strerror(e));
        }
        if (n == 0)
            break;
        text.append(buf, static_cast<size_t>(n));
    }
    ::close(fd);
    return parse_maps(text);
}

// ---- the walk ----

const char* to_string(Support s) {
    switch (s) {
    case Support::available:
        return "available";
    case Support::no_iterator:
        return "no_iterator";
    case Support::not_permitted:
        return "not_permitted";
    }
    return "?";
}

Result<std::unique_ptr<Walker>> Walker::open(Support& support) {
    const char* where = "fuzz/iter_bounds/walk.bpf.c";
    support = Support::available;
    libbpf_set_print(silent_print);
    // Probe the kfunc first: a kernel without it is "unsupported", not broken.
    struct btf* vmlinux = btf__load_vmlinux_btf();
    if (!vmlinux)
        return make_error(ErrorKind::infra, "kernel", "kernel has no readable BTF",
                          "CONFIG_DEBUG_INFO_BTF is needed");
    bool have = btf__find_by_name_kind(vmlinux, "bpf_iter_task_vma_new", BTF_KIND_FUNC) > 0 &&
                btf__find_by_name_kind(vmlinux, "bpf_task_from_pid", BTF_KIND_FUNC) > 0;
    // Which implementation: the 2026 rework keeps a per-VMA-lock snapshot
    // (members snapshot or locked_vma), the original the mmap_lock and a
    // vma_iterator (vmi). The contended check reports -EBUSY counts per kind.
    std::string impl = "unknown";
    int kd = btf__find_by_name_kind(vmlinux, "bpf_iter_task_vma_kern_data", BTF_KIND_STRUCT);
    if (kd > 0) {
        const struct btf_type* t = btf__type_by_id(vmlinux, static_cast<__u32>(kd));
        const struct btf_member* m = btf_members(t);
        for (int i = 0; i < btf_vlen(t); i++) {
            std::string name = btf__name_by_offset(vmlinux, m[i].name_off);
            if (name == "snapshot" || name == "locked_vma")
                impl = "per-VMA lock";
            else if (name == "vmi")
                impl = "mmap_lock";
        }
    }
    btf__free(vmlinux);
    if (!have) {
        support = Support::no_iterator;
        return make_error(ErrorKind::infra, "kernel",
                          "kernel has no bpf_iter_task_vma_new or bpf_task_from_pid",
                          "the task_vma iterator needs Linux 6.7+");
    }

    std::unique_ptr<Walker> w(new Walker);
    w->m_impl = impl;
    size_t size = static_cast<size_t>(iterconf_bounds_walk_obj_end - iterconf_bounds_walk_obj);
    w->m_obj = bpf_object__open_mem(iterconf_bounds_walk_obj, size, nullptr);
    if (!w->m_obj)
        return make_error(ErrorKind::internal, where,
                          std::string("cannot open the embedded object: ") + std::strerror(errno));
    if (int err = bpf_object__load(w->m_obj); err) {
        if (err == -EPERM || err == -EACCES) {
            support = Support::not_permitted;
            return make_error(ErrorKind::infra, where,
                              "bpf() not permitted (" + std::string(std::strerror(-err)) + ")",
                              "run as root with bpf() allowed");
        }
        return make_error(ErrorKind::infra, where,
                          "the kernel did not load the walk: " + std::string(std::strerror(-err)),
                          "rerun with LIBBPF_LOG_LEVEL=debug to see the verifier log");
    }
    struct bpf_program* prog = bpf_object__find_program_by_name(w->m_obj, "walk");
    struct bpf_map* bss = nullptr;
    struct bpf_map* m;
    bpf_object__for_each_map(m, w->m_obj) {
        const char* name = bpf_map__name(m);
        if (name && std::strstr(name, ".bss"))
            bss = m;
    }
    if (!prog || !bss || bpf_map__value_size(bss) < sizeof(bounds_out))
        return make_error(ErrorKind::internal, where, "no program 'walk' or no .bss");
    // libbpf 1.1 maps the kernel's copy of .bss only for skeletons: map it here.
    size_t len = (bpf_map__value_size(bss) + 4095) & ~size_t(4095);
    void* p = ::mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_SHARED, bpf_map__fd(bss), 0);
    if (p == MAP_FAILED)
        return make_error(ErrorKind::infra, where,
                          std::string("cannot mmap the .bss map: ") + std::strerror(errno));
    w->m_out = static_cast<const bounds_out*>(p);
    w->m_out_len = len;
    w->m_prog_fd = bpf_program__fd(prog);
    return w;
}

Walker::~Walker() {
    if (m_out)
        ::munmap(const_cast<bounds_out*>(m_out), m_out_len);
    if (m_obj)
        bpf_object__close(m_obj);
}

Result<Walk> Walker::run(pid_t pid, uint64_t addr, uint32_t limit) {
    bounds_args args{};
    args.pid = pid;
    args.limit = limit;
    args.addr = addr;
    // Never BPF_F_TEST_RUN_ON_CPU: that runs the walk with IRQs off.
    LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = &args, .ctx_size_in = sizeof(args));
    uint32_t runs = m_out->runs;
    if (int err = bpf_prog_test_run_opts(m_prog_fd, &opts); err)
        return make_error(ErrorKind::infra, "walk",
                          std::string("BPF_PROG_TEST_RUN failed: ") + std::strerror(errno));
    if (m_out->runs != runs + 1)
        return make_error(ErrorKind::internal, "walk", "the walk did not complete");
    Walk w;
    w.err = m_out->err;
    w.more = m_out->more != 0;
    uint32_t n = m_out->n < BOUNDS_MAX_VMAS ? m_out->n : BOUNDS_MAX_VMAS;
    w.vmas.assign(m_out->vmas, m_out->vmas + n);
    return w;
}

// ---- the target ----

Result<std::unique_ptr<Target>> Target::spawn() {
    // The binary lives in a memfd made once; each spawn execs it from there.
    static int exe = -1;
    if (exe < 0) {
        exe = static_cast<int>(::syscall(SYS_memfd_create, "iterconf-bounds-target", MFD_CLOEXEC));
        size_t n = static_cast<size_t>(iterconf_bounds_target_bin_end - iterconf_bounds_target_bin);
        if (exe < 0 || !write_full(exe, iterconf_bounds_target_bin, n))
            return make_error(ErrorKind::infra, "target",
                              std::string("cannot make the target binary: ") +
                                  std::strerror(errno));
    }
    std::signal(SIGPIPE, SIG_IGN); // a dead target shows as EPIPE, then a respawn
    std::unique_ptr<Target> t(new Target);
    const char* tmp = std::getenv("TMPDIR");
    std::string tmpl = std::string(tmp && *tmp ? tmp : "/tmp") + "/iterconf-bounds-XXXXXX";
    t->m_file = ::mkostemp(tmpl.data(), O_CLOEXEC);
    if (t->m_file < 0 || ::ftruncate(t->m_file, BT_FILE_PAGES * 4096) != 0)
        return make_error(ErrorKind::io, tmpl, std::strerror(errno),
                          "set TMPDIR to a writable dir");
    ::unlink(tmpl.c_str());
    int in[2], out[2];
    if (::pipe2(in, O_CLOEXEC) || ::pipe2(out, O_CLOEXEC))
        return make_error(ErrorKind::infra, "target", std::strerror(errno));
    pid_t pid = ::fork();
    if (pid < 0)
        return make_error(ErrorKind::infra, "target", std::string("fork: ") + std::strerror(errno));
    if (pid == 0) {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::dup2(in[0], 0) < 0 || ::dup2(out[1], 1) < 0 || ::dup2(t->m_file, 3) < 0)
            ::_exit(127);
        char name[] = "iterconf-bounds-target";
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

Target::~Target() {
    if (m_pid > 0) {
        ::kill(m_pid, SIGKILL);
        ::waitpid(m_pid, nullptr, 0);
    }
    for (int fd : {m_in, m_out, m_file})
        if (fd >= 0)
            ::close(fd);
}

Result<bt_reply> Target::apply(const std::vector<bt_cmd>& cmds) {
    std::vector<bt_cmd> all = cmds;
    bt_cmd sync{};
    sync.op = BT_SYNC;
    all.push_back(sync);
    bt_reply r{};
    if (!write_full(m_in, all.data(), all.size() * sizeof(bt_cmd)) ||
        !read_full(m_out, &r, sizeof(r))) {
        int status = 0;
        ::kill(m_pid, SIGKILL);
        ::waitpid(m_pid, &status, 0);
        m_pid = -1;
        return make_error(ErrorKind::infra, "target",
                          "the layout target died (status " + std::to_string(status) + ")");
    }
    return r;
}

// ---- the comparison ----

std::vector<MapsEntry> expected_from(const std::vector<MapsEntry>& maps, uint64_t addr,
                                     uint32_t limit, bool* more) {
#if ITERCONF_BOUNDS_BREAK
    // Deliberately wrong (a scratch build's self-check of the fuzzer): an
    // off-by-one on the start address.
    addr += 1;
#endif
    uint32_t cap = limit < BOUNDS_MAX_VMAS ? limit : BOUNDS_MAX_VMAS;
    std::vector<MapsEntry> out;
    *more = false;
    for (const auto& e : maps) {
        // [vsyscall] is printed by maps but is no VMA of the mm.
        if (e.name == "[vsyscall]" || e.end <= addr)
            continue;
        if (out.size() == cap) {
            *more = true;
            break;
        }
        out.push_back(e);
    }
    return out;
}

std::string format_entry(const MapsEntry& e) {
    char buf[160];
    std::snprintf(buf, sizeof(buf), "%012llx-%012llx %s %08llx %02x:%02x %llu",
                  static_cast<unsigned long long>(e.start), static_cast<unsigned long long>(e.end),
                  e.perms.c_str(), static_cast<unsigned long long>(e.offset), e.major, e.minor,
                  static_cast<unsigned long long>(e.ino));
    return buf;
}

namespace {

// The maps view of a walk record (fs/proc/task_mmu.c show_map_vma()).
MapsEntry as_entry(const bounds_vma& v) {
    MapsEntry e;
    e.start = v.start;
    e.end = v.end;
    e.perms = {v.flags & k_vm_read ? 'r' : '-', v.flags & k_vm_write ? 'w' : '-',
               v.flags & k_vm_exec ? 'x' : '-', v.flags & k_vm_mayshare ? 's' : 'p'};
    if (v.has_file) {
        e.offset = v.pgoff << 12;
        e.major = v.dev >> 20;
        e.minor = v.dev & 0xfffff;
        e.ino = v.ino;
    }
    return e;
}

bool same(const MapsEntry& a, const MapsEntry& b) {
    return a.start == b.start && a.end == b.end && a.perms == b.perms && a.offset == b.offset &&
           a.major == b.major && a.minor == b.minor && a.ino == b.ino;
}

bool overlaps(uint64_t s, uint64_t e, uint64_t skip_start, uint64_t skip_end) {
    return skip_start < skip_end && s < skip_end && skip_start < e;
}

} // namespace

std::string format_vma(const bounds_vma& v) {
    return format_entry(as_entry(v));
}

std::string compare(const std::vector<MapsEntry>& maps, uint64_t addr, uint32_t limit,
                    const Walk& walk, uint64_t skip_start, uint64_t skip_end) {
    bool more = false;
    auto want = expected_from(maps, addr, limit, &more);
    std::vector<MapsEntry> got;
    for (const auto& v : walk.vmas)
        got.push_back(as_entry(v));
    std::string why;
    for (const auto& g : got)
        if (g.start >= 0xffff800000000000ull)
            why = "the walk yielded a kernel-half VMA (" + format_entry(g) + "), e.g. [vsyscall]";
    if (walk.err != 0)
        why = "bpf_iter_task_vma_new() returned " + std::to_string(walk.err);
    bool skipping = skip_start < skip_end;
    if (skipping) {
        // Under the hammer, the VMAs on its pages change meanwhile: they are
        // left out on both sides. The mmap_lock implementation yields the
        // rest exactly; the per-VMA-lock one skips a VMA it finds
        // write-locked, which may only be one of the hammer's. So the other
        // VMAs the walk yielded must be a prefix of maps's, all of them
        // when the walk was not cut by the limit.
        bool all_more = false;
        auto all = expected_from(maps, addr, BOUNDS_MAX_VMAS, &all_more);
        auto away = [&](const MapsEntry& e) {
            return overlaps(e.start, e.end, skip_start, skip_end);
        };
        std::erase_if(all, away);
        std::erase_if(got, away);
        want = all;
        uint32_t cap = limit < BOUNDS_MAX_VMAS ? limit : BOUNDS_MAX_VMAS;
        if (!why.empty()) {
        } else if (got.size() > want.size()) {
            why = "yielded " + std::to_string(got.size()) +
                  " VMAs away from the hammer, maps has " + std::to_string(want.size());
        } else {
            for (size_t i = 0; i < got.size() && why.empty(); i++)
                if (!same(want[i], got[i]))
                    why = "VMA " + std::to_string(i) + " differs";
            if (why.empty() && !walk.more && !all_more && got.size() != want.size())
                why = "the walk ended after " + std::to_string(got.size()) +
                      " VMAs away from the hammer, maps has " + std::to_string(want.size());
            if (why.empty() && walk.more && walk.vmas.size() != cap)
                why = "the walk stopped at " + std::to_string(walk.vmas.size()) +
                      " VMAs with more left, the limit is " + std::to_string(cap);
        }
    } else if (why.empty()) {
        if (want.size() != got.size())
            why = "yielded " + std::to_string(got.size()) + " VMAs, maps has " +
                  std::to_string(want.size()) + " with end > addr (limit " + std::to_string(limit) +
                  ")";
        for (size_t i = 0; i < want.size() && i < got.size() && why.empty(); i++)
            if (!same(want[i], got[i]))
                why = "VMA " + std::to_string(i) + " differs";
        if (why.empty() && more != walk.more)
            why = std::string("the walk ") + (walk.more ? "had" : "did not have") +
                  " a VMA after the limit, maps " + (more ? "has" : "has not");
    }
    if (why.empty())
        return {};
    char head[128];
    std::snprintf(head, sizeof(head),
                  "addr 0x%llx limit %u: ", static_cast<unsigned long long>(addr), limit);
    std::string r = head + why + "\n";
    size_t n = std::max(want.size(), got.size());
    r += "  #     expected (/proc/PID/maps)                                 | got (walk)\n";
    for (size_t i = 0; i < n; i++) {
        std::string w = i < want.size() ? format_entry(want[i]) : "-";
        std::string g = i < got.size() ? format_entry(got[i]) : "-";
        char line[256];
        std::snprintf(line, sizeof(line), "%c %-5zu %-59s | %s\n",
                      i < want.size() && i < got.size() && same(want[i], got[i]) ? ' ' : '!', i,
                      w.c_str(), g.c_str());
        r += line;
    }
    return r;
}

} // namespace iterconf::bounds
