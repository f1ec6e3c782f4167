// A small JSON value and parser, enough to read back our own records.
#pragma once

#include "common/result.hpp"

#include <map>
#include <memory>
#include <string>
#include <variant>
#include <vector>

namespace iterconf::record::json {

struct Value;
using Array = std::vector<Value>;
using Object = std::map<std::string, Value>;

struct Value {
    std::variant<std::nullptr_t, bool, double, std::string, std::shared_ptr<Array>,
                 std::shared_ptr<Object>>
        v = nullptr;

    bool is_null() const { return v.index() == 0; }
    const bool* as_bool() const { return std::get_if<bool>(&v); }
    const double* as_number() const { return std::get_if<double>(&v); }
    const std::string* as_string() const { return std::get_if<std::string>(&v); }
    const Array* as_array() const {
        auto p = std::get_if<std::shared_ptr<Array>>(&v);
        return p ? p->get() : nullptr;
    }
    const Object* as_object() const {
        auto p = std::get_if<std::shared_ptr<Object>>(&v);
        return p ? p->get() : nullptr;
    }
};

// Parses a whole document; trailing non-space text is an error.
Result<Value> parse(const std::string& text);

} // namespace iterconf::record::json
