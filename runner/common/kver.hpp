// Kernel versions: the one parser of release strings, and version ranges
// (the __kver_* annotations, the known-bugs list). Used by expect, judge,
// the model's KernelFeatures and the generator's kind table (gen/kinds):
// standard library and common/result only.
//
// A range is one or two bounds separated by spaces: ">=6.9", "<7.0",
// ">=6.12.5 <6.13". Versions compare numerically component by component,
// missing components being 0, so "<6.13" excludes 6.13-rc1 and ">=6.12.5"
// includes 6.12.117. A release string such as "6.12.57+deb13-cloud-amd64"
// or "7.3.0-rc2" is read up to its first character that is not a digit or
// a dot.
#pragma once

#include "common/result.hpp"

#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace iterconf {

struct KernelVersion {
    std::array<int, 3> v{0, 0, 0};
    auto operator<=>(const KernelVersion&) const = default;
    std::string str() const; // "6.12.5"
};

// "6.18.44-fc-v657" -> 6.18.44. Error when it does not start with N.N.
Result<KernelVersion> parse_release(std::string_view release);

struct VersionBound {
    enum class Op { ge, lt, gt, le, eq };
    Op op = Op::ge;
    KernelVersion version;
};

struct KverRange {
    std::string text; // as written, for messages
    std::vector<VersionBound> bounds;
    bool contains(const KernelVersion& k) const;
};

// Parses ">=X", "<X", ">X", "<=X", "==X" bounds joined by spaces. The error's
// `what` says what is wrong; the caller fills in `where`.
Result<KverRange> parse_range(std::string_view text);

} // namespace iterconf
