// iterconf report: the page (report.hpp). The C++ side gathers the data
// into one compact JSON document; page.inc holds the stylesheet and the
// script that render it in the browser.
#include "report/report.hpp"

#include "record/json.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unordered_map>

namespace fs = std::filesystem;

namespace iterconf::report {

namespace {

#include "report/page.inc"

bool read_text(const std::string& path, std::string& out, size_t max = std::string::npos) {
    std::ifstream f(path, std::ios::binary);
    if (!f)
        return false;
    if (max == std::string::npos) {
        std::stringstream ss;
        ss << f.rdbuf();
        out = ss.str();
    } else {
        out.assign(max, '\0');
        f.read(out.data(), static_cast<std::streamsize>(max));
        out.resize(static_cast<size_t>(f.gcount()));
    }
    return true;
}

std::string str_of(const record::json::Object& o, const char* key) {
    auto it = o.find(key);
    const std::string* s = it == o.end() ? nullptr : it->second.as_string();
    return s ? *s : std::string();
}

double num_of(const record::json::Object& o, const char* key) {
    auto it = o.find(key);
    const double* d = it == o.end() ? nullptr : it->second.as_number();
    return d ? *d : 0;
}

std::map<std::string, std::string> parse_meta(const std::string& text) {
    std::map<std::string, std::string> m;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        auto eq = line.find('=');
        if (eq == std::string::npos || eq == 0)
            continue;
        m.emplace(line.substr(0, eq), line.substr(eq + 1)); // the first wins
    }
    return m;
}

Result<Input> load_mutate(const std::string& dir) {
    Input in;
    in.kind = Kind::mutate;
    in.dir = dir;
    std::string path = dir + "/mutants.jsonl";
    std::ifstream f(path);
    if (!f)
        return make_error(ErrorKind::io, path, "cannot be read", "check its permissions");
    std::string line;
    for (size_t n = 1; std::getline(f, line); ++n) {
        if (line.empty())
            continue;
        auto v = record::json::parse(line);
        const record::json::Object* o = v ? v->as_object() : nullptr;
        if (!o || str_of(*o, "id").empty() || str_of(*o, "status").empty())
            return make_error(ErrorKind::input, path + ":" + std::to_string(n),
                              "not a mutant line (id, status)",
                              "give the --out directory of 'iterconf mutate'");
        Mutant m;
        m.id = str_of(*o, "id");
        m.file = str_of(*o, "file");
        m.function = str_of(*o, "function");
        m.area = str_of(*o, "area");
        m.status = str_of(*o, "status");
        m.equivalence = str_of(*o, "equivalence");
        m.note = str_of(*o, "note");
        m.what = str_of(*o, "what");
        m.equivalent_argument = str_of(*o, "equivalent_argument");
        m.survives_argument = str_of(*o, "survives_argument");
        m.build_s = num_of(*o, "build_s");
        m.suite_s = num_of(*o, "suite_s");
        auto k = o->find("killer");
        if (k != o->end() && k->second.as_object()) {
            const auto& ko = *k->second.as_object();
            m.killer_stage = str_of(ko, "stage");
            m.killer_program = str_of(ko, "program");
            m.killer_how = str_of(ko, "how");
            m.killer_detail = str_of(ko, "detail");
        }
        in.mutants.push_back(std::move(m));
    }
    std::string text;
    if (read_text(dir + "/summary.json", text)) {
        auto v = record::json::parse(text);
        if (v && v->as_object())
            for (const auto& [k, val] : *v->as_object()) {
                char num[64];
                if (auto s = val.as_string())
                    in.campaign[k] = *s;
                else if (auto d = val.as_number()) {
                    std::snprintf(num, sizeof(num), "%.1f", *d);
                    in.campaign[k] = num;
                }
            }
    }
    return in;
}

// Strings that repeat (messages, expected patterns, unchecked notes) once.
class Strings {
  public:
    size_t id(const std::string& s) {
        auto [it, added] = m_index.emplace(s, m_list.size());
        if (added)
            m_list.push_back(&it->first);
        return it->second;
    }
    void write(std::string& out) const {
        out += '[';
        for (size_t i = 0; i < m_list.size(); i++) {
            if (i)
                out += ',';
            out += script_json_string(*m_list[i]);
        }
        out += ']';
    }

