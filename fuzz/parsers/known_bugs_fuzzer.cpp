// fuzz_known_bugs: the known-bugs list reader (judge::KnownBugs::parse over
// the TOML subset of common/toml, images/known-bugs.toml).
//
// Input: the file's text. Invariants:
//  - an error is one printable line whose `where` is the file and a line
//    number that exists in the input;
//  - every accepted entry has program, kernels, reason and link, and its
//    `where` names the line of its [[bug]], which holds "[[bug]]";
//  - the entries written back as TOML (quotes and backslashes escaped) read
//    back to the same entries;
//  - find() returns an entry for a literal program id on a kernel its range
//    holds, and never an entry whose range excludes the kernel.
#include "check.hpp"
#include "common/toml.hpp"
#include "judge/judge.hpp"

#include <cstdint>
#include <string>

using namespace iterconf::fuzz;
using iterconf::expect::KernelVersion;
using iterconf::judge::KnownBug;
using iterconf::judge::KnownBugs;

namespace {

const std::string k_file = "known-bugs.toml";

bool is_glob(const std::string& s) {
    return s.find_first_of("*?[\\") != std::string::npos;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string text(reinterpret_cast<const char*>(data), size);
    size_t nlines = split_lines(text).size();
    auto bugs = KnownBugs::parse(text, k_file);
    if (!bugs) {
        const auto& e = bugs.error();
        check_error_line(e, "KnownBugs::parse");
        PARSERS_CHECK(e.where.rfind(k_file + ":", 0) == 0, e.message());
        long line = std::strtol(e.where.c_str() + k_file.size() + 1, nullptr, 10);
        PARSERS_CHECK(line >= 1 && static_cast<size_t>(line) <= nlines, e.message());
        return 0;
    }

    std::string written = "# written back by fuzz_known_bugs\n";
    for (const auto& b : bugs->entries()) {
        PARSERS_CHECK(!b.program.empty() && !b.reason.empty() && !b.link.empty(), b.where);
        PARSERS_CHECK(!b.kernels.bounds.empty(), b.where);
        PARSERS_CHECK(b.where.rfind(k_file + ":", 0) == 0, b.where);
        long line = std::strtol(b.where.c_str() + k_file.size() + 1, nullptr, 10);
        PARSERS_CHECK(line >= 1 && static_cast<size_t>(line) <= nlines &&
                          split_lines(text)[line - 1].find("[[bug]]") != std::string::npos,
                      b.where + " is not a [[bug]] line");
        written += "\n[[bug]]\nprogram = " + iterconf::toml::quote(b.program) +
                   "\nkernels = " + iterconf::toml::quote(b.kernels.text) +
                   "\nreason = " + iterconf::toml::quote(b.reason) +
                   "\nlink = " + iterconf::toml::quote(b.link) + "\n";
    }
    auto again = KnownBugs::parse(written, "written.toml");
    PARSERS_CHECK(again.ok(), "entries written back do not parse: " +
                                  (again ? std::string() : again.error().message()) + "\n" +
                                  written);
    PARSERS_CHECK(again->entries().size() == bugs->entries().size(), written);
    for (size_t i = 0; i < bugs->entries().size(); i++) {
        const KnownBug& a = bugs->entries()[i];
        const KnownBug& b = again->entries()[i];
        PARSERS_CHECK(a.program == b.program && a.kernels.text == b.kernels.text &&
                          a.reason == b.reason && a.link == b.link,
                      "entry " + std::to_string(i) + " changed when written back:\n" + written);
    }

    for (const auto& b : bugs->entries()) {
        std::vector<KernelVersion> probes;
        for (const auto& bound : b.kernels.bounds) {
            probes.push_back(bound.version);
            KernelVersion up = bound.version;
            up.v[2]++;
            probes.push_back(up);
        }
        for (const auto& k : probes) {
            const KnownBug* f = bugs->find(b.program, k);
            if (f)
                PARSERS_CHECK(f->kernels.contains(k), f->where + " on " + k.str());
            if (!is_glob(b.program) && b.kernels.contains(k))
                PARSERS_CHECK(f != nullptr,
                              b.where + ": '" + b.program + "' not found on " + k.str());
        }
    }
    return 0;
}
