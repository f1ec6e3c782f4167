#include "common/toml.hpp"

#include <algorithm>
#include <cctype>

namespace iterconf::toml {

const Pair* Table::find(std::string_view key) const {
    for (const auto& p : pairs)
        if (p.key == key)
            return &p;
    return nullptr;
}

std::string quote(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\')
            out += '\\';
        out += c;
    }
    return out + "\"";
}

std::string where(const std::string& file, size_t line) {
    return file + ":" + std::to_string(line);
}

namespace {

bool name_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
}

bool key_char(char c) {
    return name_char(c) && c != '.';
}

bool blank(char c) {
    return c == ' ' || c == '\t';
}

// What follows a header or a value: blanks, then nothing or a comment.
bool only_comment(std::string_view rest) {
    size_t i = 0;
    while (i < rest.size() && blank(rest[i]))
        i++;
    return i == rest.size() || rest[i] == '#';
}

// A basic string at the start of `v`; `end` is set past its closing quote.
Result<std::string> basic_string(std::string_view v, size_t& end) {
    if (v.empty() || v.front() != '"')
        return make_error(ErrorKind::input, "", "the value must be a quoted string",
                          "write key = \"value\" (this TOML subset has strings only)");
    std::string out;
    for (size_t i = 1;; i++) {
        if (i >= v.size())
            return make_error(ErrorKind::input, "", "unterminated string",
                              "end the value with '\"' on the same line");
        if (v[i] == '"') {
            end = i + 1;
            return out;
        }
        if (v[i] != '\\') {
            out += v[i];
            continue;
        }
        if (i + 1 < v.size() && (v[i + 1] == '"' || v[i + 1] == '\\')) {
            out += v[++i];
            continue;
        }
        return make_error(ErrorKind::input, "",
                          "unsupported escape '" + printable(v.substr(i, 2)) + "'",
                          "only \\\" and \\\\ are escapes here");
    }
}

} // namespace

Result<Document> parse(std::string_view text, const std::string& file) {
    Document doc;
    doc.file = file;
    size_t lineno = 0;
    for (std::string_view l : split_lines(text)) {
        lineno++;
        auto fail = [&](std::string what, std::string hint = {}) -> Result<Document> {
            return make_error(ErrorKind::input, where(file, lineno), std::move(what),
                              std::move(hint));
        };
        if (!l.empty() && l.back() == '\r')
            l.remove_suffix(1);
        for (char c : l) {
            auto u = static_cast<unsigned char>(c);
            if ((u < 0x20 && c != '\t') || u == 0x7f)
                return fail("control character " + printable(std::string_view(&c, 1)) +
                                " in the file",
                            "it must be text");
        }
        while (!l.empty() && blank(l.front()))
            l.remove_prefix(1);
        while (!l.empty() && blank(l.back()))
            l.remove_suffix(1);
        if (l.empty() || l.front() == '#')
            continue;

        if (l.front() == '[') {
            bool array = l.size() > 1 && l[1] == '[';
            size_t b = array ? 2 : 1, e = b;
            while (e < l.size() && name_char(l[e]))
                e++;
            std::string_view close = array ? "]]" : "]";
            std::string_view name = l.substr(b, e - b);
            if (name.empty() || !std::isalnum(static_cast<unsigned char>(name[0])) ||
                l.substr(e, close.size()) != close || !only_comment(l.substr(e + close.size())))
                return fail("cannot parse this table header",
                            std::string("expected [name] or [[name]], name of [A-Za-z0-9._-] "
                                        "starting with a letter or digit"));
            for (const auto& t : doc.tables) {
                if (t.name != name)
                    continue;
                if (t.array != array)
                    return fail("'" + std::string(name) + "' is both a table and an array of " +
                                    "tables (line " + std::to_string(t.line) + ")",
                                "use one of [name] and [[name]]");
                if (!array)
                    return fail("table [" + std::string(name) + "] is defined twice (line " +
                                    std::to_string(t.line) + ")",
                                "table names must be unique");
            }
            doc.tables.push_back(Table{std::string(name), array, lineno, {}});
            continue;
        }

        size_t k = 0;
        while (k < l.size() && key_char(l[k]))
            k++;
        size_t eq = k;
        while (eq < l.size() && blank(l[eq]))
            eq++;
        if (k == 0 || eq >= l.size() || l[eq] != '=')
            return fail("cannot parse this line", "expected [name], [[name]] or key = \"value\"");
        std::string key(l.substr(0, k));
        std::string_view v = l.substr(eq + 1);
        while (!v.empty() && blank(v.front()))
            v.remove_prefix(1);
        size_t end = 0;
        auto value = basic_string(v, end);
        if (!value)
            return fail("'" + key + "': " + value.error().what, value.error().hint);
        if (!only_comment(v.substr(end)))
            return fail("'" + key + "': unexpected '" + printable(v.substr(end)) +
                            "' after the string",
                        "put a comment after '#'");
        auto& pairs = doc.tables.empty() ? doc.top : doc.tables.back().pairs;
        for (const auto& p : pairs)
            if (p.key == key)
                return fail("'" + key + "' is given twice (line " + std::to_string(p.line) + ")",
                            "keep one");
        pairs.push_back(Pair{key, std::move(*value), lineno});
    }
    return doc;
}

} // namespace iterconf::toml