  private:
    std::unordered_map<std::string, size_t> m_index;
    std::vector<const std::string*> m_list;
};

// Keys come from input files too (kernels/*.meta, a campaign's
// summary.json): escaped like every value, so no key can close the script.
void put_key(std::string& out, const char* key) {
    if (out.back() != '{')
        out += ',';
    out += script_json_string(key);
    out += ':';
}

void put_str(std::string& out, const char* key, const std::string& v) {
    put_key(out, key);
    out += script_json_string(v);
}

void put_num(std::string& out, const char* key, double v) {
    char num[64];
    std::snprintf(num, sizeof(num), "%.15g", v);
    put_key(out, key);
    out += num;
}

void put_ids(std::string& out, const char* key, const std::vector<std::string>& v,
             Strings& strings) {
    put_key(out, key);
    out += '[';
    for (size_t i = 0; i < v.size(); i++)
        out += (i ? "," : "") + std::to_string(strings.id(v[i]));
    out += ']';
}

void put_strs(std::string& out, const char* key, const std::vector<std::string>& v) {
    put_key(out, key);
    out += '[';
    for (size_t i = 0; i < v.size(); i++)
        out += (i ? "," : "") + script_json_string(v[i]);
    out += ']';
}

enum Status { st_ok, st_mismatch, st_known, st_fixed };

Status status_of(const record::Record& r) {
    if (r.known_bug.empty())
        return r.match ? st_ok : st_mismatch;
    return r.match ? st_fixed : st_known;
}

bool is_crash(const record::Record& r) {
    return r.verdict == record::Verdict::crash || r.verdict == record::Verdict::timeout;
}

// Rows that need a look first: mismatches, crashes and timeouts; then fixed
// known bugs, known bugs, unchecked expectations; ok last.
int rank_of(const record::Record& r) {
    Status s = status_of(r);
    if (s == st_mismatch || is_crash(r))
        return 0;
    if (s == st_fixed)
        return 1;
    if (s == st_known)
        return 2;
    return r.unchecked.empty() ? 4 : 3;
}

void render_run(const Input& in, const Options& opts, Stats& st, std::string& out) {
    const auto& recs = in.run.records;
    std::vector<std::string> kernels = diff::kernel_names(in.run);
    std::map<std::string, size_t> kernel_ix;
    for (size_t i = 0; i < kernels.size(); i++)
        kernel_ix[kernels[i]] = i;
    // Programs in order of first appearance, then sorted by rank and id.
    std::unordered_map<std::string, size_t> prog_ix;
    std::vector<std::string> prog_ids;
    std::vector<const record::Record*> prog_first;
    std::vector<int> rank;
    std::vector<std::pair<size_t, size_t>> where(recs.size()); // record -> (program, kernel)
    for (size_t i = 0; i < recs.size(); i++) {
        const auto& r = recs[i];
        auto [it, added] = prog_ix.emplace(r.id(), prog_ids.size());
        if (added) {
            prog_ids.push_back(r.id());
            prog_first.push_back(&r);
            rank.push_back(4);
        }
        rank[it->second] = std::min(rank[it->second], rank_of(r));
        where[i] = {it->second, kernel_ix[diff::kernel_name(r)]};
    }
    std::vector<size_t> order(prog_ids.size());
    for (size_t i = 0; i < order.size(); i++)
        order[i] = i;
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
        return rank[a] != rank[b] ? rank[a] < rank[b] : prog_ids[a] < prog_ids[b];
    });
    std::vector<size_t> row_of(order.size());
    for (size_t i = 0; i < order.size(); i++)
        row_of[order[i]] = i;
    size_t nk = kernels.size();

    // Whether the log tails of ok programs fit.
    size_t ok_tail_bytes = 0;
    for (const auto& r : recs)
        if (rank_of(r) == 4)
            for (const auto& l : r.log_tail)
                ok_tail_bytes += l.size() + 4;
    st.ok_tails = ok_tail_bytes <= opts.ok_tail_budget;

    Strings strings;
    strings.id("");
    std::vector<long long> cells(order.size() * nk * 4, 0);
    for (size_t c = 0; c < order.size() * nk; c++)
        cells[c * 4 + 3] = -1;
    std::string details = "[";
    size_t full_bytes = 0;
    // Per kernel: total, ok, mismatch, known, fixed, unchecked, crash,
    // timeout, then one per verdict.
    std::vector<std::array<size_t, 14>> counts(nk);
    std::vector<std::string> release(nk);
    std::map<std::string, std::pair<size_t, size_t>> known_seen; // known_bug -> (known, fixed)
    for (size_t i = 0; i < recs.size(); i++) {
        const auto& r = recs[i];
        auto [p, k] = where[i];
        if (release[k].empty())
            release[k] = r.kernel;
        Status s = status_of(r);
        auto& n = counts[k];
        n[0]++;
        n[1 + s]++;
        n[5] += !r.unchecked.empty();
        n[6] += r.verdict == record::Verdict::crash;
        n[7] += r.verdict == record::Verdict::timeout;
        n[8 + static_cast<int>(r.verdict)]++;
        if (!r.known_bug.empty()) {
            auto& kn = known_seen[r.known_bug];
            (s == st_fixed ? kn.second : kn.first)++;
        }
        size_t c = (row_of[p] * nk + k) * 4;
        cells[c] = 1 + static_cast<int>(r.verdict) + 8 * static_cast<int>(r.expected) + 64 * s +
                   (r.unchecked.empty() ? 0 : 256);
        cells[c + 1] = static_cast<long long>(strings.id(r.message));
        cells[c + 2] = r.insns_processed;
        bool ok = rank_of(r) == 4;
        if (ok && !st.ok_tails)
            continue;
        std::string d = "{";
        if (!r.reason.empty())
            put_str(d, "r", r.reason);
        if (!r.expected_msgs.empty())
            put_ids(d, "em", r.expected_msgs, strings);
        if (!r.unchecked.empty())
            put_ids(d, "un", r.unchecked, strings);
        if (!r.missing_kfuncs.empty())
            put_ids(d, "mk", r.missing_kfuncs, strings);
        if (!r.known_bug.empty())
            put_num(d, "kb", static_cast<double>(strings.id(r.known_bug)));
        if (!r.log_tail.empty())
            put_strs(d, "lt", r.log_tail);
        if (!r.log_file.empty())
            put_str(d, "lf", r.log_file);
        put_num(d, "lu", static_cast<double>(r.load_us));
        if (s != st_ok && !r.log_file.empty() && full_bytes < opts.full_log_budget &&
            r.log_file.find("..") == std::string::npos) {
            std::string text;
            if (read_text(in.run.dir + "/" + r.log_file, text, opts.full_log_max + 1)) {
                if (text.size() > opts.full_log_max) {
                    text.resize(opts.full_log_max);
                    text += "\n[... cut at " + std::to_string(opts.full_log_max >> 10) +
                            " KiB; the whole file is " + r.log_file + "]\n";
                }
                full_bytes += text.size();
                put_str(d, "fl", text);
                st.full_logs++;
            }
        }
        d += '}';
        if (d == "{}")
            continue;
        cells[c + 3] = static_cast<long long>(st.details);
        if (st.details++)
            details += ',';
        details += d;
    }
    details += ']';

    out += "\"kind\":\"run\"";
    put_key(out, "kernels");
    out += '[';
    for (size_t k = 0; k < nk; k++) {
        const std::map<std::string, std::string>* meta = nullptr;
        for (const auto& km : in.kernels) {
            auto it = km.meta.find("source");
            if ((it != km.meta.end() && it->second == kernels[k]) ||
                (it == km.meta.end() && km.label == kernels[k]))
                meta = &km.meta;
        }
        out += k ? ",{" : "{";
        put_str(out, "name", kernels[k]);
        put_str(out, "release", release[k]);
        put_key(out, "meta");
        out += '{';
        if (meta)
            for (const auto& [key, v] : *meta)
                put_str(out, key.c_str(), v);
        out += '}';
        put_key(out, "n");
        out += '[';
        for (size_t j = 0; j < counts[k].size(); j++)
            out += (j ? "," : "") + std::to_string(counts[k][j]);
        out += "]}";
    }
    out += ']';
    put_key(out, "programs");
    out += '[';
    for (size_t i = 0; i < order.size(); i++) {
        const auto& r = *prog_first[order[i]];
        out += i ? ",[" : "[";
        out += script_json_string(prog_ids[order[i]]) + "," +
               std::to_string(strings.id(r.description)) + "," +
               std::to_string(strings.id(r.file)) + "," + std::to_string(rank[order[i]]) + "]";
    }
    out += ']';
    put_key(out, "cells");
    out += '[';
    for (size_t i = 0; i < cells.size(); i++) {
        if (i)
            out += ',';
        out += std::to_string(cells[i]);
    }
    out += ']';
    put_key(out, "details");
    out += details;
    put_key(out, "okTails");
    out += st.ok_tails ? "true" : "false";

    // Known bugs: the list's entries and how often each showed here.
    put_key(out, "known");
    out += '[';
    bool first = true;
    for (const auto& b : opts.known_bugs) {
        std::string text = b.reason + " (" + b.link + ")";
        auto it = known_seen.find(text);
        std::pair<size_t, size_t> n{0, 0};
        if (it != known_seen.end()) {
            n = it->second;
            known_seen.erase(it);
        }
        out += first ? "{" : ",{";
        first = false;
        put_str(out, "program", b.program);
        put_str(out, "kernels", b.kernels);
        put_str(out, "reason", b.reason);
        put_str(out, "link", b.link);
        put_str(out, "reproduces", b.reproduces);
        put_num(out, "known", static_cast<double>(n.first));
        put_num(out, "fixed", static_cast<double>(n.second));
        out += '}';
    }
    // Entries of another list (run --known-bugs FILE): "reason (link)".
    for (const auto& [text, n] : known_seen) {
        std::string reason = text, link;
        if (text.size() > 2 && text.back() == ')') {
            auto open = text.rfind(" (");
            if (open != std::string::npos) {
                reason = text.substr(0, open);
                link = text.substr(open + 2, text.size() - open - 3);
            }
        }
        out += first ? "{" : ",{";
        first = false;
        put_str(out, "program", "");
        put_str(out, "kernels", "");
        put_str(out, "reason", reason);
        put_str(out, "link", link);
        put_str(out, "reproduces", "");
        put_num(out, "known", static_cast<double>(n.first));
        put_num(out, "fixed", static_cast<double>(n.second));
        out += '}';
    }
    out += ']';

    if (opts.diff) {
        const diff::Diff& d = *opts.diff;
        put_key(out, "diff");
        out += '{';
        put_str(out, "summary", diff::summary_line(d));
        put_str(out, "base", d.base_path);
        put_num(out, "regressions", static_cast<double>(d.regressions));
        put_key(out, "entries");
        out += '[';
        std::vector<const diff::Entry*> es;
        for (const auto& e : d.entries)
            es.push_back(&e);
        std::stable_sort(es.begin(), es.end(), [](const diff::Entry* a, const diff::Entry* b) {
            return a->regression > b->regression;
        });
        for (size_t i = 0; i < es.size(); i++) {
            const diff::Entry& e = *es[i];
            std::string changes;
            for (auto c : e.changes)
                changes += (changes.empty() ? "" : ",") + std::string(diff::to_string(c));
            auto side = [](const std::optional<record::Record>& r) {
                if (!r)
                    return std::string("\"\",\"\",\"\",-1");
                return script_json_string(record::to_string(r->verdict)) + "," +
                       script_json_string(r->status()) + "," + script_json_string(r->message) +
                       "," + std::to_string(r->insns_processed);
            };
            out += i ? ",[" : "[";
            out += script_json_string(e.id) + "," + script_json_string(e.base_kernel) + "," +
                   script_json_string(e.new_kernel) + "," + script_json_string(changes) + "," +
                   (e.regression ? "1" : "0") + "," + side(e.base) + "," + side(e.nu) + "]";
        }
        out += "]}";
    }
    put_key(out, "strings");
    strings.write(out);
    st.programs = order.size();
    st.kernels = nk;
    st.cells = recs.size();
}

