// The TOML subset of iterconf's data files (images/kernels.toml,
// images/known-bugs.toml): one reader for both, so that a file means the
// same to every part that reads it.
//
// Grammar, line by line (a trailing '\r' is dropped; leading and trailing
// blanks are skipped):
//   line    = blank | comment | header [comment] | pair [comment]
//   comment = '#' anything
//   header  = '[' name ']'          a table; a name appears once
//           | '[[' name ']]'        one entry of an array of tables
//   name    = [A-Za-z0-9][A-Za-z0-9._-]*    taken whole: unlike TOML, a
//                                           dot does not nest tables
//   pair    = key blank* '=' blank* string
//   key     = [A-Za-z0-9_-]+        once per table (or per array entry)
//   string  = '"' (char | '\"' | '\\')* '"'    a basic string on one line
// No byte of the file may be a control character other than tab (NUL
// included). Everything else TOML has (numbers, booleans, arrays, inline
// tables, dotted keys, other escapes, multi-line strings) is an error, never
// misread. What the keys mean is the reader's caller's business.
#pragma once

#include "common/result.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace iterconf::toml {

struct Pair {
    std::string key;
    std::string value;
    size_t line = 0;
};

struct Table {
    std::string name;
    bool array = false; // [[name]]
    size_t line = 0;    // of its header
    std::vector<Pair> pairs;

    // The pair of that key, or nullptr.
    const Pair* find(std::string_view key) const;
};

struct Document {
    std::string file;          // as errors name it
    std::vector<Pair> top;     // pairs before the first header
    std::vector<Table> tables; // in file order
};

// Errors are kind `input`, where "<file>:<line>", one printable line.
Result<Document> parse(std::string_view text, const std::string& file);

// `s` as a basic string that parse() reads back to `s` (quotes, with `"` and
// `\` escaped): for writing a document.
std::string quote(std::string_view s);

// "<file>:<line>", for a caller's own errors about a parsed document.
std::string where(const std::string& file, size_t line);

} // namespace iterconf::toml
