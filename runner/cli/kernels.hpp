// The kernels a run judges on (contract 3): "host", names from the
// manifest (config/manifest.hpp; fetched into the cache by the built-in
// images/kernels.sh), "all", and any kernel image given by path.
#pragma once

#include "common/result.hpp"
#include "config/manifest.hpp"

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
    // The cached kernel's meta record (key=value lines: package, version,
    // bzimage_sha256, ...) when from the manifest; the run copies it to
    // <out>/kernels/<label>.meta.
    std::string meta_text;
    // Set when the kernel cannot be judged before booting it: not fetched
    // (exit 1) or not a bootable image (exit 2).
    std::optional<Error> error;
    int error_exit = 0;
};

// The command that fetches `kernels` of `manifest` into the cache: the
// built-in images/kernels.sh under bash, which prints NAME<TAB>BZIMAGE per
// kernel fetched and exits 1 when one could not be.
std::vector<std::string> fetch_command(const config::Manifest& manifest,
                                       const std::vector<const config::ManifestKernel*>& kernels);

// Expands --kernel values (repeatable, comma-separated). Unknown names that
// are not files are a usage error. Manifest kernels are resolved (fetched
// when not cached); a kernel that cannot be had keeps its error and the
// others still run.
Result<std::vector<Kernel>> resolve_kernels(const std::vector<std::string>& specs, bool verbose);

// The path of the guest agent (static binary) this build made, or "".
std::string agent_path();

} // namespace iterconf::cli
