#include "cli/manifest.hpp"

#include <algorithm>

namespace iterconf::cli {

namespace {

bool valid_name(const std::string& n) {
    auto ok = [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               c == '.' || c == '_' || c == '-';
    };
    return !n.empty() && ok(n[0]) && n[0] != '.' && n[0] != '_' && n[0] != '-' &&
           std::all_of(n.begin(), n.end(), ok) && n != "host" && n != "all";
}

} // namespace

Result<std::vector<std::string>> parse_manifest_names(const std::string& out) {
    std::vector<std::string> names;
    for (std::string_view v : split_lines(out)) {
        std::string l(v);
        if (l.empty())
            continue;
        if (!valid_name(l))
            return make_error(ErrorKind::infra, "images/kernels.sh names",
                              "printed '" + printable(l) + "', which is not a kernel name",
                              "check images/kernels.toml and images/kernels.sh");
        if (std::find(names.begin(), names.end(), l) != names.end())
            return make_error(ErrorKind::infra, "images/kernels.sh names",
                              "printed kernel '" + l + "' twice",
                              "check images/kernels.toml and images/kernels.sh");
        names.push_back(l);
    }
    return names;
}

std::map<std::string, std::string> parse_meta(const std::string& out) {
    std::map<std::string, std::string> meta;
    for (std::string_view v : split_lines(out)) {
        std::string l(v);
        size_t eq = l.find('=');
        if (eq == std::string::npos)
            continue;
        meta.emplace(l.substr(0, eq), l.substr(eq + 1));
    }
    return meta;
}

} // namespace iterconf::cli
