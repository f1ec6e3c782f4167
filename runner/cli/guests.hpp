// What every QEMU run of iterconf needs, for cases and generated programs
// alike: the guest initramfs and the accelerator choice.
#pragma once

#include "common/result.hpp"
#include "target/guest.hpp"

#include <atomic>
#include <string>
#include <utility>
#include <vector>

namespace iterconf::cli {

// busybox-static, /init (images/init/init.sh), the static agent, `files`
// (guest path under cases/, host path) and /iterconf/plan = `plan_text`.
Result<void> build_guest_initramfs(const std::string& path, const std::string& plan_text,
                                   const std::vector<std::pair<std::string, std::string>>& files);

// $ITERCONF_CACHE_DIR, else $XDG_CACHE_HOME/iterconf, else ~/.cache/iterconf.
std::string cache_dir();

// "kvm" when /dev/kvm boots one of `images` (probed once per host kernel,
// the answer cached), else "tcg".
std::string choose_accel(const std::vector<std::string>& images, const std::string& initrd,
                         const target::GuestOptions& gopts, const std::string& out_dir, int verbose,
                         const std::atomic<bool>& interrupted);

} // namespace iterconf::cli
