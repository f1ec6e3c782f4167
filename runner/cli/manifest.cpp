#include "cli/manifest.hpp"

#include <algorithm>

namespace iterconf::cli {

namespace {

std::vector<std::string> lines_of(const std::string& s) {
    std::vector<std::string> out;
    size_t b = 0;
    while (b < s.size()) {
        size_t e = s.find('\n', b);
        if (e == std::string::npos)
            e = s.size();
        out.push_back(s.substr(b, e - b));
        b = e + 1;
    }
    return out;
}

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
    for (const std::string& l : lines_of(out)) {
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
    for (const std::string& l : lines_of(out)) {
        size_t eq = l.find('=');
        if (eq == std::string::npos)
            continue;
        meta.emplace(l.substr(0, eq), l.substr(eq + 1));
    }
    return meta;
}

} // namespace iterconf::cli
