#include "common/result.hpp"

namespace iterconf {

const char* to_string(ErrorKind kind) {
    switch (kind) {
    case ErrorKind::usage:
        return "usage";
    case ErrorKind::input:
        return "input";
    case ErrorKind::io:
        return "io";
    case ErrorKind::infra:
        return "infra";
    case ErrorKind::internal:
        return "internal";
    }
    return "internal";
}

std::string Error::message() const {
    std::string s;
    if (!where.empty())
        s += where + ": ";
    s += what;
    if (!hint.empty())
        s += "; " + hint;
    return s;
}

std::string printable(std::string_view text) {
    static const char k_hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(text.size());
    for (unsigned char c : text) {
        if (c == '\n')
            out += "\\n";
        else if (c == '\t')
            out += "\\t";
        else if (c == '\r')
            out += "\\r";
        else if (c < 0x20 || c == 0x7f)
            out += {'\\', 'x', k_hex[c >> 4], k_hex[c & 15]};
        else
            out += static_cast<char>(c);
    }
    return out;
}

std::vector<std::string_view> split_lines(std::string_view text) {
    std::vector<std::string_view> out;
    size_t start = 0;
    while (start < text.size()) {
        size_t nl = text.find('\n', start);
        if (nl == std::string_view::npos)
            nl = text.size();
        out.push_back(text.substr(start, nl - start));
        start = nl + 1;
    }
    return out;
}

} // namespace iterconf
