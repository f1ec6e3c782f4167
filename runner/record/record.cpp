#include "record/record.hpp"

#include "record/json.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>

namespace iterconf::record {

namespace {

constexpr const char* k_verdicts[] = {"accept",     "reject", "unsupported",
                                      "load_error", "crash",  "timeout"};

void put(std::string& out, const char* key, const std::string& v) {
    out += '"';
    out += key;
    out += "\":";
    out += json_quote(v);
    out += ',';
}
void put(std::string& out, const char* key, int64_t v) {
    out += '"';
    out += key;
    out += "\":";
    out += std::to_string(v);
    out += ',';
}
void put(std::string& out, const char* key, const std::vector<std::string>& v) {
    out += '"';
    out += key;
    out += "\":[";
    for (size_t i = 0; i < v.size(); i++) {
        if (i)
            out += ',';
        out += json_quote(v[i]);
    }
    out += "],";
}

std::string xml_escape(const std::string& s) {
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        switch (c) {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '"':
            out += "&quot;";
            break;
        case '\'':
            out += "&apos;";
            break;
        default:
            // XML 1.0 forbids most control characters, even escaped.
            if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t' && c != '\r')
                out += '?';
            else
                out += c;
        }
    }
    return out;
}

} // namespace

const char* Record::status() const {
    if (known_bug.empty())
        return match ? "ok" : "mismatch";
    return match ? "fixed" : "known";
}

const char* to_string(Verdict v) {
    return k_verdicts[static_cast<int>(v)];
}

std::optional<Verdict> verdict_from_string(const std::string& s) {
    for (int i = 0; i < 6; i++)
        if (s == k_verdicts[i])
            return static_cast<Verdict>(i);
    return std::nullopt;
}

std::string json_quote(const std::string& s) {
    std::string out = "\"";
    for (unsigned char c : s) {
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            if (c < 0x20) {
                char buf[8];
                std::snprintf(buf, sizeof(buf), "\\u%04x", c);
                out += buf;
            } else {
                out += static_cast<char>(c);
            }
        }
    }
    out += '"';
    return out;
}

namespace {

// Every field, or (sparse) only those that differ from a default-made
// Record, which from_json() reads back the same; `status` is derived, and
// left out then.
std::string write_json(const Record& r, bool sparse) {
    const Record d;
    std::string out = "{";
    auto field = [&](const char* key, const auto& v, const auto& def) {
        if (!sparse || v != def)
            put(out, key, v);
    };
    put(out, "case", r.case_id);
    put(out, "program", r.program);
    field("file", r.file, d.file);
    field("description", r.description, d.description);
    put(out, "kernel", r.kernel);
    field("kernel_source", r.kernel_source, d.kernel_source);
    put(out, "verdict", to_string(r.verdict));
    put(out, "expected", to_string(r.expected));
    out += "\"match\":";
    out += r.match ? "true," : "false,";
    field("reason", r.reason, d.reason);
    field("message", r.message, d.message);
    field("expected_msgs", r.expected_msgs, d.expected_msgs);
    field("missing_kfuncs", r.missing_kfuncs, d.missing_kfuncs);
    field("log_tail", r.log_tail, d.log_tail);
    field("log_file", r.log_file, d.log_file);
    field("insns_processed", r.insns_processed, d.insns_processed);
    field("load_us", r.load_us, d.load_us);
    field("unchecked", r.unchecked, d.unchecked);
    field("known_bug", r.known_bug, d.known_bug);
    field("executed", r.executed, d.executed);
    field("divergences", r.divergences, d.divergences);
    if (!sparse)
        put(out, "status", std::string(r.status()));
    out.back() = '}';
    return out;
}

} // namespace

std::string to_json(const Record& r) {
    return write_json(r, false);
}

std::string to_wire_json(const Record& r) {
    return write_json(r, true);
}

