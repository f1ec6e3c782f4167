// Result<T> and Error: how iterconf's libraries report harness errors.
//
// Verdicts are data (record::Verdict), never errors. An Error is something
// wrong with our inputs or environment; the CLI prints it as one line,
//   iterconf: error: <where>: <what>; <hint>
// and exits with code 2.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace iterconf {

enum class ErrorKind { usage, input, io, infra, internal };

const char* to_string(ErrorKind kind);

struct Error {
    ErrorKind kind = ErrorKind::internal;
    std::string where; // "cases/x.bpf.c: prog 'y'", "kernel 'host'", ...
    std::string what;
    std::string hint; // what to do; may be empty

    // "<where>: <what>; <hint>" (parts omitted when empty)
    std::string message() const;
};

// Input text quoted into an error message, with control characters escaped
// (\n, \t, \xNN) so that the message stays one printable line.
std::string printable(std::string_view text);

// The lines of `text`, split on '\n' (a trailing newline ends the last line;
// it does not start an empty one). Views into `text`.
std::vector<std::string_view> split_lines(std::string_view text);

inline Error make_error(ErrorKind kind, std::string where, std::string what,
                        std::string hint = {}) {
    return Error{kind, std::move(where), std::move(what), std::move(hint)};
}

template <typename T> class [[nodiscard]] Result {
  public:
    Result(T value) : m_v(std::move(value)) {}
    Result(Error error) : m_v(std::move(error)) {}

    bool ok() const { return m_v.index() == 0; }
    explicit operator bool() const { return ok(); }
    T& value() { return std::get<0>(m_v); }
    const T& value() const { return std::get<0>(m_v); }
    T& operator*() { return value(); }
    const T& operator*() const { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    const Error& error() const { return std::get<1>(m_v); }
    Error take_error() { return std::move(std::get<1>(m_v)); }

  private:
    std::variant<T, Error> m_v;
};

template <> class [[nodiscard]] Result<void> {
  public:
    Result() = default;
    Result(Error error) : m_e(std::move(error)) {}
    bool ok() const { return !m_e.has_value(); }
    explicit operator bool() const { return ok(); }
    const Error& error() const { return *m_e; }
    Error take_error() { return std::move(*m_e); }

  private:
    std::optional<Error> m_e;
};

} // namespace iterconf

#define ITERCONF_CONCAT_(a, b) a##b
#define ITERCONF_CONCAT(a, b) ITERCONF_CONCAT_(a, b)

// Propagate the error of a Result<...> expression.
#define ITERCONF_TRY(expr)                                                                         \
    do {                                                                                           \
        auto&& iterconf_try_r_ = (expr);                                                           \
        if (!iterconf_try_r_.ok())                                                                 \
            return iterconf_try_r_.take_error();                                                   \
    } while (0)

// Declare `var` from the value of a Result<T> expression, or propagate its error.
#define ITERCONF_TRY_ASSIGN(var, expr)                                                             \
    auto ITERCONF_CONCAT(iterconf_tmp_, __LINE__) = (expr);                                        \
    if (!ITERCONF_CONCAT(iterconf_tmp_, __LINE__).ok())                                            \
        return ITERCONF_CONCAT(iterconf_tmp_, __LINE__).take_error();                              \
    var = std::move(ITERCONF_CONCAT(iterconf_tmp_, __LINE__).value())
