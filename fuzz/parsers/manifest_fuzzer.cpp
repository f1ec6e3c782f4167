// fuzz_manifest: the kernel manifest (images/kernels.toml) read in-process
// by config::Manifest over the TOML subset (common/toml), and a cached
// kernel's meta record (config::parse_meta).
//
// Invariants:
//  - an error is one printable line whose `where` is the file, with a line
//    number that exists in the input when it has one;
//  - an accepted manifest has at least one kernel; the names are unique,
//    match [A-Za-z0-9][A-Za-z0-9._-]*, are not "host" or "all", and each is
//    the [table] on the line recorded for it; package, suites and series
//    match their grammars (checked here with std::regex, a second reading);
//  - the entries written back as a manifest read back the same (names,
//    fields, order);
//  - parse_meta (the same text read as a meta record) keeps the first value
//    of each key, and no value spans lines.
#include "check.hpp"
#include "common/toml.hpp"
#include "config/manifest.hpp"

#include <cstdint>
#include <cstdlib>
#include <regex>
#include <string>

using namespace iterconf::fuzz;
using iterconf::config::Manifest;

namespace {

const std::string k_file = "kernels.toml";

void check_meta(const std::string& text) {
    auto meta = iterconf::config::parse_meta(text);
    for (const auto& [k, v] : meta) {
        PARSERS_CHECK(v.find('\n') == std::string::npos && k.find('\n') == std::string::npos,
                      "meta key or value spans lines");
        std::string first;
        bool found = false;
        for (const auto& l : split_lines(text)) {
            size_t eq = l.find('=');
            if (eq != std::string::npos && l.substr(0, eq) == k) {
                first = l.substr(eq + 1);
                found = true;
                break;
            }
        }
        PARSERS_CHECK(found && first == v, "meta '" + k + "' is not its first value");
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string text(reinterpret_cast<const char*>(data), size);
    check_meta(text);
    auto lines = split_lines(text);
    auto m = Manifest::parse(text, k_file);
    if (!m) {
        const auto& e = m.error();
        check_error_line(e, "Manifest::parse");
        PARSERS_CHECK(e.where.rfind(k_file, 0) == 0, e.message());
        if (e.where.size() > k_file.size()) {
            PARSERS_CHECK(e.where[k_file.size()] == ':', e.message());
            long line = std::strtol(e.where.c_str() + k_file.size() + 1, nullptr, 10);
            PARSERS_CHECK(line >= 1 && static_cast<size_t>(line) <= lines.size(), e.message());
        }
        return 0;
    }

    static const std::regex name_re("[A-Za-z0-9][A-Za-z0-9._-]*");
    static const std::regex package_re("[a-z0-9][a-z0-9.+-]+");
    static const std::regex suites_re("[a-z0-9][a-z0-9.-]*( +[a-z0-9][a-z0-9.-]*)*");
    static const std::regex series_re("([0-9]+(\\.[0-9]+)*)?");
    PARSERS_CHECK(!m->kernels().empty(), "no kernels, yet accepted");
    std::string written = "# written back by fuzz_manifest\n";
    for (size_t i = 0; i < m->kernels().size(); i++) {
        const auto& k = m->kernels()[i];
        PARSERS_CHECK(std::regex_match(k.name, name_re) && k.name != "host" && k.name != "all",
                      "bad name '" + k.name + "'");
        for (size_t j = 0; j < i; j++)
            PARSERS_CHECK(m->kernels()[j].name != k.name, "kernel '" + k.name + "' twice");
        PARSERS_CHECK(m->find(k.name) == &k, k.name);
        PARSERS_CHECK(k.line >= 1 && k.line <= lines.size(), k.name);
        PARSERS_CHECK(lines[k.line - 1].find("[" + k.name + "]") != std::string::npos,
                      "kernel '" + k.name + "' is no table on its line");
        PARSERS_CHECK(std::regex_match(k.package, package_re), k.package);
        PARSERS_CHECK(std::regex_match(k.suites, suites_re), k.suites);
        PARSERS_CHECK(std::regex_match(k.series, series_re), k.series);
        written += "\n[" + k.name + "]\ndescription = " + iterconf::toml::quote(k.description) +
                   "\nsuites = " + iterconf::toml::quote(k.suites) +
                   "\npackage = " + iterconf::toml::quote(k.package) + "\n";
        if (!k.series.empty())
            written += "series = " + iterconf::toml::quote(k.series) + "\n";
    }
    auto again = Manifest::parse(written, "written.toml");
    PARSERS_CHECK(again.ok(), "written back, it does not parse: " +
                                  (again ? std::string() : again.error().message()) + "\n" +
                                  written);
    PARSERS_CHECK(again->kernels().size() == m->kernels().size(), written);
    for (size_t i = 0; i < m->kernels().size(); i++) {
        const auto& a = m->kernels()[i];
        const auto& b = again->kernels()[i];
        PARSERS_CHECK(a.name == b.name && a.description == b.description && a.suites == b.suites &&
                          a.package == b.package && a.series == b.series,
                      "kernel '" + a.name + "' changed when written back:\n" + written);
    }
    return 0;
}