Result<Record> from_json(const std::string& line) {
    ITERCONF_TRY_ASSIGN(json::Value v, json::parse(line));
    const json::Object* o = v.as_object();
    if (!o)
        return make_error(ErrorKind::input, "", "record is not a JSON object");
    Record r;
    auto str = [&](const char* key, std::string& out, bool required) -> Result<void> {
        auto it = o->find(key);
        if (it == o->end() || it->second.is_null()) {
            if (required)
                return make_error(ErrorKind::input, "", std::string("record has no '") + key + "'");
            return {};
        }
        const std::string* s = it->second.as_string();
        if (!s)
            return make_error(ErrorKind::input, "", std::string("'") + key + "' is not a string");
        out = *s;
        return {};
    };
    auto num = [&](const char* key, int64_t& out) -> Result<void> {
        auto it = o->find(key);
        if (it == o->end() || it->second.is_null())
            return {};
        const double* d = it->second.as_number();
        if (!d)
            return make_error(ErrorKind::input, "", std::string("'") + key + "' is not a number");
        // Converting a double outside int64's range is undefined: refuse
        // those, and fractions, which no writer of records produces.
        if (!(*d >= -9223372036854775808.0 && *d < 9223372036854775808.0) || *d != std::floor(*d))
            return make_error(ErrorKind::input, "",
                              std::string("'") + key + "' is not a 64-bit integer");
        out = static_cast<int64_t>(*d);
        return {};
    };
    auto list = [&](const char* key, std::vector<std::string>& out) -> Result<void> {
        auto it = o->find(key);
        if (it == o->end() || it->second.is_null())
            return {};
        const json::Array* a = it->second.as_array();
        if (!a)
            return make_error(ErrorKind::input, "", std::string("'") + key + "' is not a list");
        for (const auto& e : *a) {
            const std::string* s = e.as_string();
            if (!s)
                return make_error(ErrorKind::input, "",
                                  std::string("'") + key + "' has a non-string item");
            out.push_back(*s);
        }
        return {};
    };
    auto verdict = [&](const char* key, Verdict& out) -> Result<void> {
        std::string s;
        ITERCONF_TRY(str(key, s, true));
        auto v = verdict_from_string(s);
        if (!v)
            return make_error(ErrorKind::input, "",
                              std::string("'") + key + "' is not a verdict: '" + printable(s) +
                                  "'");
        out = *v;
        return {};
    };
    ITERCONF_TRY(str("case", r.case_id, true));
    ITERCONF_TRY(str("program", r.program, true));
    ITERCONF_TRY(str("file", r.file, false));
    ITERCONF_TRY(str("description", r.description, false));
    ITERCONF_TRY(str("kernel", r.kernel, true));
    ITERCONF_TRY(str("kernel_source", r.kernel_source, false));
    ITERCONF_TRY(verdict("verdict", r.verdict));
    ITERCONF_TRY(verdict("expected", r.expected));
    auto m = o->find("match");
    if (m == o->end() || !m->second.as_bool())
        return make_error(ErrorKind::input, "", "record has no boolean 'match'");
    r.match = *m->second.as_bool();
    ITERCONF_TRY(str("reason", r.reason, false));
    ITERCONF_TRY(str("message", r.message, false));
    ITERCONF_TRY(list("expected_msgs", r.expected_msgs));
    ITERCONF_TRY(list("missing_kfuncs", r.missing_kfuncs));
    ITERCONF_TRY(list("log_tail", r.log_tail));
    ITERCONF_TRY(str("log_file", r.log_file, false));
    ITERCONF_TRY(num("insns_processed", r.insns_processed));
    ITERCONF_TRY(num("load_us", r.load_us));
    ITERCONF_TRY(list("unchecked", r.unchecked));
    ITERCONF_TRY(str("known_bug", r.known_bug, false));
    ITERCONF_TRY(num("executed", r.executed));
    ITERCONF_TRY(list("divergences", r.divergences));
    return r;
}

JsonlWriter::~JsonlWriter() {
    close();
}

Result<void> JsonlWriter::open(const std::string& path, bool append) {
    close();
    m_path = path;
    m_f = std::fopen(path.c_str(), append ? "ae" : "we");
    if (!m_f)
        return make_error(ErrorKind::io, path, std::string("cannot open: ") + std::strerror(errno),
                          "check that the output directory is writable");
    return {};
}

Result<void> JsonlWriter::write(const Record& r) {
    std::string line = to_json(r);
    line += '\n';
    if (!m_f || std::fwrite(line.data(), 1, line.size(), m_f) != line.size() ||
        std::fflush(m_f) != 0)
        return make_error(ErrorKind::io, m_path,
                          std::string("write failed: ") + std::strerror(errno));
    return {};
}

