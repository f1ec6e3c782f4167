// fuzz_guest_channel: the lines the host reads back from the guest agent's
// result channel (qemu/channel: parse_channel_line, format_channel_line).
//
// Input: channel text, one message per line. Invariants:
//  - a line parses or is an error that is one printable line;
//  - a parsed line, written as the agent writes it, parses to the same
//    message (and that text is a fixed point);
//  - indices are what the line says: BEGIN/LOG/REC <i> parse only when <i>
//    is plain decimal digits, and then to that number;
//  - FATAL always parses, with a non-empty `what` (a broken FATAL must still
//    stop the kernel, never pass as nothing).
#include "check.hpp"
#include "qemu/channel.hpp"

#include <cstdint>
#include <string>

using namespace iterconf::fuzz;
using iterconf::qemu::ChannelLine;

namespace {

bool same(const ChannelLine& a, const ChannelLine& b) {
    return a.kind == b.kind && a.index == b.index && a.text == b.text && a.release == b.release &&
           a.uptime == b.uptime && a.programs == b.programs && a.start == b.start &&
           a.where == b.where && a.what == b.what && a.hint == b.hint;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string text(reinterpret_cast<const char*>(data), size);
    for (const std::string& line : split_lines(text)) {
        auto l = iterconf::qemu::parse_channel_line(line);
        std::string stripped = line;
        while (!stripped.empty() && stripped.back() == '\r')
            stripped.pop_back();
        std::string tag = stripped.substr(0, stripped.find(' '));
        if (!l) {
            check_error_line(l.error(), "parse_channel_line");
            PARSERS_CHECK(tag != "FATAL", "a FATAL line was refused: " + l.error().message());
            continue;
        }
        if (l->kind == ChannelLine::Kind::fatal)
            PARSERS_CHECK(!l->what.empty(), "FATAL with an empty what");
        if (l->kind == ChannelLine::Kind::begin || l->kind == ChannelLine::Kind::log ||
            l->kind == ChannelLine::Kind::rec) {
            std::string digits = stripped.substr(tag.size() + 1);
            digits = digits.substr(0, digits.find(' '));
            PARSERS_CHECK(!digits.empty() &&
                              digits.find_first_not_of("0123456789") == std::string::npos,
                          "index '" + digits + "' accepted");
            PARSERS_CHECK(std::stoull(digits) == l->index, "index '" + digits + "' misread");
        }
        std::string written = iterconf::qemu::format_channel_line(*l);
        PARSERS_CHECK(written.find('\n') == std::string::npos, "written line has a newline");
        auto back = iterconf::qemu::parse_channel_line(written);
        PARSERS_CHECK(back.ok(), "written line does not parse: " + written + ": " +
                                     (back ? std::string() : back.error().message()));
        PARSERS_CHECK(same(*l, *back), "written line parses to another message: " + written);
        PARSERS_CHECK(iterconf::qemu::format_channel_line(*back) == written,
                      "not a fixed point: " + written);
    }
    return 0;
}
