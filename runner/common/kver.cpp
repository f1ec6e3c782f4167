#include "common/kver.hpp"

#include <cctype>

namespace iterconf {

std::string KernelVersion::str() const {
    return std::to_string(v[0]) + "." + std::to_string(v[1]) + "." + std::to_string(v[2]);
}

namespace {

// Reads up to 3 dot-separated numbers from the start of s; returns the number
// of characters consumed, or 0 when s does not start with "N.N".
size_t read_version(std::string_view s, KernelVersion& out, bool need_two) {
    size_t i = 0;
    int parts = 0;
    out = KernelVersion{};
    while (parts < 3) {
        size_t start = i;
        long n = 0;
        while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
            n = n * 10 + (s[i] - '0');
            if (n > 1000000)
                return 0;
            i++;
        }
        if (i == start)
            break;
        out.v[parts++] = static_cast<int>(n);
        if (i < s.size() && s[i] == '.' && i + 1 < s.size() &&
            std::isdigit(static_cast<unsigned char>(s[i + 1]))) {
            i++;
            continue;
        }
        break;
    }
    if (parts == 0 || (need_two && parts < 2))
        return 0;
    return i;
}

} // namespace

Result<KernelVersion> parse_release(std::string_view release) {
    KernelVersion k;
    if (read_version(release, k, true) == 0)
        return make_error(ErrorKind::input, "",
                          "kernel release '" + printable(release) +
                              "' does not start with a version N.N");
    return k;
}

bool KverRange::contains(const KernelVersion& k) const {
    for (const auto& b : bounds) {
        bool ok = false;
        switch (b.op) {
        case VersionBound::Op::ge:
            ok = k >= b.version;
            break;
        case VersionBound::Op::lt:
            ok = k < b.version;
            break;
        case VersionBound::Op::gt:
            ok = k > b.version;
            break;
        case VersionBound::Op::le:
            ok = k <= b.version;
            break;
        case VersionBound::Op::eq:
            ok = k == b.version;
            break;
        }
        if (!ok)
            return false;
    }
    return true;
}

Result<KverRange> parse_range(std::string_view text) {
    KverRange r;
    r.text = std::string(text);
    size_t i = 0;
    auto bad = [&](const std::string& why) -> Error {
        return make_error(ErrorKind::input, "",
                          "bad kernel version range '" + printable(text) + "': " + why,
                          "write '>=X.Y', '<X.Y' or both separated by a space");
    };
    while (true) {
        while (i < text.size() && text[i] == ' ')
            i++;
        if (i == text.size())
            break;
        VersionBound b;
        std::string_view rest = text.substr(i);
        if (rest.starts_with(">=")) {
            b.op = VersionBound::Op::ge;
            i += 2;
        } else if (rest.starts_with("<=")) {
            b.op = VersionBound::Op::le;
            i += 2;
        } else if (rest.starts_with("==")) {
            b.op = VersionBound::Op::eq;
            i += 2;
        } else if (rest.starts_with(">")) {
            b.op = VersionBound::Op::gt;
            i += 1;
        } else if (rest.starts_with("<")) {
            b.op = VersionBound::Op::lt;
            i += 1;
        } else {
            return bad("expected an operator (>=, <, >, <=, ==) at '" + printable(rest) + "'");
        }
        size_t n = read_version(text.substr(i), b.version, false);
        if (n == 0)
            return bad("expected a version after the operator");
        i += n;
        if (i < text.size() && text[i] != ' ')
            return bad("unexpected '" + printable(text.substr(i)) + "'");
        r.bounds.push_back(b);
    }
    if (r.bounds.empty())
        return bad("empty");
    if (r.bounds.size() > 2)
        return bad("at most two bounds");
    return r;
}

} // namespace iterconf