void JsonlWriter::close() {
    if (m_f)
        std::fclose(m_f);
    m_f = nullptr;
}

Result<std::vector<Record>> read_jsonl(const std::string& path) {
    std::ifstream in(path);
    if (!in)
        return make_error(ErrorKind::io, path, std::string("cannot open: ") + std::strerror(errno));
    std::vector<Record> out;
    std::string line;
    size_t lineno = 0;
    while (std::getline(in, line)) {
        lineno++;
        if (line.empty())
            continue;
        auto r = from_json(line);
        if (!r) {
            Error e = r.take_error();
            e.where = path + ":" + std::to_string(lineno);
            return e;
        }
        out.push_back(std::move(*r));
    }
    return out;
}

std::string to_junit(const std::vector<Record>& records, double seconds) {
    std::vector<std::string> kernels;
    for (const auto& r : records) {
        std::string k = r.kernel_source + ":" + r.kernel;
        if (std::find(kernels.begin(), kernels.end(), k) == kernels.end())
            kernels.push_back(k);
    }
    size_t fails = 0;
    for (const auto& r : records)
        fails += r.failed();
    std::ostringstream x;
    x << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    char secs[32];
    std::snprintf(secs, sizeof(secs), "%.3f", seconds);
    x << "<testsuites name=\"iterconf\" tests=\"" << records.size() << "\" failures=\"" << fails
      << "\" time=\"" << secs << "\">\n";
    for (const auto& k : kernels) {
        std::vector<const Record*> rs;
        size_t kf = 0, ks = 0;
        double kt = 0;
        for (const auto& r : records) {
            if (r.kernel_source + ":" + r.kernel != k)
                continue;
            rs.push_back(&r);
            kf += r.failed();
            ks += !r.failed() &&
                  (r.status() == std::string("known") || r.verdict == Verdict::unsupported);
            kt += r.load_us / 1e6;
        }
        std::snprintf(secs, sizeof(secs), "%.3f", kt);
        x << "  <testsuite name=\"" << xml_escape(k) << "\" tests=\"" << rs.size()
          << "\" failures=\"" << kf << "\" skipped=\"" << ks << "\" time=\"" << secs << "\">\n";
        for (const Record* r : rs) {
            std::snprintf(secs, sizeof(secs), "%.6f", r->load_us / 1e6);
            x << "    <testcase classname=\"" << xml_escape(r->case_id) << "\" name=\""
              << xml_escape(r->program) << "\" time=\"" << secs << "\"";
            bool body = r->failed() || !r->known_bug.empty() ||
                        r->verdict == Verdict::unsupported || !r->unchecked.empty();
            if (!body) {
                x << "/>\n";
                continue;
            }
            x << ">\n";
            if (!r->unchecked.empty()) {
                x << "      <properties>\n";
                for (const auto& u : r->unchecked)
                    x << "        <property name=\"unchecked\" value=\"" << xml_escape(u)
                      << "\"/>\n";
                x << "      </properties>\n";
            }
            if (r->match && !r->known_bug.empty()) {
                x << "      <failure message=\""
                  << xml_escape("known bug no longer reproduces: " + r->known_bug)
                  << "\" type=\"fixed\"/>\n";
            } else if (!r->match && !r->known_bug.empty()) {
                x << "      <skipped message=\""
                  << xml_escape("known bug: " + r->known_bug + ": " + r->reason) << "\"/>\n";
            } else if (!r->match) {
                x << "      <failure message=\"" << xml_escape(r->reason) << "\" type=\""
                  << to_string(r->verdict) << "\">";
                std::string body_text = "verdict: expected " + std::string(to_string(r->expected)) +
                                        ", got " + to_string(r->verdict) + "\n";
                if (!r->message.empty())
                    body_text += "message: " + r->message + "\n";
                for (const auto& l : r->log_tail)
                    body_text += l + "\n";
                x << xml_escape(body_text) << "</failure>\n";
            } else {
                std::string why = "unsupported: " + r->message;
                x << "      <skipped message=\"" << xml_escape(why) << "\"/>\n";
            }
            if (!r->unchecked.empty()) {
                std::string note = "not checked:";
                for (const auto& u : r->unchecked)
                    note += "\n  " + u;
                x << "      <system-out>" << xml_escape(note + "\n") << "</system-out>\n";
            }
            x << "    </testcase>\n";
        }
        x << "  </testsuite>\n";
    }
    x << "</testsuites>\n";
    return x.str();
}

