#include "diff/diff.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace fs = std::filesystem;

namespace iterconf::diff {

namespace {

using record::Record;
using record::Verdict;

constexpr const char* k_format_hint =
    "give an out dir of 'iterconf run' or its results.jsonl (one JSON record per line, "
    "contract 2 of DESIGN.md)";

// What a markdown report may take: GitHub refuses comments over 65536
// characters; the rest is left for the caller's own text.
constexpr size_t k_markdown_budget = 60000;

constexpr const char* k_changes[] = {"only_base", "only_new", "crash", "verdict",
                                     "result",    "message",  "insns"};

bool read_file(const std::string& path, std::string& out) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return false;
    std::ostringstream s;
    s << in.rdbuf();
    if (in.bad())
        return false;
    out = s.str();
    return true;
}

bool crashlike(Verdict v) {
    return v == Verdict::crash || v == Verdict::timeout;
}

// The verifier ran to a verdict: its instruction count means something.
bool verified(Verdict v) {
    return v == Verdict::accept || v == Verdict::reject;
}

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// "[    2.628124] " at the start of a console line.
size_t timestamp_len(const std::string& s) {
    size_t i = 0;
    if (s.empty() || s[0] != '[')
        return 0;
    i = 1;
    while (i < s.size() && s[i] == ' ')
        i++;
    size_t d = i;
    while (i < s.size() && (is_digit(s[i]) || s[i] == '.'))
        i++;
    if (i == d || i >= s.size() || s[i] != ']')
        return 0;
    i++;
    while (i < s.size() && s[i] == ' ')
        i++;
    return i;
}

// Replaces the number after each `key` ("CPU: ", "PID: ") with N.
void mask_number(std::string& s, const std::string& key) {
    size_t pos = 0;
    while ((pos = s.find(key, pos)) != std::string::npos) {
        size_t b = pos + key.size(), e = b;
        while (e < s.size() && is_digit(s[e]))
            e++;
        if (e > b)
            s.replace(b, e - b, "N");
        pos = b;
    }
}

std::string percent(int64_t from, int64_t to) {
    if (from <= 0)
        return "";
    double p = 100.0 * static_cast<double>(to - from) / static_cast<double>(from);
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%+.0f%%", p);
    return buf;
}

std::string number(double d) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%g", d);
    return buf;
}

std::string pad(std::string s, size_t w) {
    if (s.size() < w)
        s.resize(w, ' ');
    return s;
}

std::string clip(const std::string& s, size_t w) {
    if (s.size() <= w)
        return s;
    return s.substr(0, w - 1) + "~";
}

// The cell of one aspect: "reject", "reject -> accept", "reject -> -".
std::string cell(const std::optional<std::string>& b, const std::optional<std::string>& n,
                 const char* arrow) {
    if (b && n && *b == *n)
        return *b;
    return (b ? *b : "-") + arrow + (n ? *n : "-");
}

std::optional<std::string> verdict_of(const std::optional<Record>& r) {
    if (!r)
        return std::nullopt;
    return std::string(record::to_string(r->verdict));
}
std::optional<std::string> status_of(const std::optional<Record>& r) {
    if (!r)
        return std::nullopt;
    return std::string(r->status());
}

std::string insns_cell(const Entry& e, const char* arrow) {
    auto v = [](const std::optional<Record>& r) -> std::optional<std::string> {
        if (!r || !verified(r->verdict) || r->insns_processed < 0)
            return std::nullopt;
        return std::to_string(r->insns_processed);
    };
    auto b = v(e.base), n = v(e.nu);
    if (!b && !n)
        return "-";
    std::string c = cell(b, n, arrow);
    if (b && n && *b != *n) {
        std::string p = percent(e.base->insns_processed, e.nu->insns_processed);
        if (!p.empty())
            c += " (" + p + ")";
    }
    return c;
}

std::string changes_cell(const Entry& e) {
    std::string out;
    for (Change c : e.changes) {
        if (!out.empty())
            out += ",";
        out += c == Change::only_base  ? "only in BASE"
               : c == Change::only_new ? "only in NEW"
                                       : to_string(c);
    }
    return out;
}

std::string pair_text(const std::string& b, const std::string& n, const char* arrow) {
    if (b == n)
        return b;
    return (b.empty() ? "-" : b) + arrow + (n.empty() ? "-" : n);
}

