#include "cli/kernels.hpp"

#include "cli/common.hpp"
#include "cli/manifest.hpp"
#include "qemu/qemu.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <unistd.h>

namespace fs = std::filesystem;

namespace iterconf::cli {

std::string kernels_script() {
    return source_dir() + "/images/kernels.sh";
}

std::string agent_path() {
    if (const char* s = std::getenv("ITERCONF_AGENT"))
        return s;
    return ITERCONF_AGENT_DEFAULT;
}

namespace {

std::string first_line(const std::string& s) {
    std::string l = s.substr(0, s.find('\n'));
    const std::string prefix = "iterconf: error: ";
    if (l.rfind(prefix, 0) == 0)
        l = l.substr(prefix.size());
    return l;
}

Result<std::vector<std::string>> manifest_names() {
    std::string out, err;
    int rc = run_capture({"bash", kernels_script(), "names"}, out, err);
    if (rc != 0)
        return make_error(ErrorKind::infra, kernels_script(),
                          "cannot read the kernel manifest: " + first_line(err),
                          "check images/kernels.toml");
    return parse_manifest_names(out);
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
    std::optional<std::vector<std::string>> names;
    auto get_names = [&]() -> Result<void> {
        if (!names) {
            ITERCONF_TRY_ASSIGN(auto n, manifest_names());
            names = std::move(n);
        }
        return {};
    };
    std::vector<std::string> expanded;
    for (const auto& it : items) {
        if (it == "all") {
            ITERCONF_TRY(get_names());
            expanded.push_back("host");
            for (const auto& n : *names)
                expanded.push_back(n);
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
            ITERCONF_TRY(get_names());
            if (std::find(names->begin(), names->end(), it) == names->end()) {
                std::string known;
                for (const auto& n : *names)
                    known += (known.empty() ? "" : ", ") + n;
                return make_error(ErrorKind::usage, "kernel '" + it + "'",
                                  "not 'host', 'all', a manifest name or an existing file",
                                  "manifest kernels: " + known);
            }
            t.label = it;
            if (verbose)
                std::fprintf(stderr, "iterconf: kernel '%s': resolving (images/kernels.sh)\n",
                             it.c_str());
            std::string out, err;
            int rc = run_capture({"bash", kernels_script(), "path", it}, out, err);
            while (!out.empty() && (out.back() == '\n' || out.back() == ' '))
                out.pop_back();
            if (rc != 0 || out.empty()) {
                std::string what = first_line(err);
                std::string prefix = "kernel '" + it + "': ";
                if (what.rfind(prefix, 0) == 0)
                    what = what.substr(prefix.size());
                t.error = make_error(ErrorKind::infra, "kernel '" + it + "'",
                                     what.empty() ? "cannot be fetched" : what);
                t.error_exit = 1;
            } else {
                t.image = out;
                std::string mout, merr;
                if (run_capture({"bash", kernels_script(), "meta", it}, mout, merr) == 0) {
                    auto meta = parse_meta(mout);
                    t.package = meta["package"] + " " + meta["version"];
                }
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
