// What every QEMU run of iterconf needs, for cases and generated programs
// alike: the guest initramfs and the accelerator choice.
#pragma once

#include "common/result.hpp"
#include "qemu/console.hpp"
#include "qemu/guest.hpp"
#include "qemu/plan.hpp"

#include <atomic>
#include <functional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace iterconf::cli {

// busybox-static, /init (images/init/init.sh), the static agent, `files`
// (guest path under cases/, host path), /iterconf/plan (`plan`, encoded)
// and, for each of `images` that has them beside it (<dir>/modules/<release>/
// with an `order` file: what `iterconf kernels fetch` extracts for a kernel
// whose virtio console is a module), /modules/<release>/ for the agent to
// load before it opens its channel.
Result<void> build_guest_initramfs(const std::string& path, const qemu::Plan& plan,
                                   const std::vector<std::pair<std::string, std::string>>& files,
                                   const std::vector<std::string>& images = {});

// "kvm" when /dev/kvm boots one of `images` (probed once per host kernel,
// the answer cached), else "tcg".
std::string choose_accel(const std::vector<std::string>& images, const std::string& initrd,
                         const qemu::GuestOptions& gopts, const std::string& out_dir, int verbose,
                         const std::atomic<bool>& interrupted);

// Everything before the first boot: out/guest/ and out/console/, the
// initramfs (returned: its path), and, when `auto_accel`, opts.accel from
// choose_accel() over `images`.
Result<std::string> prepare_guests(const std::string& out_dir, const qemu::Plan& plan,
                                   const std::vector<std::pair<std::string, std::string>>& files,
                                   const std::vector<std::string>& images, qemu::GuestOptions& opts,
                                   bool auto_accel, int verbose, const std::atomic<bool>& stop);

// The console patterns every guest run scans for (images/console/deny.re).
Result<qemu::ConsoleScanner> load_console_scanner();

// One guest kernel's files: out/guest/<label>/ (created) and a fresh
// out/console/<label>.log.
qemu::GuestKernel guest_kernel(const std::string& out_dir, const std::string& label,
                               const std::string& image);

// Calls fn(i) once for each i in [0, n) on up to `jobs` threads, handing out
// no new index once `stop` is set. The caller joins the threads (and may
// work in its own thread meanwhile).
std::vector<std::thread> start_workers(size_t n, unsigned jobs, const std::atomic<bool>& stop,
                                       std::function<void(size_t)> fn);

} // namespace iterconf::cli