bool messages_differ(const Entry& e) {
    std::string b = e.base ? e.base->message : "", n = e.nu ? e.nu->message : "";
    return e.base && e.nu && normalize_message(b) != normalize_message(n);
}

std::string why_regression(const Entry& e) {
    if (!e.nu)
        return "missing in NEW";
    if (crashlike(e.nu->verdict) && !crashlike(e.base->verdict))
        return std::string(record::to_string(e.nu->verdict)) + " in NEW";
    return std::string(e.base->status()) + " in BASE, mismatch in NEW";
}

} // namespace

const char* to_string(Change c) {
    return k_changes[static_cast<int>(c)];
}

std::string normalize_message(const std::string& message) {
    std::string s = message.substr(timestamp_len(message));
    mask_number(s, "CPU: ");
    mask_number(s, "PID: ");
    return s;
}

std::string kernel_name(const Record& r) {
    return r.kernel_source.empty() ? r.kernel : r.kernel_source;
}

std::vector<std::string> kernel_names(const Run& run) {
    std::vector<std::string> out;
    for (const auto& r : run.records) {
        std::string k = kernel_name(r);
        if (std::find(out.begin(), out.end(), k) == out.end())
            out.push_back(k);
    }
    return out;
}

Result<Run> parse_run(const std::string& text, const std::string& path, const std::string& dir) {
    Run run{path, dir, {}};
    std::map<std::string, size_t> first; // kernel '\0' id -> line
    size_t lineno = 0;
    for (std::string_view sv : split_lines(text)) {
        lineno++;
        std::string line(sv);
        if (line.find_first_not_of(" \t\r") == std::string::npos)
            continue;
        auto r = record::from_json(line);
        if (!r) {
            Error e = r.take_error();
            return make_error(ErrorKind::input, path + ":" + std::to_string(lineno),
                              "not a record of 'iterconf run': " + e.what, k_format_hint);
        }
        std::string key = kernel_name(*r) + '\0' + r->id();
        auto [it, fresh] = first.emplace(key, lineno);
        if (!fresh)
            return make_error(ErrorKind::input, path + ":" + std::to_string(lineno),
                              "program '" + printable(r->id()) + "' on kernel '" +
                                  printable(kernel_name(*r)) + "' appears twice (first on line " +
                                  std::to_string(it->second) + ")",
                              "a run has one record per program and kernel; give each run an "
                              "--out of its own");
        run.records.push_back(std::move(*r));
    }
    return run;
}

Result<Run> load_run(const std::string& path) {
    std::error_code ec;
    std::string file = path, dir;
    auto st = fs::status(path, ec);
    if (ec || !fs::exists(st))
        return make_error(ErrorKind::io, path, "no such file or directory", k_format_hint);
    if (fs::is_directory(st)) {
        file = (fs::path(path) / "results.jsonl").string();
        dir = path;
        if (!fs::exists(file, ec))
            return make_error(ErrorKind::input, path, "no results.jsonl in this directory",
                              k_format_hint);
    } else {
        dir = fs::path(path).parent_path().string();
        if (dir.empty())
            dir = ".";
    }
    std::string text;
    if (!read_file(file, text))
        return make_error(ErrorKind::io, file, std::string("cannot read: ") + std::strerror(errno),
                          k_format_hint);
    if (text.find('\0') != std::string::npos)
        return make_error(ErrorKind::input, file, "binary data, not JSONL", k_format_hint);
    return parse_run(text, file, dir);
}

