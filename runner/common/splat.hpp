// Kernel-log lines that mean the kernel is in trouble (panic, oops, BUG:,
// WARNING:, "verifier bug", sanitizer reports, lockups): the patterns of
// images/console/deny.re, one POSIX ERE per line. Shared by the guest
// console scanner (target/console) and the kernel-log watcher of host and
// guest loads (load/kmsg), so both judge a line by the same list.
#pragma once

#include "common/result.hpp"

#include <regex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace iterconf {

class SplatPatterns {
  public:
    // One ERE per line; blank lines and '#' comments are skipped. No
    // pattern at all is an error: such a list would pass every crash.
    static Result<SplatPatterns> parse(const std::string& text, const std::string& file);
    static Result<SplatPatterns> load(const std::string& path);
    // images/console/deny.re as it was when this binary was built (the
    // static guest agent has no source tree to read it from).
    static const SplatPatterns& builtin();

    // The first pattern (its text) that `line` matches, or nullptr.
    const std::string* match(std::string_view line) const;
    size_t size() const { return m_patterns.size(); }

  private:
    std::vector<std::pair<std::string, std::regex>> m_patterns;
};

} // namespace iterconf
