#include "qemu/channel.hpp"

#include "record/json.hpp"
#include "record/record.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace iterconf::qemu {

namespace {

// The line as quoted in an error: printable, and short.
std::string excerpt(std::string_view line) {
    if (line.size() > 120)
        return printable(line.substr(0, 120)) + "...";
    return printable(line);
}

// A plan index: decimal digits only, no sign, at most 9 digits (plans are
// far smaller), so that "-1" or "1x" is never read as some other number.
std::optional<size_t> read_index(std::string_view s) {
    if (s.empty() || s.size() > 9)
        return std::nullopt;
    size_t n = 0;
    for (char c : s) {
        if (c < '0' || c > '9')
            return std::nullopt;
        n = n * 10 + static_cast<size_t>(c - '0');
    }
    return n;
}

// A JSON number that is a count: integral, >= 0 and exactly representable.
std::optional<size_t> as_count(const record::json::Value& v) {
    const double* d = v.as_number();
    if (!d || !(*d >= 0) || *d > 9007199254740992.0 || *d != std::floor(*d))
        return std::nullopt;
    return static_cast<size_t>(*d);
}

} // namespace

Result<ChannelLine> parse_channel_line(std::string_view line) {
    while (!line.empty() && line.back() == '\r')
        line.remove_suffix(1);
    auto bad = [&](const std::string& why) {
        return make_error(ErrorKind::infra, "",
                          "bad line on the result channel (" + why + "): '" + excerpt(line) + "'",
                          "the agent or the serial channel is broken; console and channel are "
                          "in the kernel's work directory");
    };
    size_t sp = line.find(' ');
    std::string_view tag = line.substr(0, sp);
    std::string_view rest = sp == std::string_view::npos ? std::string_view() : line.substr(sp + 1);
    ChannelLine l;

    if (tag == "DONE") {
        l.kind = ChannelLine::Kind::done;
        if (sp == std::string_view::npos)
            return l;
        auto v = record::json::parse(std::string(rest));
        const record::json::Object* o = v ? v->as_object() : nullptr;
        if (!o)
            return bad("DONE takes nothing or a JSON object");
        if (auto it = o->find("phases"); it != o->end()) {
            const record::json::Array* a = it->second.as_array();
            if (!a)
                return bad("DONE's 'phases' is not a list");
            for (const auto& e : *a) {
                const record::json::Array* pair = e.as_array();
                const std::string* name =
                    pair && pair->size() == 2 ? (*pair)[0].as_string() : nullptr;
                const double* secs = name ? (*pair)[1].as_number() : nullptr;
                if (!secs || name->empty() || !std::isfinite(*secs) || *secs < 0)
                    return bad("DONE's 'phases' needs [name, seconds] pairs");
                l.phases.add(*name, *secs);
            }
        }
        return l;
    }

    if (tag == "FATAL") {
        l.kind = ChannelLine::Kind::fatal;
        auto v = record::json::parse(std::string(rest));
        const record::json::Object* o = v ? v->as_object() : nullptr;
        auto get = [&](const char* key) {
            if (!o)
                return std::string();
            auto it = o->find(key);
            return it != o->end() && it->second.as_string() ? *it->second.as_string()
                                                            : std::string();
        };
        if (!o) {
            l.what = "unreadable FATAL line: '" + excerpt(rest) + "'";
            return l;
        }
        l.where = get("where");
        l.what = get("what");
        l.hint = get("hint");
        if (l.what.empty())
            l.what = "(the agent gave no reason)";
        return l;
    }

    if (tag == "HELLO") {
        l.kind = ChannelLine::Kind::hello;
        auto v = record::json::parse(std::string(rest));
        const record::json::Object* o = v ? v->as_object() : nullptr;
        if (!o)
            return bad("HELLO needs a JSON object");
        auto it = o->find("kernel");
        if (it == o->end() || !it->second.as_string() || it->second.as_string()->empty())
            return bad("HELLO has no 'kernel'");
        l.release = *it->second.as_string();
        if (auto u = o->find("uptime"); u != o->end()) {
            const double* d = u->second.as_number();
            if (!d || !std::isfinite(*d) || *d < 0)
                return bad("HELLO's 'uptime' is not a number of seconds");
            l.uptime = *d;
        }
        for (auto [key, out] : {std::pair{"programs", &l.programs}, std::pair{"start", &l.start}}) {
            auto f = o->find(key);
            if (f == o->end())
                continue;
            *out = as_count(f->second);
            if (!*out)
                return bad(std::string("HELLO's '") + key + "' is not a count");
        }
        return l;
    }

    if (tag == "BEGIN" || tag == "LOG" || tag == "REC") {
        size_t sp2 = rest.find(' ');
        auto index = read_index(rest.substr(0, sp2));
        if (sp == std::string_view::npos || !index)
            return bad(std::string(tag) + " needs a program index");
        l.index = *index;
        std::string_view body =
            sp2 == std::string_view::npos ? std::string_view() : rest.substr(sp2 + 1);
        if (tag == "BEGIN") {
            l.kind = ChannelLine::Kind::begin;
            l.text = std::string(body);
        } else if (tag == "LOG") {
            l.kind = ChannelLine::Kind::log;
            auto v = record::json::parse(std::string(body));
            if (!v || !v->as_string())
                return bad("LOG needs a JSON string");
            l.text = *v->as_string();
        } else {
            l.kind = ChannelLine::Kind::rec;
            if (body.empty())
                return bad("REC needs a record");
            l.text = std::string(body);
        }
        return l;
    }
    return bad("unknown message");
}

std::string format_channel_line(const ChannelLine& l) {
    using record::json_quote;
    switch (l.kind) {
    case ChannelLine::Kind::hello: {
        // The shortest text that reads back to the same number ("3.25", as
        // in /proc/uptime).
        char up[40];
        auto [end, ec] = std::to_chars(up, up + sizeof(up), l.uptime);
        std::string s = "HELLO {\"kernel\":" + json_quote(l.release) +
                        ",\"uptime\":" + (ec == std::errc() ? std::string(up, end) : "0");
        if (l.programs)
            s += ",\"programs\":" + std::to_string(*l.programs);
        if (l.start)
            s += ",\"start\":" + std::to_string(*l.start);
        return s + "}";
    }
    case ChannelLine::Kind::begin:
        return "BEGIN " + std::to_string(l.index) + (l.text.empty() ? "" : " " + l.text);
    case ChannelLine::Kind::log:
        return "LOG " + std::to_string(l.index) + " " + json_quote(l.text);
    case ChannelLine::Kind::rec:
        return "REC " + std::to_string(l.index) + " " + l.text;
    case ChannelLine::Kind::done: {
        if (l.phases.empty())
            return "DONE";
        std::string s = "DONE {\"phases\":[";
        for (const auto& [name, secs] : l.phases.list()) {
            char num[40];
            auto [end, ec] = std::to_chars(num, num + sizeof(num), secs);
            s += (s.back() == '[' ? "[" : ",[") + json_quote(name) + "," +
                 (ec == std::errc() ? std::string(num, end) : "0") + "]";
        }
        return s + "]}";
    }
    case ChannelLine::Kind::fatal:
        return "FATAL {\"where\":" + json_quote(l.where) + ",\"what\":" + json_quote(l.what) +
               ",\"hint\":" + json_quote(l.hint) + "}";
    }
    return "";
}

} // namespace iterconf::qemu