Result<Diff> compare(const Run& base, const Run& nu, const Options& opts) {
    Diff d;
    d.base_path = base.path;
    d.new_path = nu.path;
    d.base_dir = base.dir;
    d.new_dir = nu.dir;
    d.insns_threshold = opts.insns_threshold;
    auto bk = kernel_names(base), nk = kernel_names(nu);

    // Which kernel of a run --kernels names: a kernel name or a uname -r.
    auto resolve = [](const Run& run, const std::vector<std::string>& names,
                      const std::string& want) -> Result<std::string> {
        if (std::find(names.begin(), names.end(), want) != names.end())
            return want;
        for (const auto& r : run.records)
            if (r.kernel == want)
                return kernel_name(r);
        std::string list;
        for (const auto& n : names)
            list += (list.empty() ? "" : ", ") + n;
        return make_error(ErrorKind::usage, run.path, "no records of kernel '" + want + "'",
                          names.empty() ? std::string("the run has no records")
                                        : "its kernels: " + list);
    };
    std::vector<std::pair<std::string, std::string>> pairs;
    if (!opts.base_kernel.empty() || !opts.new_kernel.empty()) {
        ITERCONF_TRY_ASSIGN(std::string b, resolve(base, bk, opts.base_kernel));
        ITERCONF_TRY_ASSIGN(std::string n, resolve(nu, nk, opts.new_kernel));
        pairs.emplace_back(b, n);
    } else if (bk.size() == 1 && nk.size() == 1) {
        pairs.emplace_back(bk[0], nk[0]);
    } else {
        for (const auto& k : bk)
            pairs.emplace_back(k, std::find(nk.begin(), nk.end(), k) != nk.end() ? k : "");
        for (const auto& k : nk)
            if (std::find(bk.begin(), bk.end(), k) == bk.end())
                pairs.emplace_back("", k);
    }

    for (const auto& [bname, nname] : pairs) {
        KernelPair kp{bname, nname, "", "", 0, 0};
        std::map<std::string, const Record*> bm, nm;
        for (const auto& r : base.records)
            if (!bname.empty() && kernel_name(r) == bname) {
                bm[r.id()] = &r;
                kp.base_release = r.kernel;
            }
        for (const auto& r : nu.records)
            if (!nname.empty() && kernel_name(r) == nname) {
                nm[r.id()] = &r;
                kp.new_release = r.kernel;
            }
        kp.base_programs = bm.size();
        kp.new_programs = nm.size();
        d.base_programs += bm.size();
        d.new_programs += nm.size();
        d.pairs.push_back(kp);

        std::map<std::string, std::pair<const Record*, const Record*>> all;
        for (const auto& [id, r] : bm)
            all[id].first = r;
        for (const auto& [id, r] : nm)
            all[id].second = r;
        for (const auto& [id, sides] : all) {
            const Record* b = sides.first;
            const Record* n = sides.second;
            Entry e;
            e.id = id;
            e.base_kernel = bname;
            e.new_kernel = nname;
            if (b)
                e.base = *b;
            if (n)
                e.nu = *n;
            if (!b) {
                e.changes.push_back(Change::only_new);
            } else if (!n) {
                e.changes.push_back(Change::only_base);
            } else {
                d.compared++;
                if (b->verdict != n->verdict)
                    e.changes.push_back(crashlike(b->verdict) || crashlike(n->verdict)
                                            ? Change::crash
                                            : Change::verdict);
                if (std::string(b->status()) != n->status())
                    e.changes.push_back(Change::result);
                if (b->verdict == n->verdict &&
                    normalize_message(b->message) != normalize_message(n->message))
                    e.changes.push_back(Change::message);
                int64_t bi = b->insns_processed, ni = n->insns_processed;
                if (verified(b->verdict) && verified(n->verdict) && bi >= 0 && ni >= 0 &&
                    bi != ni &&
                    (bi == 0 || std::fabs(static_cast<double>(ni - bi)) * 100.0 >
                                    opts.insns_threshold * static_cast<double>(bi)))
                    e.changes.push_back(Change::insns);
            }
            if (e.changes.empty())
                continue;
            e.regression = b && std::string(b->status()) != "mismatch" &&
                           (!n || std::string(n->status()) == "mismatch" ||
                            (crashlike(n->verdict) && !crashlike(b->verdict)));
            d.regressions += e.regression;
            for (Change c : e.changes)
                d.by_change[static_cast<int>(c)]++;
            d.entries.push_back(std::move(e));
        }
    }
    return d;
}

