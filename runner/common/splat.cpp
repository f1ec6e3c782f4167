#include "common/splat.hpp"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace iterconf {

namespace {

// Generated at configure time from images/console/deny.re (runner/CMakeLists.txt).
#include "deny_re.inc"

} // namespace

Result<SplatPatterns> SplatPatterns::parse(const std::string& text, const std::string& file) {
    SplatPatterns s;
    size_t lineno = 0;
    for (std::string_view l : split_lines(text)) {
        lineno++;
        std::string line(l);
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        if (line.empty() || line[0] == '#')
            continue;
        try {
            s.m_patterns.emplace_back(line, std::regex(line, std::regex::extended));
        } catch (const std::regex_error& e) {
            return make_error(ErrorKind::input, file + ":" + std::to_string(lineno),
                              std::string("bad regex: ") + e.what());
        }
    }
    if (s.m_patterns.empty())
        return make_error(ErrorKind::input, file, "no patterns",
                          "a console scanner without patterns would pass every crash");
    return s;
}

Result<SplatPatterns> SplatPatterns::load(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return make_error(ErrorKind::io, path, "cannot read the console patterns",
                          "the source tree's images/console/deny.re; set ITERCONF_SOURCE_DIR");
    std::ostringstream ss;
    ss << in.rdbuf();
    return parse(ss.str(), path);
}

const SplatPatterns& SplatPatterns::builtin() {
    static const SplatPatterns s = [] {
        auto p = parse(k_deny_re, "images/console/deny.re (built in)");
        if (!p) {
            // unit.Splat.BuiltinIsDenyRe parses the same text: a broken
            // deny.re fails the build's tests before any run gets here.
            std::fprintf(stderr, "iterconf: error: %s\n", p.error().message().c_str());
            std::abort();
        }
        return std::move(*p);
    }();
    return s;
}

const std::string* SplatPatterns::match(std::string_view line) const {
    for (const auto& [text, re] : m_patterns)
        if (std::regex_search(line.begin(), line.end(), re))
            return &text;
    return nullptr;
}

} // namespace iterconf
