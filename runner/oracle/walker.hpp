// The loaded walk (walk.bpf.c): bpf_iter_task_vma_new/next/destroy over a
// task's VMAs from an address, run with BPF_PROG_TEST_RUN, and whether this
// kernel can run it at all.
#pragma once

#include "common/result.hpp"
#include "oracle/compare.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <sys/types.h>

struct bpf_object;

namespace iterconf::oracle {

// Whether the walk can run on this kernel, decided by type, never by an
// error's text. Only `no_kfunc` is a verdict (`unsupported`); the others
// say why the harness could not run it.
enum class Support {
    ok,
    no_kfunc,      // no bpf_iter_task_vma_new or bpf_task_from_pid in the kernel's BTF
    no_btf,        // the kernel's BTF is unreadable (CONFIG_DEBUG_INFO_BTF)
    no_permission, // bpf() refused (EPERM, EACCES)
    fault,         // anything else: the walk did not load, its map did not map
};
const char* to_string(Support s);

class Walker {
  public:
    // Loads the walk. On error, `support` says by type why it cannot run;
    // the Error describes it either way.
    static Result<std::unique_ptr<Walker>> open(Support& support);
    ~Walker();
    Result<Walk> run(pid_t pid, uint64_t addr, uint32_t limit);
    // "mmap_lock" (6.7 on: the read lock held from new to destroy, -EBUSY
    // when contended) or "per-VMA lock" (the 2026 rework: a snapshot per
    // VMA, write-locked VMAs skipped), read from the kernel's BTF.
    const std::string& implementation() const { return m_impl; }

  private:
    Walker() = default;
    struct bpf_object* m_obj = nullptr;
    int m_prog_fd = -1;
    const bounds_out* m_out = nullptr;
    size_t m_out_len = 0;
    std::string m_impl;
};

} // namespace iterconf::oracle
