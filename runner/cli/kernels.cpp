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
                                       const std::vector<const config::ManifestKernel*>& kernels) {
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
        argv.push_back(k->name + ":" + k->package + ":" + k->series + ":" + k->suites);
    return argv;
}

std::string agent_path() {
    if (const char* s = std::getenv("ITERCONF_AGENT"))
        return s;
    return ITERCONF_AGENT_DEFAULT;
}

namespace {

// The cached kernel of a manifest entry, fetched first when it is not
// cached or its bzImage no longer has the recorded hash.
Result<config::CachedKernel> manifest_image(const config::Manifest& manifest,
                                            const config::ManifestKernel& k, bool verbose) {
    std::string cache = config::cache_dir();
    if (auto c = config::cached_kernel(cache, k.name); c && config::intact(*c))
        return std::move(*c);
    if (verbose)
        std::fprintf(stderr, "iterconf: kernel '%s': fetching (images/kernels.sh)\n",
                     k.name.c_str());
    std::string out, err;
    int rc = run_capture(fetch_command(manifest, {&k}), out, err);
    if (verbose)
        std::fputs(err.c_str(), stderr);
    auto c = config::cached_kernel(cache, k.name);
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

Result<std::vector<Kernel>> resolve_kernels(const std::vector<std::string>& specs, bool verbose) {
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
            if (auto r = manifest_image(*manifest, *mk, verbose)) {
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
