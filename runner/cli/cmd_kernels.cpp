// iterconf kernels: the kernel manifest and its cache (contract 3). The
// manifest and the cache are read here; fetching runs the built-in
// images/kernels.sh (private apt configuration, flock'd cache), kernels
// from source (source, build) the built-in images/kbuild.sh.
#include "cli/common.hpp"
#include "cli/kernels.hpp"
#include "cli/kinds.hpp"
#include "config/assets.hpp"
#include "config/manifest.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <unistd.h>
#include <vector>

namespace iterconf::cli {

namespace {

constexpr const char* k_usage =
    R"(usage: iterconf kernels <list|names|fetch [--pin FILE] [NAME...]|path NAME|meta NAME>
       iterconf kernels lock [FILE]
       iterconf kernels kinds [NAME...]
       iterconf kernels source debian-src:X.Y
       iterconf kernels build SRC [--out DIR] [--jobs N] [--fragment FILE]
                              [--base tinyconfig|defconfig] [--config-only]

  list              the manifest (images/kernels.toml) and what is cached
  names             the manifest's kernel names, one per line, in file order
  fetch [NAME...]   resolve each kernel to the newest matching Debian package
                    with a private apt configuration, download it with apt
                    (signatures checked), cache bzImage + config + meta
                    (default: every manifest kernel); prints NAME<TAB>BZIMAGE.
                    A kernel that is not what its last fetch gave says so on
                    stderr: "iterconf: drift: NAME: OLD → NEW" (or the same
                    version with another bzImage sha256)
    --pin FILE      fetch exactly the versions of a lock file, checking each
                    bzImage's sha256; a version the archive no longer has is
                    one error line (exit 1)
  lock [FILE]       write the exact package, version and bzImage sha256 of
                    every cached manifest kernel to FILE (default
                    images/kernels.lock), for 'fetch --pin' and 'run --pin'
  kinds [NAME...]   the open-coded iterator kinds of each kernel (default
                    host), read from its BTF and matched to the kind table:
                    present (bytes, slots), known but absent (with the
                    release that introduced them), unknown to the table (see
                    'iterconf kernels kinds --help')
  path NAME         the cached bzImage of NAME (fetched first when missing)
  meta NAME         package, version and sha256 of the cached NAME
  source debian-src:X.Y
                    download Debian's newest linux-source-X.Y with the same
                    private apt (signatures checked), extract it once into
                    <cache>/src/ and print the tree's directory
  build SRC         build a minimal bootable bzImage out of tree from a kernel
                    source directory or debian-src:X.Y: tinyconfig + the
                    fragment images/config/iterconf.config, olddefconfig, a
                    check that every fragment option survived, make bzImage;
                    incremental when run again; prints the bzImage path last
                    (see 'iterconf kernels build --help')

manifest: $ITERCONF_KERNELS_MANIFEST, else the images/kernels.toml built in
cache: $ITERCONF_CACHE_DIR, else $XDG_CACHE_HOME/iterconf, else ~/.cache/iterconf
ITERCONF_OFFLINE=1: fetch and path use the cache only, never the network
exit: 0 ok, 1 a kernel could not be fetched or is not cached (or a build
failed), 2 usage error or a malformed lock file (for build also: missing
build tools, an unclean source tree, fragment options lost).
)";

Error usage(const std::string& what, const std::string& hint = "see 'iterconf kernels --help'") {
    return make_error(ErrorKind::usage, "iterconf kernels", what, hint);
}

// The entry NAME, or a usage error listing the known names.
Result<const config::ManifestKernel*> entry(const config::Manifest& m, const std::string& name) {
    if (const auto* k = m.find(name))
        return k;
    std::string known;
    for (const auto& n : m.names())
        known += (known.empty() ? "" : ", ") + n;
    return make_error(ErrorKind::usage, "kernel '" + printable(name) + "'", "not in " + m.file(),
                      "known: " + known);
}

int list(const config::Manifest& m) {
    std::string cache = config::cache_dir();
    std::vector<std::array<std::string, 4>> rows = {{"NAME", "SUITES", "VERSION", "BZIMAGE"}};
    for (const auto& k : m.kernels()) {
        std::string ver = "-", path = "-";
        if (auto c = config::cached_kernel(cache, k.name)) {
            ver = c->meta["version"];
            path = c->bzimage();
        }
        rows.push_back({k.name, k.suites, ver, path});
    }
    size_t w[3] = {0, 0, 0};
    for (const auto& r : rows)
        for (int i = 0; i < 3; i++)
            w[i] = std::max(w[i], r[i].size());
    for (const auto& r : rows)
        std::printf("%-*s  %-*s  %-*s  %s\n", int(w[0]), r[0].c_str(), int(w[1]), r[1].c_str(),
                    int(w[2]), r[2].c_str(), r[3].c_str());
    return 0;
}

int exec_fetch(const config::Manifest& m, const std::vector<const config::ManifestKernel*>& ks,
               const config::Lock* lock) {
    std::vector<std::string> args = fetch_command(m, ks, lock);
    std::vector<char*> cargs;
    for (auto& a : args)
        cargs.push_back(a.data());
    cargs.push_back(nullptr);
    std::fflush(stdout);
    execvp("bash", cargs.data());
    return report_error(make_error(ErrorKind::infra, "bash",
                                   std::string("cannot run: ") + std::strerror(errno),
                                   "images/kernels.sh fetches with bash and apt"),
                        false);
}

// source/build: the built-in images/kbuild.sh under bash, given the
// built-in kernels.sh (its apt library), the default fragment and every
// manifest suite (so that the private apt sources stay what fetch writes).
int exec_kbuild(const std::string& cmd, const std::vector<std::string>& args) {
    std::string suites;
    if (auto m = config::Manifest::load()) {
        for (const auto& k : m->kernels())
            suites += (suites.empty() ? "" : " ") + k.suites;
    } else {
        return report_error(m.error(), false);
    }
    std::vector<std::string> argv = {"bash",
                                     "-c",
                                     std::string(config::asset_text(config::Asset::kbuild_sh)),
                                     "images/kbuild.sh",
                                     "--apt-suites",
                                     suites,
                                     cmd};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char*> cargs;
    for (auto& a : argv)
        cargs.push_back(a.data());
    cargs.push_back(nullptr);
    setenv("ITERCONF_KERNELS_SH",
           std::string(config::asset_text(config::Asset::kernels_sh)).c_str(), 1);
    setenv("ITERCONF_FRAGMENT_TEXT",
           std::string(config::asset_text(config::Asset::fragment_config)).c_str(), 1);
    std::fflush(stdout);
    execvp("bash", cargs.data());
    return report_error(make_error(ErrorKind::infra, "bash",
                                   std::string("cannot run: ") + std::strerror(errno),
                                   "images/kbuild.sh builds kernels with bash and make"),
                        false);
}

// lock [FILE]: every manifest kernel as cached, or nothing written.
int write_lock(const config::Manifest& m, const std::string& file) {
    config::Lock lock;
    lock.file = file;
    std::string cache = config::cache_dir();
    for (const auto& k : m.kernels()) {
        auto c = config::cached_kernel(cache, k.name);
        if (!c || !config::intact(*c)) {
            std::fprintf(stderr,
                         "iterconf: error: kernel '%s': %s; run 'iterconf kernels fetch %s' "
                         "first (nothing written)\n",
                         k.name.c_str(),
                         c ? "the cached bzImage does not match its sha256" : "not cached",
                         k.name.c_str());
            return 1;
        }
        lock.kernels.push_back(
            {k.name, c->meta["package"], c->meta["version"], c->meta["bzimage_sha256"]});
    }
    // What the lock says must read back (a meta record from an older cache).
    if (auto back = config::Lock::parse(lock.render(), file); !back)
        return report_error(back.error(), false);
    std::string tmp = file + ".tmp";
    {
        std::FILE* f = std::fopen(tmp.c_str(), "w");
        std::string text = lock.render();
        if (!f || std::fwrite(text.data(), 1, text.size(), f) != text.size() ||
            std::fclose(f) != 0 || std::rename(tmp.c_str(), file.c_str()) != 0) {
            int e = errno;
            std::remove(tmp.c_str());
            return report_error(
                make_error(ErrorKind::io, file,
                           std::string("cannot write the lock file: ") + std::strerror(e),
                           "give a writable FILE"),
                false);
        }
    }
    for (const auto& k : lock.kernels)
        std::printf("%s\t%s\t%s\n", k.name.c_str(), k.package.c_str(), k.version.c_str());
    std::fprintf(stderr, "kernels: wrote %s (%zu kernels)\n", file.c_str(), lock.kernels.size());
    return 0;
}

} // namespace

