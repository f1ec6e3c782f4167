#include "oracle/walker.hpp"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <cerrno>
#include <cstring>
#include <sys/mman.h>

// The walk object, embedded by embed.cpp.
extern "C" const unsigned char iterconf_bounds_walk_obj[], iterconf_bounds_walk_obj_end[];

namespace iterconf::oracle {

namespace {

int silent_print(enum libbpf_print_level, const char*, va_list) {
    return 0;
}

} // namespace

const char* to_string(Support s) {
    switch (s) {
    case Support::ok:
        return "ok";
    case Support::no_kfunc:
        return "no_kfunc";
    case Support::no_btf:
        return "no_btf";
    case Support::no_permission:
        return "no_permission";
    case Support::fault:
        return "fault";
    }
    return "?";
}

Result<std::unique_ptr<Walker>> Walker::open(Support& support) {
    const char* where = "runner/oracle/walk.bpf.c";
    support = Support::fault; // until known better
    libbpf_set_print(silent_print);
    // Probe the kfunc first: a kernel without it is "unsupported", not broken.
    struct btf* vmlinux = btf__load_vmlinux_btf();
    if (!vmlinux) {
        support = Support::no_btf;
        return make_error(ErrorKind::infra, "kernel", "kernel has no readable BTF",
                          "CONFIG_DEBUG_INFO_BTF is needed");
    }
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
        support = Support::no_kfunc;
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
            support = Support::no_permission;
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
    support = Support::ok;
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

} // namespace iterconf::oracle
