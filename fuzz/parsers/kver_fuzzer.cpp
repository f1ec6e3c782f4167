// fuzz_kver: the version-range syntax of __kver_* annotations and of the
// known-bugs list, and kernel release strings (common/kver: the one version
// parser, also behind model::KernelFeatures::from_release).
//
// Input: the first line is a range, every further line a kernel release.
// Invariants:
//  - an accepted range has one or two bounds and keeps its text as written;
//  - printing the bounds canonically and parsing that gives the same bounds;
//  - contains() agrees with the bounds read one by one, at every bound's
//    version and its neighbours and at every release of the input;
//  - an accepted release starts with N.N, and its str() parses back to it;
//  - the model's KernelFeatures::from_release() accepts the same releases
//    and reads the same version;
//  - every error is one printable line that names the problem.
#include "check.hpp"
#include "common/kver.hpp"
#include "model/model.hpp"

#include <cstdint>
#include <string>

using iterconf::KernelVersion;
using iterconf::KverRange;
using Bound = iterconf::VersionBound;
using namespace iterconf::fuzz;

namespace {

const char* op_text(Bound::Op op) {
    switch (op) {
    case Bound::Op::ge:
        return ">=";
    case Bound::Op::lt:
        return "<";
    case Bound::Op::gt:
        return ">";
    case Bound::Op::le:
        return "<=";
    case Bound::Op::eq:
        return "==";
    }
    return "?";
}

// Component-wise comparison written out, independent of operator<=>.
int compare(const KernelVersion& a, const KernelVersion& b) {
    for (int i = 0; i < 3; i++)
        if (a.v[i] != b.v[i])
            return a.v[i] < b.v[i] ? -1 : 1;
    return 0;
}

bool holds(const Bound& b, const KernelVersion& k) {
    int c = compare(k, b.version);
    switch (b.op) {
    case Bound::Op::ge:
        return c >= 0;
    case Bound::Op::lt:
        return c < 0;
    case Bound::Op::gt:
        return c > 0;
    case Bound::Op::le:
        return c <= 0;
    case Bound::Op::eq:
        return c == 0;
    }
    return false;
}

void check_contains(const KverRange& r, const KernelVersion& k) {
    bool want = true;
    for (const auto& b : r.bounds)
        want = want && holds(b, k);
    PARSERS_CHECK(r.contains(k) == want, "range '" + r.text + "' on " + k.str());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string text(reinterpret_cast<const char*>(data), size);
    auto lines = split_lines(text);
    if (lines.empty())
        lines.emplace_back();
    std::vector<KernelVersion> probes;

    auto range = iterconf::parse_range(lines[0]);
    if (!range) {
        check_error_line(range.error(), "parse_range");
        PARSERS_CHECK(range.error().what.find("bad kernel version range") != std::string::npos,
                      range.error().what);
    } else {
        const KverRange& r = *range;
        PARSERS_CHECK(r.text == lines[0], "text not kept as written");
        PARSERS_CHECK(!r.bounds.empty() && r.bounds.size() <= 2, r.text);
        std::string canon;
        for (const auto& b : r.bounds) {
            canon += (canon.empty() ? "" : " ") + std::string(op_text(b.op)) + b.version.str();
            for (int i = 0; i < 3; i++)
                PARSERS_CHECK(b.version.v[i] >= 0, r.text);
            KernelVersion k = b.version;
            probes.push_back(k);
            for (int i = 0; i < 3; i++) {
                KernelVersion up = k, down = k;
                up.v[i]++;
                probes.push_back(up);
                if (down.v[i] > 0) {
                    down.v[i]--;
                    probes.push_back(down);
                }
            }
        }
        auto again = iterconf::parse_range(canon);
        PARSERS_CHECK(again.ok(), "canonical form '" + canon + "' of '" + r.text +
                                      "' does not parse: " + (again ? "" : again.error().what));
        PARSERS_CHECK(again->bounds.size() == r.bounds.size(), canon);
        for (size_t i = 0; i < r.bounds.size(); i++)
            PARSERS_CHECK(again->bounds[i].op == r.bounds[i].op &&
                              again->bounds[i].version == r.bounds[i].version,
                          canon);
    }

    for (size_t i = 1; i < lines.size(); i++) {
        auto k = iterconf::parse_release(lines[i]);
        iterconf::model::KernelFeatures kf;
        bool model_ok = iterconf::model::KernelFeatures::from_release(lines[i], kf);
        PARSERS_CHECK(model_ok == k.ok(),
                      "the model and expect read release '" + lines[i] + "' differently");
        if (!k) {
            check_error_line(k.error(), "parse_release");
            continue;
        }
        PARSERS_CHECK(kf.version == *k, "the model read '" + lines[i] + "' as " + kf.text());
        PARSERS_CHECK(!lines[i].empty() && lines[i][0] >= '0' && lines[i][0] <= '9', lines[i]);
        auto back = iterconf::parse_release(k->str());
        PARSERS_CHECK(back.ok() && *back == *k, "release '" + lines[i] + "' -> " + k->str());
        probes.push_back(*k);
    }

    if (range)
        for (const auto& k : probes)
            check_contains(*range, k);
    return 0;
}
