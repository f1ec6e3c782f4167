// The guest's kernel console, scanned for trouble: panics, oopses, BUG:,
// WARNING: and lockups. The patterns are data (images/console/deny.re,
// common/splat.hpp, the same list the kernel-log watcher uses).
#pragma once

#include "common/result.hpp"
#include "common/splat.hpp"

#include <optional>
#include <string>
#include <vector>

namespace iterconf::qemu {

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
    ConsoleScanner() = default;
    explicit ConsoleScanner(SplatPatterns p) : m_patterns(std::move(p)) {}

    // The first splat in `console`, if any. The excerpt starts at the last
    // "iterconf-agent: begin" marker before the splat and holds at most
    // `max_lines` lines. With `from` set, scanning starts at the last line
    // that contains it (the marker of the program in flight).
    //
    // A splat the agent already judged is skipped: when the agent's
    // kernel-log watcher saw it during program <i>'s load (a WARN that did
    // not take the guest down, e.g. with panic_on_warn=0) that record is
    // `crash` with the excerpt, and the agent writes
    // "iterconf-agent: kmsg splat attributed to <i> <id>" after it; lines
    // between "begin <i> <id>" and that marker are not scanned.
    std::optional<Splat> scan(const std::string& console, size_t max_lines = 60,
                              const std::string& from = "") const;

    const SplatPatterns& patterns() const { return m_patterns; }

  private:
    SplatPatterns m_patterns;
};

// The marker the agent writes to the kernel log after a splat its watcher
// attributed to program "<i> <id>" (see ConsoleScanner::scan).
inline constexpr const char* k_attributed_marker = "iterconf-agent: kmsg splat attributed to ";

// The last `n` lines of text.
std::string tail(const std::string& text, size_t n);

} // namespace iterconf::qemu
