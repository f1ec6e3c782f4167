#include "cli/kernels.hpp"

#include "cli/common.hpp"
#include "config/assets.hpp"
#include "qemu/qemu.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <unistd.h>

namespace fs = std::filesystem;

namespace iterconf::cli {

std::vector<std::string> fetch_command(const config::Manifest& manifest,
                                       const std::vector<const config::ManifestKernel*>& kernels,
                                       const config::Lock* lock) {
    // Every suite of the manifest, so that fetching some kernels does not
    // change the private apt sources (and update the lists) each time.
    std::string suites;
    for (const auto& k : manifest.kernels())
        suites += (suites.empty() ? "" : " ") + k.suites;
    std::vector<std::string> argv = {"bash",
                                     "-c",
                                     std::string(config::asset_text(config::Asset::kernels_sh)),
                                     "images/kernels.sh",
                                     "fetch",
                                     "--manifest",
                                     manifest.file(),
                                     "--apt-suites",
                                     suites};
    for (const auto* k : kernels)
        if (const auto* pin = lock ? lock->find(k->name) : nullptr) {
            argv.push_back("--pin");
            argv.push_back(pin->name + "=" + pin->package + "=" + pin->version + "=" + pin->sha256);
        }
    for (const auto* k : kernels)
        argv.push_back(k->name + ":" + k->package + ":" + k->series + ":" + k->suites);
    return argv;
}

Result<config::Lock> load_pins(const std::string& file,
                               const std::vector<const config::ManifestKernel*>& kernels) {
    ITERCONF_TRY_ASSIGN(config::Lock lock, config::Lock::load(file));
    for (const auto* k : kernels)
        if (!lock.find(k->name))
            return make_error(ErrorKind::usage, file, "no entry for kernel '" + k->name + "'",
                              "add it with 'iterconf kernels fetch " + k->name +
                                  "' and 'iterconf kernels lock " + file + "', or drop --pin");
    return lock;
}

bool matches(const config::CachedKernel& c, const config::LockedKernel& pin) {
    auto get = [&](const char* key) {
        auto it = c.meta.find(key);
        return it == c.meta.end() ? std::string() : it->second;
    };
    return get("package") == pin.package && get("version") == pin.version &&
           get("bzimage_sha256") == pin.sha256;
}

std::string agent_path() {
    if (const char* s = std::getenv("ITERCONF_AGENT"))
        return s;
    return ITERCONF_AGENT_DEFAULT;
}

namespace {

// The cached kernel of a manifest entry, fetched first when it is not
// cached, its bzImage no longer has the recorded hash, or it is not the
// version `lock` pins.
Result<config::CachedKernel> manifest_image(const config::Manifest& manifest,
                                            const config::ManifestKernel& k,
                                            const config::Lock* lock, const ResolveOptions& opts) {
    std::string cache = config::cache_dir();
    const config::LockedKernel* pin = lock ? lock->find(k.name) : nullptr;
    if (auto c = config::cached_kernel(cache, k.name);
        c && config::intact(*c) && (!pin || matches(*c, *pin)))
        return std::move(*c);
    if (opts.on_fetch)
        opts.on_fetch(k.name);
    auto say = [&](const std::function<void()>& f) {
        if (opts.say)
            opts.say(f);
        else
            f();
    };
    if (opts.verbose)
        say([&] {
            std::fprintf(stderr, "iterconf: kernel '%s': fetching (images/kernels.sh)\n",
                         k.name.c_str());
        });
    std::string out, err;
    int rc = run_capture(fetch_command(manifest, {&k}, lock), out, err);
    say([&] {
        if (opts.verbose) {
            std::fputs(err.c_str(), stderr);
            return;
        }
        for (std::string_view l : split_lines(err))
            if (l.rfind("iterconf: drift: ", 0) == 0)
                std::fprintf(stderr, "%.*s\n", int(l.size()), l.data());
    });
    auto c = config::cached_kernel(cache, k.name);
    if (rc == 0 && c && pin && !matches(*c, *pin))
        return make_error(ErrorKind::infra, "kernel '" + k.name + "'",
                          "the cache has " + c->meta["version"] + ", not the pinned " +
                              pin->version + " (another fetch moved it)",
                          "rerun");
    if (rc != 0 || !c) {
        // kernels.sh: "iterconf: error: kernel 'NAME': what"
        std::string what;
        for (std::string_view l : split_lines(err))
            if (l.rfind("iterconf: error: ", 0) == 0) {
                what = std::string(l.substr(17));
                break;
            }
        std::string prefix = "kernel '" + k.name + "': ";
        if (what.rfind(prefix, 0) == 0)
            what = what.substr(prefix.size());
        return make_error(ErrorKind::infra, "kernel '" + k.name + "'",
                          what.empty() ? "cannot be fetched (exit " + std::to_string(rc) + ")"
                                       : what);
    }
    return std::move(*c);
}

std::string label_for_path(const std::string& path) {
    std::string l = fs::path(path).filename().string();
    for (char& c : l)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_')
            c = '_';
    return l.empty() ? "kernel" : l;
}

} // namespace

Result<std::vector<Kernel>> resolve_kernels(const std::vector<std::string>& specs,
                                            const ResolveOptions& opts) {
    std::vector<std::string> items;
    for (const auto& s : specs) {
        size_t b = 0;
        while (b <= s.size()) {
            size_t e = s.find(',', b);
            if (e == std::string::npos)
                e = s.size();
            if (e > b)
                items.push_back(s.substr(b, e - b));
            b = e + 1;
        }
    }
    if (items.empty())
        items.push_back("host");
    std::optional<config::Manifest> manifest;
    auto get_manifest = [&]() -> Result<void> {
        if (!manifest) {
            ITERCONF_TRY_ASSIGN(auto m, config::Manifest::load());
            manifest = std::move(m);
        }
        return {};
    };
    std::vector<std::string> expanded;
    for (const auto& it : items) {
        if (it == "all") {
            ITERCONF_TRY(get_manifest());
            expanded.push_back("host");
            for (const auto& k : manifest->kernels())
                expanded.push_back(k.name);
        } else {
            expanded.push_back(it);
        }
    }
    // --pin: the lock file, checked before anything is fetched.
    std::optional<config::Lock> lock;
    if (!opts.pin.empty()) {
        ITERCONF_TRY(get_manifest());
        std::vector<const config::ManifestKernel*> pinned;
        for (const auto& it : expanded)
            if (const auto* mk = manifest->find(it); mk && !fs::exists(it))
                pinned.push_back(mk);
        ITERCONF_TRY_ASSIGN(auto l, load_pins(opts.pin, pinned));
        lock = std::move(l);
    }
    std::vector<Kernel> targets;
    for (const auto& it : expanded) {
        if (std::any_of(targets.begin(), targets.end(),
                        [&](const Kernel& t) { return t.source == it; }))
            continue;
        Kernel t;
        t.source = it;
        if (it == "host") {
            t.host = true;
            t.label = "host";
            targets.push_back(t);
            continue;
        }
        bool is_path = it.find('/') != std::string::npos || fs::exists(it);
        if (!is_path) {
            ITERCONF_TRY(get_manifest());
            const config::ManifestKernel* mk = manifest->find(it);
            if (!mk) {
                std::string known;
                for (const auto& n : manifest->names())
                    known += (known.empty() ? "" : ", ") + n;
                return make_error(ErrorKind::usage, "kernel '" + it + "'",
                                  "not 'host', 'all', a manifest name or an existing file",
                                  "manifest kernels: " + known);
            }
            t.label = it;
            if (auto r = manifest_image(*manifest, *mk, lock ? &*lock : nullptr, opts)) {
                t.image = r->bzimage();
                t.package = r->meta["package"] + " " + r->meta["version"];
                t.meta_text = r->meta_text;
            } else {
                t.error = r.take_error();
                t.error_exit = 1;
            }
        } else {
            t.image = it;
            t.label = label_for_path(it);
        }
        // Labels name output directories: keep them unique.
        for (std::string base = t.label;
             std::any_of(targets.begin(), targets.end(),
                         [&](const Kernel& o) { return o.label == t.label; });)
            t.label = base + "-" + std::to_string(targets.size());
        if (!t.error) {
            if (auto c = qemu::check_kernel_image(t.image); !c) {
                t.error = c.error();
                t.error_exit = 2;
            }
        }
        targets.push_back(t);
    }
    return targets;
}

} // namespace iterconf::cli