Excerpt excerpt(const Record& r, const std::string& dir, size_t context) {
    Excerpt x;
    std::vector<std::string> lines;
    std::string text;
    if (!r.log_file.empty() && read_file((fs::path(dir) / r.log_file).string(), text)) {
        x.source = r.log_file;
        for (std::string_view l : split_lines(text)) {
            std::string s(l);
            if (!s.empty() && s.back() == '\r')
                s.pop_back();
            lines.push_back(std::move(s));
        }
    } else {
        x.source = "log_tail";
        if (!r.log_file.empty())
            x.note = r.log_file + " not readable";
        lines = r.log_tail;
    }
    std::string msg = normalize_message(r.message);
    size_t at = lines.size();
    if (!msg.empty()) {
        for (size_t i = 0; i < lines.size(); i++)
            if (normalize_message(lines[i]).find(msg) != std::string::npos) {
                at = i;
                break;
            }
        if (at == lines.size())
            x.note += std::string(x.note.empty() ? "" : "; ") + "the error line is not in the log";
    }
    size_t from, to;
    if (at < lines.size()) {
        from = at > context ? at - context : 0;
        to = std::min(lines.size(), at + 2);
        x.error_line = static_cast<int>(at - from);
    } else {
        to = lines.size();
        from = to > context + 1 ? to - context - 1 : 0;
    }
    for (size_t i = from; i < to; i++)
        x.lines.push_back(clip(lines[i], 200));
    return x;
}

std::string summary_line(const Diff& d) {
    size_t programs = d.compared + d.by_change[0] + d.by_change[1];
    std::string out = std::to_string(d.entries.size()) + " of " + std::to_string(programs) +
                      " program" + (programs == 1 ? "" : "s") + " changed";
    if (d.pairs.size() == 1)
        out += " (" + pair_text(d.pairs[0].base, d.pairs[0].nu, " -> ") + ")";
    else
        out += " (" + std::to_string(d.pairs.size()) + " kernel pairs)";
    std::string kinds;
    for (int c = 0; c < 7; c++) {
        if (!d.by_change[c])
            continue;
        kinds += (kinds.empty() ? "" : ", ") + std::string(k_changes[c]) + " " +
                 std::to_string(d.by_change[c]);
        if (c == static_cast<int>(Change::insns))
            kinds += " (beyond " + number(d.insns_threshold) + "%)";
    }
    if (!kinds.empty())
        out += ": " + kinds;
    if (d.regressions)
        out += "; " + std::to_string(d.regressions) + " regression" +
               (d.regressions == 1 ? "" : "s") +
               " (did not fail in BASE; missing, mismatch, crash or timeout in NEW)";
    else
        out += "; no regressions";
    return out;
}

namespace {

void put_excerpt(std::string& out, const char* side, const std::optional<Record>& r,
                 const std::string& dir, size_t context, const std::string& indent) {
    if (!r)
        return;
    Excerpt x = excerpt(*r, dir, context);
    out += indent + side + " " + x.source;
    if (!x.note.empty())
        out += " (" + x.note + ")";
    out += "\n";
    for (size_t i = 0; i < x.lines.size(); i++)
        out += indent + (static_cast<int>(i) == x.error_line ? "  > " : "  | ") + x.lines[i] + "\n";
}

std::string json_side(const std::optional<Record>& r, const std::string& dir, size_t context) {
    if (!r)
        return "null";
    std::string out = "{\"kernel\":" + record::json_quote(r->kernel) +
                      ",\"verdict\":" + record::json_quote(record::to_string(r->verdict)) +
                      ",\"status\":" + record::json_quote(r->status()) +
                      ",\"message\":" + record::json_quote(r->message) +
                      ",\"insns_processed\":" + std::to_string(r->insns_processed) +
                      ",\"log_file\":" + record::json_quote(r->log_file) + ",\"log\":[";
    if (context) {
        Excerpt x = excerpt(*r, dir, context);
        for (size_t i = 0; i < x.lines.size(); i++)
            out += (i ? "," : "") + record::json_quote(x.lines[i]);
        out += "],\"log_error_line\":" + std::to_string(x.error_line);
    } else {
        out += "]";
    }
    return out + "}";
}

// Inline code for markdown, safe in a table cell.
std::string md_code(const std::string& s) {
    std::string t;
    for (char c : s)
        t += c == '|' ? std::string("\\|") : std::string(1, c);
    if (t.empty())
        return "";
    if (t.find('`') != std::string::npos)
        return "`` " + t + " ``";
    return "`" + t + "`";
}

std::string md_cell(const std::string& s) {
    std::string t;
    for (char c : s)
        t += c == '|' ? std::string("\\|") : std::string(1, c);
    return t;
}

} // namespace