void render_mutate(const Input& in, std::string& out) {
    out += "\"kind\":\"mutate\"";
    put_key(out, "campaign");
    out += '{';
    for (const auto& [k, v] : in.campaign)
        put_str(out, k.c_str(), v);
    out += '}';
    Score s = score_of(in.mutants);
    put_key(out, "score");
    out += '{';
    put_num(out, "all", static_cast<double>(s.all));
    put_num(out, "killed", static_cast<double>(s.killed));
    put_num(out, "survived", static_cast<double>(s.survived));
    put_num(out, "equivalent", static_cast<double>(s.equivalent));
    put_num(out, "build_failures", static_cast<double>(s.build_failures));
    put_num(out, "not_applicable", static_cast<double>(s.not_applicable));
    put_num(out, "errors", static_cast<double>(s.errors));
    put_num(out, "denominator", static_cast<double>(s.denominator()));
    char pct[32];
    std::snprintf(pct, sizeof(pct), "%.1f", s.pct());
    put_str(out, "pct", pct);
    out += '}';
    put_key(out, "mutants");
    out += '[';
    for (size_t i = 0; i < in.mutants.size(); i++) {
        const Mutant& m = in.mutants[i];
        out += i ? ",{" : "{";
        put_str(out, "id", m.id);
        put_str(out, "file", m.file);
        put_str(out, "function", m.function);
        put_str(out, "area", m.area);
        put_str(out, "status", m.status);
        put_str(out, "equivalence", m.equivalence);
        std::string killer;
        if (!m.killer_how.empty())
            killer = m.killer_stage + " " + m.killer_program + ": " + m.killer_how;
        put_str(out, "killer", killer);
        put_str(out, "detail", m.killer_detail);
        put_str(out, "note", m.note);
        put_str(out, "what", m.what);
        put_str(out, "argument",
                m.equivalent_argument.empty() ? m.survives_argument : m.equivalent_argument);
        put_num(out, "build_s", m.build_s);
        put_num(out, "suite_s", m.suite_s);
        out += '}';
    }
    out += ']';
}

} // namespace

