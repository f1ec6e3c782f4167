// The kernels a run judges on (contract 3): "host", names from the
// manifest (config/manifest.hpp; fetched into the cache by the built-in
// images/kernels.sh), "all", and any kernel image given by path.
#pragma once

#include "common/result.hpp"
#include "config/manifest.hpp"

#include <functional>
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
// kernel fetched and exits 1 when one could not be. With `lock`, each
// kernel it has is fetched at exactly that version (--pin).
std::vector<std::string> fetch_command(const config::Manifest& manifest,
                                       const std::vector<const config::ManifestKernel*>& kernels,
                                       const config::Lock* lock = nullptr);

// The lock file of --pin FILE, checked against the manifest kernels it
// will pin: each must be in it (a usage error names the first that is not).
Result<config::Lock> load_pins(const std::string& file,
                               const std::vector<const config::ManifestKernel*>& kernels);

// Whether a cached kernel is exactly the lock's entry.
bool matches(const config::CachedKernel& c, const config::LockedKernel& pin);

struct ResolveOptions {
    bool verbose = false;
    std::string pin; // a lock file (--pin): manifest kernels at exactly its versions
    // Called before a manifest kernel is fetched (it was not cached).
    std::function<void(const std::string& name)> on_fetch;
    // Runs what prints on stderr (the drift lines of a fetch).
    std::function<void(const std::function<void()>&)> say;
};

// Expands --kernel values (repeatable, comma-separated). Unknown names that
// are not files are a usage error, as is a --pin file that is malformed or
// lacks one of them. Manifest kernels are resolved (fetched when not cached,
// or not the pinned version); a kernel that cannot be had keeps its error
// and the others still run. A fetch's drift lines ("iterconf: drift: NAME:
// OLD → NEW", images/kernels.sh) go to stderr.
Result<std::vector<Kernel>> resolve_kernels(const std::vector<std::string>& specs,
                                            const ResolveOptions& opts);

// The path of the guest agent (static binary) this build made, or "".
std::string agent_path();

} // namespace iterconf::cli
