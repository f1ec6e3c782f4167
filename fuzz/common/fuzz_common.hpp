// Shared by the fuzz targets: skipping with a reason, and the environment
// switches every target understands.
#pragma once

#include <string>

namespace iterconf::fuzz {

// Prints "SKIP: <reason>" and exits 77 (ctest's skip code), unless
// ITERCONF_REQUIRE names `need` (CI sets it so the core never skips): then
// the reason is printed as an error and the process exits 1.
[[noreturn]] void skip(const std::string& need, const std::string& reason);

// Where a target writes reproducers and findings: $ITERCONF_FUZZ_OUT/<target>
// (created), default "fuzz-out/<target>" under the current directory.
std::string out_dir(const std::string& target);

} // namespace iterconf::fuzz