int cmd_kernels(int argc, char** argv) {
    if (argc < 1 || !std::strcmp(argv[0], "-h") || !std::strcmp(argv[0], "--help")) {
        std::fputs(k_usage, argc < 1 ? stderr : stdout);
        return argc < 1 ? 2 : 0;
    }
    std::string cmd = argv[0];
    std::vector<std::string> args(argv + 1, argv + argc);
    if (cmd == "source" || cmd == "build")
        return exec_kbuild(cmd, args);
    if (cmd == "kinds")
        return kernels_kinds(args);
    if (cmd != "list" && cmd != "names" && cmd != "fetch" && cmd != "path" && cmd != "meta" &&
        cmd != "lock")
        return report_error(usage("unknown command '" + printable(cmd) + "'"), false);
    if (cmd == "lock" && args.size() > 1)
        return report_error(usage("'lock' takes at most one FILE"), false);
    if ((cmd == "list" || cmd == "names") && !args.empty())
        return report_error(usage("'" + cmd + "' takes no arguments"), false);
    if ((cmd == "path" || cmd == "meta") && args.size() != 1)
        return report_error(
            usage("'" + cmd + "' needs exactly one kernel name", "see 'iterconf kernels names'"),
            false);
    auto m = config::Manifest::load();
    if (!m)
        return report_error(m.error(), false);

    if (cmd == "list")
        return list(*m);
    if (cmd == "names") {
        for (const auto& k : m->kernels())
            std::printf("%s\n", k.name.c_str());
        return 0;
    }
    if (cmd == "lock")
        return write_lock(*m, args.empty() ? "images/kernels.lock" : args[0]);
    if (cmd == "fetch") {
        std::vector<const config::ManifestKernel*> ks;
        std::string pin;
        std::vector<std::string> names;
        for (size_t i = 0; i < args.size(); i++) {
            if (args[i] == "--pin" || args[i].rfind("--pin=", 0) == 0) {
                if (args[i] == "--pin" && i + 1 == args.size())
                    return report_error(usage("--pin needs a lock FILE"), false);
                pin = args[i] == "--pin" ? args[++i] : args[i].substr(6);
            } else if (args[i].rfind("-", 0) == 0) {
                return report_error(usage("unknown option '" + printable(args[i]) + "'"), false);
            } else {
                names.push_back(args[i]);
            }
        }
        args = names;
        if (args.empty())
            args.push_back("all");
        for (const auto& a : args) {
            if (a == "all") {
                for (const auto& k : m->kernels())
                    ks.push_back(&k);
                continue;
            }
            auto k = entry(*m, a);
            if (!k)
                return report_error(k.error(), false);
            ks.push_back(*k);
        }
        std::optional<config::Lock> lock;
        if (!pin.empty()) {
            auto l = load_pins(pin, ks);
            if (!l)
                return report_error(l.error(), false);
            lock = std::move(*l);
        }
        return exec_fetch(*m, ks, lock ? &*lock : nullptr);
    }
    auto k = entry(*m, args[0]);
    if (!k)
        return report_error(k.error(), false);
    auto c = config::cached_kernel(config::cache_dir(), (*k)->name);
    if (cmd == "meta") {
        if (!c) {
            std::fprintf(stderr,
                         "iterconf: error: kernel '%s': not cached; run 'iterconf kernels fetch "
                         "%s'\n",
                         (*k)->name.c_str(), (*k)->name.c_str());
            return 1;
        }
        std::fputs(c->meta_text.c_str(), stdout);
        return 0;
    }
    // path
    if (c && config::intact(*c)) {
        std::printf("%s\n", c->bzimage().c_str());
        return 0;
    }
    std::string out, err;
    int rc = run_capture(fetch_command(*m, {*k}), out, err);
    std::fputs(err.c_str(), stderr);
    size_t tab = out.find('\t');
    if (rc != 0 || tab == std::string::npos)
        return rc == 0 ? 1 : rc;
    std::fputs(out.substr(tab + 1).c_str(), stdout);
    return 0;
}

} // namespace iterconf::cli