std::string to_table(const Diff& d, const Format& f) {
    std::string out;
    if (d.entries.empty())
        return summary_line(d) + "\n";
    bool multi = d.pairs.size() > 1;
    const char* arrow = " -> ";
    struct Row {
        std::string mark, kernel, id, verdict, result, insns, changes;
    };
    std::vector<Row> rows;
    Row head{"", "KERNEL", "PROGRAM", "VERDICT", "RESULT", "INSNS", "CHANGES"};
    size_t w[5] = {head.kernel.size(), head.id.size(), head.verdict.size(), head.result.size(),
                   head.insns.size()};
    for (const auto& e : d.entries) {
        Row r{e.regression ? "!" : "",
              pair_text(e.base_kernel, e.new_kernel, arrow),
              e.id,
              cell(verdict_of(e.base), verdict_of(e.nu), arrow),
              cell(status_of(e.base), status_of(e.nu), arrow),
              insns_cell(e, arrow),
              changes_cell(e)};
        w[0] = std::max(w[0], r.kernel.size());
        w[1] = std::max(w[1], r.id.size());
        w[2] = std::max(w[2], r.verdict.size());
        w[3] = std::max(w[3], r.result.size());
        w[4] = std::max(w[4], r.insns.size());
        rows.push_back(std::move(r));
    }
    auto line = [&](const Row& r) {
        std::string s = pad(r.mark, 2);
        if (multi)
            s += pad(r.kernel, w[0]) + "  ";
        s += pad(r.id, w[1]) + "  " + pad(r.verdict, w[2]) + "  " + pad(r.result, w[3]) + "  " +
             pad(r.insns, w[4]) + "  " + r.changes;
        return s + "\n";
    };
    out += line(head);
    for (const auto& r : rows)
        out += line(r);
    if (f.context) {
        for (const auto& e : d.entries) {
            out += "\n" + std::string(e.regression ? "! " : "") + e.id;
            out += "  [" + pair_text(e.base_kernel, e.new_kernel, arrow) + "]: " + changes_cell(e);
            if (e.regression)
                out += " (regression: " + why_regression(e) + ")";
            out += "\n";
            if (messages_differ(e)) {
                out +=
                    "  - " + (e.base->message.empty() ? "(no error line)" : e.base->message) + "\n";
                out += "  + " + (e.nu->message.empty() ? "(no error line)" : e.nu->message) + "\n";
            }
            put_excerpt(out, "BASE", e.base, d.base_dir, f.context, "  ");
            put_excerpt(out, "NEW ", e.nu, d.new_dir, f.context, "  ");
        }
        out += "\n";
    }
    for (const auto& p : d.pairs)
        out += "kernels: " + pair_text(p.base, p.nu, arrow) + " (" +
               pair_text(p.base_release, p.new_release, arrow) +
               "): " + std::to_string(p.base_programs) + arrow + std::to_string(p.new_programs) +
               " programs\n";
    return out + summary_line(d) + "\n";
}

std::string to_jsonl(const Diff& d, const Format& f) {
    std::string out;
    for (const auto& e : d.entries) {
        // The sides (with their log excerpts) once per program, repeated
        // in each of its changes: every line stands on its own.
        std::string b = json_side(e.base, d.base_dir, f.context);
        std::string n = json_side(e.nu, d.new_dir, f.context);
        for (Change c : e.changes)
            out += "{\"type\":\"change\",\"program\":" + record::json_quote(e.id) +
                   ",\"base_kernel\":" + record::json_quote(e.base_kernel) +
                   ",\"new_kernel\":" + record::json_quote(e.new_kernel) +
                   ",\"change\":" + record::json_quote(to_string(c)) +
                   ",\"regression\":" + (e.regression ? "true" : "false") + ",\"base\":" + b +
                   ",\"new\":" + n + "}\n";
    }
    out += "{\"type\":\"summary\",\"base\":" + record::json_quote(d.base_path) +
           ",\"new\":" + record::json_quote(d.new_path) + ",\"kernels\":[";
    for (size_t i = 0; i < d.pairs.size(); i++) {
        const auto& p = d.pairs[i];
        out += std::string(i ? "," : "") + "{\"base\":" + record::json_quote(p.base) +
               ",\"new\":" + record::json_quote(p.nu) +
               ",\"base_release\":" + record::json_quote(p.base_release) +
               ",\"new_release\":" + record::json_quote(p.new_release) +
               ",\"base_programs\":" + std::to_string(p.base_programs) +
               ",\"new_programs\":" + std::to_string(p.new_programs) + "}";
    }
    out += "],\"base_programs\":" + std::to_string(d.base_programs) +
           ",\"new_programs\":" + std::to_string(d.new_programs) +
           ",\"compared\":" + std::to_string(d.compared) +
           ",\"changed\":" + std::to_string(d.entries.size()) + ",\"changes\":{";
    for (int c = 0; c < 7; c++)
        out += std::string(c ? "," : "") + "\"" + k_changes[c] +
               "\":" + std::to_string(d.by_change[c]);
    out += "},\"regressions\":" + std::to_string(d.regressions) +
           ",\"insns_threshold\":" + number(d.insns_threshold) + "}\n";
    return out;
}

