// The guest's kernel console, scanned for trouble: panics, oopses, BUG:,
// WARNING: and lockups. The patterns are data (images/console/deny.re).
#pragma once

#include "common/result.hpp"

#include <optional>
#include <regex>
#include <string>
#include <vector>

namespace iterconf::target {

struct Splat {
    std::string line;    // the first console line that matched
    std::string pattern; // the pattern it matched
    std::string excerpt; // from the last agent marker (or the splat) to the end, bounded
    std::string after;   // "<i> <id>" of the last agent marker before the splat, or ""
};

class ConsoleScanner {
  public:
    // One ERE per line; blank lines and '#' comments are skipped.
    static Result<ConsoleScanner> load(const std::string& path);
    static Result<ConsoleScanner> parse(const std::string& text, const std::string& file);

    // The first splat in `console`, if any. The excerpt starts at the last
    // "iterconf-agent: begin" marker before the splat and holds at most
    // `max_lines` lines. With `from` set, scanning starts at the last line
    // that contains it (the marker of the program in flight).
    std::optional<Splat> scan(const std::string& console, size_t max_lines = 60,
                              const std::string& from = "") const;

  private:
    std::vector<std::pair<std::string, std::regex>> m_patterns;
};

// The last `n` lines of text.
std::string tail(const std::string& text, size_t n);

} // namespace iterconf::target
