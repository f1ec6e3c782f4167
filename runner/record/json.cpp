#include "record/json.hpp"

#include <cstdlib>

namespace iterconf::record::json {

namespace {

class Parser {
  public:
    explicit Parser(const std::string& s) : m_s(s) {}

    Result<Value> document() {
        ITERCONF_TRY_ASSIGN(Value v, value(0));
        skip_ws();
        if (m_i != m_s.size())
            return fail("trailing characters");
        return v;
    }

  private:
    const std::string& m_s;
    size_t m_i = 0;

    Error fail(const std::string& what) {
        return make_error(ErrorKind::input, "",
                          "bad JSON at offset " + std::to_string(m_i) + ": " + what);
    }
    void skip_ws() {
        while (m_i < m_s.size() &&
               (m_s[m_i] == ' ' || m_s[m_i] == '\t' || m_s[m_i] == '\n' || m_s[m_i] == '\r'))
            m_i++;
    }
    bool eat(const char* lit) {
        size_t n = std::char_traits<char>::length(lit);
        if (m_s.compare(m_i, n, lit) == 0) {
            m_i += n;
            return true;
        }
        return false;
    }

    Result<Value> value(int depth) {
        if (depth > 64)
            return fail("nested too deeply");
        skip_ws();
        if (m_i >= m_s.size())
            return fail("unexpected end");
        char c = m_s[m_i];
        Value v;
        if (c == '{') {
            m_i++;
            auto obj = std::make_shared<Object>();
            skip_ws();
            if (m_i < m_s.size() && m_s[m_i] == '}') {
                m_i++;
                v.v = obj;
                return v;
            }
            while (true) {
                skip_ws();
                if (m_i >= m_s.size() || m_s[m_i] != '"')
                    return fail("expected a key");
                ITERCONF_TRY_ASSIGN(std::string key, string());
                skip_ws();
                if (m_i >= m_s.size() || m_s[m_i] != ':')
                    return fail("expected ':'");
                m_i++;
                ITERCONF_TRY_ASSIGN(Value item, value(depth + 1));
                (*obj)[key] = std::move(item);
                skip_ws();
                if (m_i < m_s.size() && m_s[m_i] == ',') {
                    m_i++;
                    continue;
                }
                if (m_i < m_s.size() && m_s[m_i] == '}') {
                    m_i++;
                    break;
                }
                return fail("expected ',' or '}'");
            }
            v.v = obj;
        } else if (c == '[') {
            m_i++;
            auto arr = std::make_shared<Array>();
            skip_ws();
            if (m_i < m_s.size() && m_s[m_i] == ']') {
                m_i++;
                v.v = arr;
                return v;
            }
            while (true) {
                ITERCONF_TRY_ASSIGN(Value item, value(depth + 1));
                arr->push_back(std::move(item));
                skip_ws();
                if (m_i < m_s.size() && m_s[m_i] == ',') {
                    m_i++;
                    continue;
                }
                if (m_i < m_s.size() && m_s[m_i] == ']') {
                    m_i++;
                    break;
                }
                return fail("expected ',' or ']'");
            }
            v.v = arr;
        } else if (c == '"') {
            ITERCONF_TRY_ASSIGN(std::string s, string());
            v.v = std::move(s);
        } else if (eat("true")) {
            v.v = true;
        } else if (eat("false")) {
            v.v = false;
        } else if (eat("null")) {
            v.v = nullptr;
        } else if (c == '-' || (c >= '0' && c <= '9')) {
            size_t start = m_i;
            if (m_s[m_i] == '-')
                m_i++;
            while (m_i < m_s.size() &&
                   ((m_s[m_i] >= '0' && m_s[m_i] <= '9') || m_s[m_i] == '.' || m_s[m_i] == 'e' ||
                    m_s[m_i] == 'E' || m_s[m_i] == '+' || m_s[m_i] == '-'))
                m_i++;
            std::string num = m_s.substr(start, m_i - start);
            char* end = nullptr;
            double d = std::strtod(num.c_str(), &end);
            if (end != num.c_str() + num.size())
                return fail("bad number '" + num + "'");
            v.v = d;
        } else {
            return fail("unexpected '" + printable(std::string_view(&c, 1)) + "'");
        }
        return v;
    }

    static void put_utf8(std::string& out, unsigned cp) {
        if (cp < 0x80) {
            out += static_cast<char>(cp);
        } else if (cp < 0x800) {
            out += static_cast<char>(0xc0 | (cp >> 6));
            out += static_cast<char>(0x80 | (cp & 0x3f));
        } else if (cp < 0x10000) {
            out += static_cast<char>(0xe0 | (cp >> 12));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
            out += static_cast<char>(0x80 | (cp & 0x3f));
        } else {
            out += static_cast<char>(0xf0 | (cp >> 18));
            out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
            out += static_cast<char>(0x80 | (cp & 0x3f));
        }
    }

    Result<unsigned> hex4() {
        if (m_i + 4 > m_s.size())
            return fail("short \\u escape");
        unsigned cp = 0;
        for (int k = 0; k < 4; k++) {
            char h = m_s[m_i++];
            cp <<= 4;
            if (h >= '0' && h <= '9')
                cp |= h - '0';
            else if (h >= 'a' && h <= 'f')
                cp |= h - 'a' + 10;
            else if (h >= 'A' && h <= 'F')
                cp |= h - 'A' + 10;
            else
                return fail("bad \\u escape");
        }
        return cp;
    }

    Result<std::string> string() {
        m_i++; // opening quote
        std::string out;
        while (true) {
            if (m_i >= m_s.size())
                return fail("unterminated string");
            char c = m_s[m_i++];
            if (c == '"')
                break;
            if (static_cast<unsigned char>(c) < 0x20)
                return fail("control character in string");
            if (c != '\\') {
                out += c;
                continue;
            }
            if (m_i >= m_s.size())
                return fail("unterminated escape");
            char e = m_s[m_i++];
            switch (e) {
            case '"':
            case '\\':
            case '/':
                out += e;
                break;
            case 'b':
                out += '\b';
                break;
            case 'f':
                out += '\f';
                break;
            case 'n':
                out += '\n';
                break;
            case 'r':
                out += '\r';
                break;
            case 't':
                out += '\t';
                break;
            case 'u': {
                ITERCONF_TRY_ASSIGN(unsigned cp, hex4());
                if (cp >= 0xd800 && cp < 0xdc00 && m_s.compare(m_i, 2, "\\u") == 0) {
                    m_i += 2;
                    ITERCONF_TRY_ASSIGN(unsigned lo, hex4());
                    if (lo >= 0xdc00 && lo < 0xe000)
                        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                    else
                        return fail("bad surrogate pair");
                }
                put_utf8(out, cp);
                break;
            }
            default:
                return fail("bad escape '\\" + printable(std::string_view(&e, 1)) + "'");
            }
        }
        return out;
    }
};

} // namespace

Result<Value> parse(const std::string& text) {
    return Parser(text).document();
}

} // namespace iterconf::record::json