std::string to_markdown(const Diff& d, const Format& f) {
    const char* arrow = " → ";
    std::string out = "**iterconf diff**: " + summary_line(d) + "\n";
    if (d.entries.empty())
        return out;
    // Regressions first; rows and excerpts stop at k_markdown_budget
    // characters (GitHub refuses comments over 65536), saying how many more.
    std::vector<const Entry*> order;
    for (const auto& e : d.entries)
        if (e.regression)
            order.push_back(&e);
    for (const auto& e : d.entries)
        if (!e.regression)
            order.push_back(&e);
    auto more = [](size_t n, const char* what) {
        return "\n_" + std::to_string(n) + " more " + what +
               " left out to keep the comment under GitHub's 65536 characters; `iterconf diff` "
               "prints them all._\n";
    };
    bool multi = d.pairs.size() > 1;
    out += "\n| | " + std::string(multi ? "kernel | " : "") +
           "program | verdict | result | insns | changes |\n|---|" + (multi ? "---|" : "") +
           "---|---|---|---|---|\n";
    size_t rows = 0;
    for (const Entry* e : order) {
        if (out.size() > k_markdown_budget / 2)
            break;
        out += std::string("| ") + (e->regression ? "**regression** " : "") + "| " +
               (multi ? md_cell(pair_text(e->base_kernel, e->new_kernel, arrow)) + " | " : "") +
               md_code(e->id) + " | " +
               md_cell(cell(verdict_of(e->base), verdict_of(e->nu), arrow)) + " | " +
               md_cell(cell(status_of(e->base), status_of(e->nu), arrow)) + " | " +
               md_cell(insns_cell(*e, arrow)) + " | " + md_cell(changes_cell(*e)) + " |\n";
        rows++;
    }
    if (rows < order.size())
        out += more(order.size() - rows, "rows");
    if (!f.context)
        return out;
    out += "\n<details><summary>Error lines and log excerpts (" + std::to_string(d.entries.size()) +
           " program" + (d.entries.size() == 1 ? "" : "s") + ")</summary>\n";
    size_t shown = 0;
    for (const Entry* e : order) {
        std::string one = "\n" + md_code(e->id) + " (" + md_cell(changes_cell(*e)) + ")";
        if (e->regression)
            one += ", **regression**: " + why_regression(*e);
        one += "\n";
        auto msg = [](const std::string& m) { return m.empty() ? "(no error line)" : md_code(m); };
        if (messages_differ(*e))
            one += "\n- BASE: " + msg(e->base->message) + "\n- NEW: " + msg(e->nu->message) + "\n";
        std::string block;
        put_excerpt(block, "BASE", e->base, d.base_dir, f.context, "");
        put_excerpt(block, "NEW ", e->nu, d.new_dir, f.context, "");
        std::string fence = block.find("```") == std::string::npos ? "```" : "~~~~";
        one += "\n" + fence + "\n" + block + fence + "\n";
        if (out.size() + one.size() > k_markdown_budget)
            break;
        out += one;
        shown++;
    }
    if (shown < order.size())
        out += more(order.size() - shown, "excerpts");
    out += "\n</details>\n";
    return out;
}

} // namespace iterconf::diff
