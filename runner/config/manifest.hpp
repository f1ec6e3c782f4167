// The kernel manifest (images/kernels.toml, contract 3) and the cache that
// images/kernels.sh publishes the fetched kernels into. Read in-process:
// names, `iterconf kernels list/path/meta` and --kernel resolution spawn
// nothing; only fetching runs the script (apt).
#pragma once

#include "common/result.hpp"

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace iterconf::config {

// One [name] table of the manifest. The values were checked against the
// grammars below, so they can go to apt and into file names as they are.
struct ManifestKernel {
    std::string name;        // [A-Za-z0-9][A-Za-z0-9._-]*, not "host" or "all"
    std::string description; // free text
    std::string suites;      // Debian suites, space separated: [a-z0-9][a-z0-9.-]*
    std::string package;     // a Debian package name: [a-z0-9][a-z0-9.+-]+
    std::string series;      // "" or an upstream version: [0-9]+(\.[0-9]+)*
    size_t line = 0;         // of its [name]
};

class Manifest {
  public:
    // Parses manifest text (common/toml.hpp's subset); `file` names it in
    // errors ("<file>:<line>: ..."). Tables are kernels; the keys are
    // description, suites, package (required) and series; at least one.
    static Result<Manifest> parse(std::string_view text, const std::string& file);
    // $ITERCONF_KERNELS_MANIFEST when set, else the manifest built into
    // this binary (config/assets.hpp).
    static Result<Manifest> load();

    const std::string& file() const { return m_file; }
    // In file order: the order of `--kernel all` and `iterconf kernels list`.
    const std::vector<ManifestKernel>& kernels() const { return m_kernels; }
    const ManifestKernel* find(std::string_view name) const;
    std::vector<std::string> names() const;

  private:
    std::string m_file;
    std::vector<ManifestKernel> m_kernels;
};

// The cache directory: $ITERCONF_CACHE_DIR, else $XDG_CACHE_HOME/iterconf,
// else ~/.cache/iterconf (as images/kernels.sh computes it).
std::string cache_dir();

// A kernel's `meta` record: key=value lines; the first line of a key wins
// and lines without '=' are skipped.
std::map<std::string, std::string> parse_meta(std::string_view text);

// A published kernel: <cache>/kernels/<name>/current -> <package>_<version>/
// with bzImage, config and meta.
struct CachedKernel {
    std::string dir;
    std::string meta_text;
    std::map<std::string, std::string> meta;
    std::string bzimage() const { return dir + "/bzImage"; }
};

// The kernel `current` points at, when it has a meta record and a bzImage;
// nullopt when it is not cached.
std::optional<CachedKernel> cached_kernel(const std::string& cache, const std::string& name);

// True when the bzImage still has the sha256 its meta records.
bool intact(const CachedKernel& k);

// A lock file (`iterconf kernels lock`, default images/kernels.lock): the
// exact package of manifest kernels, as cached when it was written, for
// `iterconf kernels fetch --pin FILE` and `iterconf run --pin FILE`.
// common/toml.hpp's subset, one [[kernel]] per kernel:
//   [[kernel]]
//   name = "debian-6.12"
//   package = "linux-image-6.12.117+deb13-cloud-amd64"
//   version = "6.12.117-1"
//   sha256 = "<the bzImage's, 64 hex digits>"
struct LockedKernel {
    std::string name;    // a manifest name: [A-Za-z0-9][A-Za-z0-9._-]*
    std::string package; // [a-z0-9][a-z0-9.+-]+
    std::string version; // a Debian version: [0-9][A-Za-z0-9.+~:-]*
    std::string sha256;  // of the bzImage, lowercase hex
    size_t line = 0;     // of its [[kernel]]
};

struct Lock {
    std::string file;
    std::vector<LockedKernel> kernels; // in file order, names unique

    // Errors are kind `input`, where "<file>:<line>".
    static Result<Lock> parse(std::string_view text, const std::string& file);
    // parse() of the file at `path` (an `io` error when it cannot be read).
    static Result<Lock> load(const std::string& path);
    const LockedKernel* find(std::string_view name) const;
    // The file's text, which parse() reads back.
    std::string render() const;
};

// SHA-256 in lowercase hex (sha256sum's): of `data`, and of a file ("" when
// it cannot be read).
std::string sha256_hex(std::string_view data);
std::string sha256_file(const std::string& path);

} // namespace iterconf::config
