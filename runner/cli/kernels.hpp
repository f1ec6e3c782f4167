// The kernels a run judges on (contract 3): "host", names from the
// manifest (images/kernels.toml, fetched and cached by images/kernels.sh),
// "all", and any kernel image given by path.
#pragma once

#include "common/result.hpp"

#include <optional>
#include <string>
#include <vector>

namespace iterconf::cli {

struct Kernel {
    bool host = false;
    std::string source;  // "host", a manifest name, or the path as given
    std::string label;   // directory-safe name for logs and consoles
    std::string image;   // bzImage (guests)
    std::string package; // "<package> <version>" when from the manifest
    // Set when the kernel cannot be judged before booting it: not fetched
    // (exit 1) or not a bootable image (exit 2).
    std::optional<Error> error;
    int error_exit = 0;
};

std::string kernels_script();

// Expands --kernel values (repeatable, comma-separated). Unknown names that
// are not files are a usage error. Manifest kernels are resolved (fetched
// when not cached); a kernel that cannot be had keeps its error and the
// others still run.
Result<std::vector<Kernel>> resolve_kernels(const std::vector<std::string>& specs, bool verbose);

// The path of the guest agent (static binary) this build made, or "".
std::string agent_path();

} // namespace iterconf::cli
