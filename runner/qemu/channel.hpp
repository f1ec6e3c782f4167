// The guest agent's result channel, read back on the host: one line per
// message on the second serial port (runner/README.md, "The guest protocol"):
//   HELLO {"kernel":"<uname -r>","uptime":SECONDS,"programs":N,"start":S}
//   BEGIN <i> <case>/<program>
//   LOG <i> "<verifier log, JSON string>"
//   REC <i> {<record, contract 2>}
//   DONE [{"phases":[["<phase>",SECONDS],...]}]   the agent's time per phase
//   FATAL {"where":...,"what":...,"hint":...}
// Only the agent and /init write to that port, so a line that is none of
// these means the channel is broken: the parser says so, and run_guest()
// fails closed instead of guessing.
#pragma once

#include "common/phases.hpp"
#include "common/result.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace iterconf::qemu {

struct ChannelLine {
    enum class Kind { hello, begin, log, rec, done, fatal };
    Kind kind = Kind::done;
    size_t index = 0;               // begin, log, rec: the plan index
    std::string text;               // begin: the test id; log: the log; rec: the record JSON
    std::string release;            // hello
    double uptime = 0;              // hello: the guest's uptime in seconds (>= 0)
    std::optional<size_t> programs; // hello: the size of the guest's plan
    std::optional<size_t> start;    // hello: the first program of this boot
    std::string where, what, hint;  // fatal (what is never empty)
    Phases phases;                  // done: the agent's seconds per phase in this boot
};

// Parses one line without its '\n' (trailing '\r's are dropped). A FATAL
// line always parses, so that a broken one still stops the kernel: an
// unreadable body becomes its `what`. Any other malformed line is an error
// whose `what` quotes it.
Result<ChannelLine> parse_channel_line(std::string_view line);

// The line the agent writes for `l` (no '\n'); parse_channel_line() reads
// it back to `l`.
std::string format_channel_line(const ChannelLine& l);

} // namespace iterconf::qemu
