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

} // namespace iterconf
