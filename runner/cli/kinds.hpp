// The iterator kinds of a kernel (issue 16 item 1): `iterconf kernels
// kinds`, and the line `iterconf run` prints for kinds the table does not
// know.
#pragma once

#include "cli/kernels.hpp"
#include "common/result.hpp"
#include "load/iter_kinds.hpp"

#include <string>
#include <vector>

namespace iterconf::cli {

// The kinds of `k`, from /sys/kernel/btf/vmlinux (host) or the vmlinux
// inside its image.
Result<load::KindReport> kernel_kinds(const Kernel& k);

// For `iterconf run`: one "iterconf: warning: kernel 'K': iterator kind
// 'foo' (bpf_iter_foo_new/next/destroy, 16 bytes) is unknown to the kind
// table" line per kind the table does not know (and per partial triple or
// size that differs from the table) on stderr; nothing when the kernel's
// BTF cannot be read (the run reports what matters about that itself).
void warn_kinds(const Kernel& k);

// iterconf kernels kinds [NAME...]
int kernels_kinds(const std::vector<std::string>& args);

} // namespace iterconf::cli