Summary summarize(const std::vector<Record>& records) {
    Summary s;
    for (const auto& r : records) {
        s.total++;
        if (!r.known_bug.empty())
            (r.match ? s.fixed : s.known)++;
        else
            (r.match ? s.matched : s.mismatched)++;
        s.by_verdict[static_cast<int>(r.verdict)]++;
    }
    return s;
}

std::string to_table(const std::vector<Record>& records, bool color) {
    size_t w_id = 7;
    for (const auto& r : records)
        w_id = std::max(w_id, r.id().size());
    w_id = std::min<size_t>(w_id, 72);
    auto pad = [](std::string s, size_t w) {
        if (s.size() > w)
            s = s.substr(0, w - 1) + "~";
        s.resize(w, ' ');
        return s;
    };
    std::string out;
    out += pad("PROGRAM", w_id) + "  " + pad("VERDICT", 11) + "  " + pad("EXPECTED", 11) + "  " +
           pad("RESULT", 6) + "  " + pad("INSNS", 7) + "  MESSAGE\n";
    for (const auto& r : records) {
        std::string st = r.status();
        std::string res = st == "ok"         ? "ok"
                          : st == "mismatch" ? "FAIL"
                          : st == "known"    ? "known"
                                             : "FIXED";
        if (!r.unchecked.empty())
            res += "*";
        if (color)
            res = (r.failed()      ? "\033[1;31m"
                   : st == "known" ? "\033[33m"
                                   : "\033[32m") +
                  pad(res, 6) + "\033[0m";
        else
            res = pad(res, 6);
        std::string insns = r.insns_processed >= 0 ? std::to_string(r.insns_processed) : "-";
        std::string msg = r.message;
        if (!r.match && !r.reason.empty())
            msg = r.reason;
        if (msg.size() > 90)
            msg = msg.substr(0, 89) + "~";
        out += pad(r.id(), w_id) + "  " + pad(to_string(r.verdict), 11) + "  " +
               pad(to_string(r.expected), 11) + "  " + res + "  " + pad(insns, 7) + "  " + msg +
               "\n";
    }
    // Footer: which expectations went unchecked, by kind, in first-seen order.
    std::vector<std::pair<std::string, size_t>> kinds;
    size_t with = 0;
    for (const auto& r : records) {
        with += !r.unchecked.empty();
        for (const auto& u : r.unchecked) {
            auto it = std::find_if(kinds.begin(), kinds.end(),
                                   [&](const auto& k) { return k.first == u; });
            if (it == kinds.end())
                kinds.emplace_back(u, 1);
            else
                it->second++;
        }
    }
    if (with) {
        out += "* " + std::to_string(with) + " program" + (with == 1 ? "" : "s") +
               " with unchecked expectations:\n";
        for (const auto& [u, n] : kinds)
            out += "    " + u + ": " + std::to_string(n) + "\n";
    }
    return out;
}

std::string summary_line(const Summary& s, double seconds) {
    char buf[256];
    std::snprintf(buf, sizeof(buf),
                  "%zu programs: %zu matched, %zu mismatched (accept %zu, reject %zu, "
                  "unsupported %zu, load_error %zu) in %.2f s, %.1f verdicts/s",
                  s.total, s.matched, s.mismatched, s.by_verdict[0], s.by_verdict[1],
                  s.by_verdict[2], s.by_verdict[3], seconds,
                  seconds > 0 ? static_cast<double>(s.total) / seconds : 0.0);
    std::string out = buf;
    if (s.known || s.fixed)
        out += ", known bugs: " + std::to_string(s.known) + " reproduced, " +
               std::to_string(s.fixed) + " fixed";
    if (s.by_verdict[4] || s.by_verdict[5])
        out += ", crash " + std::to_string(s.by_verdict[4]) + ", timeout " +
               std::to_string(s.by_verdict[5]);
    return out;
}

} // namespace iterconf::record
