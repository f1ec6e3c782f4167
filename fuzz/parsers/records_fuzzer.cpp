// fuzz_records: records read back (record/json: json::parse; record:
// from_json, to_json, read_jsonl).
//
// Input: results.jsonl text. Invariants:
//  - a JSON value that parses, printed again, parses to the same value;
//  - a record that parses writes a line that reads back to the same record,
//    and that line is a fixed point (write(read(x)) == x after one step);
//  - read_jsonl of the text as a file agrees with reading it line by line:
//    the same records, or the error of the first bad line, named path:line;
//  - every error is one printable line.
#include "check.hpp"
#include "record/json.hpp"
#include "record/record.hpp"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <optional>
#include <string>
#include <unistd.h>

using namespace iterconf::record;
using namespace iterconf::fuzz;

namespace {

// Prints a parsed value back as JSON; false when it holds a number JSON
// cannot write (inf from an overflowing literal such as 1e999).
bool print(const json::Value& v, std::string& out) {
    if (v.is_null()) {
        out += "null";
    } else if (const bool* b = v.as_bool()) {
        out += *b ? "true" : "false";
    } else if (const double* d = v.as_number()) {
        if (!std::isfinite(*d))
            return false;
        char buf[40];
        std::snprintf(buf, sizeof(buf), "%.17g", *d);
        out += buf;
    } else if (const std::string* s = v.as_string()) {
        out += json_quote(*s);
    } else if (const json::Array* a = v.as_array()) {
        out += '[';
        for (size_t i = 0; i < a->size(); i++) {
            if (i)
                out += ',';
            if (!print((*a)[i], out))
                return false;
        }
        out += ']';
    } else if (const json::Object* o = v.as_object()) {
        out += '{';
        bool first = true;
        for (const auto& [k, item] : *o) {
            if (!first)
                out += ',';
            first = false;
            out += json_quote(k) + ":";
            if (!print(item, out))
                return false;
        }
        out += '}';
    }
    return true;
}

bool equal(const json::Value& a, const json::Value& b) {
    if (a.v.index() != b.v.index())
        return false;
    if (a.is_null())
        return true;
    if (a.as_bool())
        return *a.as_bool() == *b.as_bool();
    if (a.as_number())
        return *a.as_number() == *b.as_number();
    if (a.as_string())
        return *a.as_string() == *b.as_string();
    if (const json::Array* x = a.as_array()) {
        const json::Array* y = b.as_array();
        if (x->size() != y->size())
            return false;
        for (size_t i = 0; i < x->size(); i++)
            if (!equal((*x)[i], (*y)[i]))
                return false;
        return true;
    }
    const json::Object* x = a.as_object();
    const json::Object* y = b.as_object();
    if (x->size() != y->size())
        return false;
    for (auto i = x->begin(), j = y->begin(); i != x->end(); ++i, ++j)
        if (i->first != j->first || !equal(i->second, j->second))
            return false;
    return true;
}

bool same(const Record& a, const Record& b) {
    return a.case_id == b.case_id && a.program == b.program && a.file == b.file &&
           a.description == b.description && a.kernel == b.kernel &&
           a.kernel_source == b.kernel_source && a.verdict == b.verdict &&
           a.expected == b.expected && a.match == b.match && a.reason == b.reason &&
           a.message == b.message && a.expected_msgs == b.expected_msgs &&
           a.missing_kfuncs == b.missing_kfuncs && a.log_tail == b.log_tail &&
           a.log_file == b.log_file && a.insns_processed == b.insns_processed &&
           a.load_us == b.load_us && a.known_bug == b.known_bug;
}

void check_value(const std::string& text) {
    auto v = json::parse(text);
    if (!v) {
        check_error_line(v.error(), "json::parse");
        return;
    }
    std::string out;
    if (!print(*v, out))
        return;
    auto again = json::parse(out);
    PARSERS_CHECK(again.ok(), "printed JSON does not parse: " + out);
    PARSERS_CHECK(equal(*v, *again), "printed JSON parses to another value: " + out);
}

std::string tmp_path() {
    return "/tmp/iterconf-fuzz-records." + std::to_string(getpid()) + ".jsonl";
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string text(reinterpret_cast<const char*>(data), size);
    check_value(text);

    std::vector<Record> want;
    std::optional<size_t> bad_line;
    auto lines = split_lines(text);
    for (size_t i = 0; i < lines.size(); i++) {
        const std::string& line = lines[i];
        check_value(line);
        if (line.empty())
            continue;
        auto r = from_json(line);
        if (!r) {
            check_error_line(r.error(), "from_json");
            if (!bad_line)
                bad_line = i + 1;
            continue;
        }
        std::string written = to_json(*r);
        PARSERS_CHECK(written.find('\n') == std::string::npos, "record line has a newline");
        auto back = from_json(written);
        PARSERS_CHECK(back.ok(), "written record does not read back: " +
                                     (back ? std::string() : back.error().message()));
        PARSERS_CHECK(same(*r, *back), "record changed on the way back: " + written);
        PARSERS_CHECK(to_json(*back) == written, "write(read(x)) is not a fixed point: " + written);
        if (!bad_line)
            want.push_back(std::move(*r));
    }

    // The same text as a results.jsonl file.
    const std::string path = tmp_path();
    {
        std::ofstream f(path, std::ios::binary | std::ios::trunc);
        f.write(text.data(), static_cast<std::streamsize>(text.size()));
    }
    auto got = read_jsonl(path);
    std::remove(path.c_str());
    if (bad_line) {
        PARSERS_CHECK(!got.ok(), "read_jsonl accepted a bad line " + std::to_string(*bad_line));
        check_error_line(got.error(), "read_jsonl");
        PARSERS_CHECK(got.error().where == path + ":" + std::to_string(*bad_line),
                      got.error().message());
    } else {
        PARSERS_CHECK(got.ok(), "read_jsonl refused what from_json read: " +
                                    (got ? std::string() : got.error().message()));
        PARSERS_CHECK(got->size() == want.size(), "record count");
        for (size_t i = 0; i < want.size(); i++)
            PARSERS_CHECK(same((*got)[i], want[i]), "record " + std::to_string(i));
    }
    return 0;
}
