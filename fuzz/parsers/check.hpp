// Invariant checks shared by the parser fuzz targets: a failed check prints
// what was violated and aborts, which libFuzzer (and the replay driver)
// report as a finding with the input that caused it.
#pragma once

#include "common/result.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace iterconf::fuzz {

[[noreturn]] inline void violated(const char* file, int line, const std::string& what) {
    std::fprintf(stderr, "%s:%d: invariant violated: %s\n", file, line, what.c_str());
    std::fflush(nullptr);
    std::abort();
}

#define PARSERS_CHECK(cond, what)                                                                  \
    do {                                                                                           \
        if (!(cond))                                                                               \
            ::iterconf::fuzz::violated(__FILE__, __LINE__, std::string(#cond ": ") + (what));      \
    } while (0)

// The house rule for bad input: the error is one printable line that says
// what is wrong. Control characters from the input must not reach it raw.
inline void check_error_line(const Error& e, const std::string& context) {
    std::string m = e.message();
    PARSERS_CHECK(!e.what.empty(), context + ": error with an empty 'what'");
    for (unsigned char c : m)
        PARSERS_CHECK(c >= 0x20 && c != 0x7f,
                      context + ": control character in error message: " + m);
}

// The lines of s as strings (common split_lines()).
inline std::vector<std::string> split_lines(std::string_view s) {
    auto lines = iterconf::split_lines(s);
    return {lines.begin(), lines.end()};
}

} // namespace iterconf::fuzz