std::string html_escape(std::string_view s) {
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
            out += "&#39;";
            break;
        default:
            out += c;
        }
    }
    return out;
}

std::string script_json_string(std::string_view s) {
    std::string out;
    out.reserve(s.size() + 2);
    out += '"';
    for (size_t i = 0; i < s.size(); i++) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        char buf[8];
        if (c == '"') {
            out += "\\\"";
        } else if (c == '\\') {
            out += "\\\\";
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\t') {
            out += "\\t";
        } else if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == 0x7f) {
            std::snprintf(buf, sizeof(buf), "\\u%04x", c);
            out += buf;
        } else if (c == 0xe2 && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
                   (static_cast<unsigned char>(s[i + 2]) == 0xa8 ||
                    static_cast<unsigned char>(s[i + 2]) == 0xa9)) {
            out += static_cast<unsigned char>(s[i + 2]) == 0xa8 ? "\\u2028" : "\\u2029";
            i += 2;
        } else {
            out += static_cast<char>(c);
        }
    }
    out += '"';
    return out;
}

Result<Input> load(const std::string& dir) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
        return make_error(ErrorKind::input, dir, "not a directory",
                          "give the --out directory of 'iterconf run' or 'iterconf mutate'");
    if (!fs::exists(dir + "/results.jsonl", ec) && fs::exists(dir + "/mutants.jsonl", ec))
        return load_mutate(dir);
    if (!fs::exists(dir + "/results.jsonl", ec))
        return make_error(ErrorKind::input, dir, "holds no results.jsonl (nor mutants.jsonl)",
                          "give the --out directory of 'iterconf run' or 'iterconf mutate'");
    Input in;
    in.kind = Kind::run;
    in.dir = dir;
    ITERCONF_TRY_ASSIGN(in.run, diff::load_run(dir));
    std::vector<fs::path> metas;
    for (auto it = fs::directory_iterator(dir + "/kernels", ec);
         !ec && it != fs::directory_iterator(); it.increment(ec))
        if (it->path().extension() == ".meta")
            metas.push_back(it->path());
    std::sort(metas.begin(), metas.end());
    for (const auto& p : metas) {
        std::string text;
        if (read_text(p.string(), text))
            in.kernels.push_back({p.stem().string(), parse_meta(text)});
    }
    return in;
}

Score score_of(const std::vector<Mutant>& mutants) {
    Score s;
    for (const auto& m : mutants)
        s.add(m.status);
    return s;
}

std::string render(const Input& in, const Options& opts, Stats* stats) {
    Stats st;
    std::string data = "{";
    put_str(data, "title", opts.title);
    put_str(data, "dir", in.dir);
    data += ',';
    if (in.kind == Kind::run)
        render_run(in, opts, st, data);
    else
        render_mutate(in, data);
    data += '}';
    if (stats)
        *stats = st;
    std::string page;
    page.reserve(data.size() + 32768);
    page += k_page_head;
    page += "<title>" + html_escape(opts.title) + "</title>\n";
    page += k_page_style;
    page += k_page_body;
    page += "<script id=\"data\" type=\"application/json\">";
    page += data;
    page += "</script>\n";
    page += k_page_script;
    return page;
}

} // namespace iterconf::report
