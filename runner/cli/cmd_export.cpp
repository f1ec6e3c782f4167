// iterconf export --selftest: a finding (a hand case program, a generated
// program or a fuzz finding case file) as a kernel selftest
// tools/testing/selftests/bpf/progs/<name>.c, in bpf_misc.h's annotations as
// mainline writes them, ready to send upstream.
//
// The program and what it needs (static helpers, maps, globals, types,
// #defines) are cut out of the case's C text; its annotation block is
// rewritten from the expectations the compiled case carries, resolved for
// one kernel version, so no iterconf-only annotation (__kver_*) is left. The
// export is compiled and read back before it is written: it must say what
// the case says on that kernel, or nothing is written.
#include "cli/common.hpp"
#include "config/manifest.hpp"
#include "expect/kver.hpp"
#include "expect/spec.hpp"
#include "gen/emit_c.hpp"
#include "gen/enumerate.hpp"
#include "model/model.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <sys/utsname.h>

namespace fs = std::filesystem;

namespace iterconf::cli {

namespace {

constexpr const char* k_usage = R"(usage: iterconf export --selftest [options] ID...
       iterconf export --selftest [options] --from FILE [PROGRAM...]

Writes the programs as one kernel selftest, DIR/progs/<name>.c: SPDX line,
header comment, bpf_misc.h annotations as mainline writes them (__success,
__failure, __msg, ...; iterconf's __kver_* resolved for one kernel version),
the program and the helpers, maps and types it uses, and the license. The
export is compiled and read back first: it must expect what the case
expects on that kernel.

IDs:
  CASE/PROGRAM           a hand case program, e.g. task_vma/double_new/new_twice_same_slot
  CASE                   every program of a hand case, e.g. task_vma/double_new
  gen:NAME, NAME         a generated program (g + 16 hex digits, as in iterconf gen)
  --from FILE            a case file (a fuzz finding, a case of your own); the
                         PROGRAMs given, or all of them

options:
  --selftest             the kernel selftest format (the only one; required)
  --out DIR              write DIR/progs/<name>.c (default: out)
  --name NAME            file and skeleton name (default from the first ID,
                         e.g. iters_task_vma_double_new)
  --kernel-version X.Y[.Z]   resolve version-scoped expectations (and predict
                         generated programs) for this kernel (default: the
                         newest known: images/kernels.toml and the running one)
  --bound B              the generator bound generated programs are found in
                         (as iterconf gen --bound)
  -I, --include DIR      extra include directory for compiling
  -h, --help             this text
)";

// ---- a small lexer and top-level scanner for case C text ----

struct Token {
    enum class Kind { ident, punct, string, number, comment, preproc } kind;
    size_t begin = 0, end = 0;
    std::string_view text;
};

bool ident_start(char c) {
    return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}
bool ident_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

std::vector<Token> lex(std::string_view s) {
    std::vector<Token> out;
    size_t i = 0, n = s.size();
    bool line_start = true;
    while (i < n) {
        char c = s[i];
        if (c == '\n') {
            line_start = true;
            i++;
            continue;
        }
        if (std::isspace(static_cast<unsigned char>(c))) {
            i++;
            continue;
        }
        size_t b = i;
        Token::Kind k;
        if (c == '/' && i + 1 < n && s[i + 1] == '*') {
            size_t e = s.find("*/", i + 2);
            i = e == std::string_view::npos ? n : e + 2;
            k = Token::Kind::comment;
        } else if (c == '/' && i + 1 < n && s[i + 1] == '/') {
            while (i < n && s[i] != '\n')
                i++;
            k = Token::Kind::comment;
        } else if (c == '#' && line_start) {
            while (i < n && s[i] != '\n')
                i += s[i] == '\\' && i + 1 < n ? 2 : 1;
            k = Token::Kind::preproc;
        } else if (c == '"' || c == '\'') {
            i++;
            while (i < n && s[i] != c && s[i] != '\n')
                i += s[i] == '\\' && i + 1 < n ? 2 : 1;
            i = std::min(n, i + 1);
            k = Token::Kind::string;
        } else if (ident_start(c)) {
            while (i < n && ident_char(s[i]))
                i++;
            k = Token::Kind::ident;
        } else if (std::isdigit(static_cast<unsigned char>(c))) {
            while (i < n && (ident_char(s[i]) || s[i] == '.'))
                i++;
            k = Token::Kind::number;
        } else {
            i++;
            k = Token::Kind::punct;
        }
        line_start = false;
        out.push_back({k, b, i, s.substr(b, i - b)});
    }
    return out;
}

// One annotation macro of a program: `__msg("...")`, `__success`, `SEC("x")`.
struct Annotation {
    std::string name, text;
};

// A top-level construct of the file: a comment, a preprocessor line, a
// declaration or a function (with its annotations, for a program).
struct Chunk {
    enum class Kind { comment, preproc, code } kind = Chunk::Kind::code;
    size_t begin = 0, end = 0;      // byte range of its tokens
    std::vector<std::string> names; // what it defines
    std::set<std::string> refs;     // identifiers it uses
    bool function = false;
    bool program = false; // a function with SEC(...) in front
    size_t sig = 0;       // function: where its declaration starts (after the annotations)
    std::vector<Annotation> annotations;
    bool always = false;   // kept whatever is selected (#include, #if ...)
    bool standard = false; // one of the four includes every export starts with
};

bool attribute_like(std::string_view id) {
    return id == "SEC" || id.substr(0, 2) == "__";
}

// Attributes of the function itself, written with its declaration.
bool function_attribute(std::string_view id) {
    return id == "__naked" || id == "__noinline" || id == "__always_inline" || id == "__weak" ||
           id == "__used" || id == "__hidden" || id == "__attribute__" || id == "__always_unused";
}

bool keyword(std::string_view id) {
    static const std::set<std::string_view> k = {
        "struct", "union",    "enum",     "const", "volatile", "static", "extern",
        "inline", "unsigned", "signed",   "int",   "char",     "long",   "short",
        "void",   "typedef",  "register", "float", "double",   "_Bool",  "bool"};
    return k.count(id) > 0;
}

size_t line_begin(std::string_view s, size_t pos) {
    size_t p = s.rfind('\n', pos == 0 ? 0 : pos - 1);
    return pos == 0 || p == std::string_view::npos ? 0 : p + 1;
}

// The balanced (...) group starting at tokens[i] ("("); returns the index
// after its ")".
size_t skip_group(const std::vector<Token>& t, size_t i) {
    int depth = 0;
    for (; i < t.size(); i++) {
        if (t[i].kind != Token::Kind::punct)
            continue;
        if (t[i].text == "(")
            depth++;
        else if (t[i].text == ")" && --depth == 0)
            return i + 1;
    }
    return t.size();
}

void code_chunk(std::string_view s, const std::vector<Token>& t, size_t first, size_t last,
                Chunk& c) {
    // Where the function body starts: the first "{" at depth 0 right after ")".
    size_t body = SIZE_MAX;
    int paren = 0;
    for (size_t i = first; i <= last; i++)
        if (t[i].kind == Token::Kind::ident)
            c.refs.insert(std::string(t[i].text));
    for (size_t i = first; i <= last; i++) {
        if (t[i].kind != Token::Kind::punct)
            continue;
        if (t[i].text == "(")
            paren++;
        else if (t[i].text == ")")
            paren--;
        else if (t[i].text == "{" && paren == 0 && body == SIZE_MAX) {
            size_t p = i;
            while (p > first && t[p - 1].kind == Token::Kind::comment)
                p--;
            if (p > first && t[p - 1].text == ")")
                body = i;
            break;
        }
    }
    if (body != SIZE_MAX) {
        c.function = true;
        // The declarator: the identifier before the last (...) group in front
        // of the body; BPF_PROG(name, ...) style macros name it inside.
        size_t i = first, name_tok = SIZE_MAX;
        while (i < body) {
            if (t[i].kind == Token::Kind::punct && t[i].text == "(") {
                size_t j = skip_group(t, i);
                if (i > first && t[i - 1].kind == Token::Kind::ident &&
                    !attribute_like(t[i - 1].text))
                    name_tok = i - 1;
                i = j;
            } else {
                i++;
            }
        }
        if (name_tok != SIZE_MAX) {
            std::string_view id = t[name_tok].text;
            if (id.substr(0, 4) == "BPF_" && name_tok + 2 < body &&
                t[name_tok + 2].kind == Token::Kind::ident)
                c.names.push_back(std::string(t[name_tok + 2].text));
            else
                c.names.push_back(std::string(id));
            // The annotations: SEC(...) and __x(...) macros in front of the
            // declaration (function attributes such as __naked stay with it).
            size_t k = first;
            while (k < name_tok) {
                if (t[k].kind == Token::Kind::comment) {
                    k++;
                    continue;
                }
                if (t[k].kind != Token::Kind::ident || !attribute_like(t[k].text) ||
                    function_attribute(t[k].text))
                    break;
                size_t e = k + 1;
                if (e < name_tok && t[e].text == "(")
                    e = skip_group(t, e);
                if (e > name_tok)
                    break;
                c.annotations.push_back(
                    {std::string(t[k].text),
                     std::string(s.substr(t[k].begin, t[e - 1].end - t[k].begin))});
                if (t[k].text == "SEC")
                    c.program = true;
                k = e;
            }
            // The declaration starts on its own line, or right after the
            // annotations when it shares their line.
            c.sig = line_begin(s, t[k].begin);
            if (!c.annotations.empty() && t[k - 1].end > c.sig)
                c.sig = t[k].begin;
        }
        return;
    }
    // A declaration: its name is the last identifier before = [ ; , or a
    // declarator's "(", attributes (SEC(...), __x) skipped.
    bool is_enum = t[first].text == "enum" ||
                   (t[first].text == "typedef" && first + 1 <= last && t[first + 1].text == "enum");
    std::string name;
    int brace = 0;
    for (size_t i = first; i <= last; i++) {
        const Token& k = t[i];
        if (k.kind == Token::Kind::punct && k.text == "{") {
            brace++;
            continue;
        }
        if (k.kind == Token::Kind::punct && k.text == "}") {
            brace--;
            continue;
        }
        if (brace > 0) {
            if (is_enum && k.kind == Token::Kind::ident && i + 1 <= last &&
                (t[i + 1].text == "=" || t[i + 1].text == "," || t[i + 1].text == "}"))
                c.names.push_back(std::string(k.text));
            continue;
        }
        if (k.kind == Token::Kind::ident) {
            if (!attribute_like(k.text) && !keyword(k.text))
                name = k.text;
            if (attribute_like(k.text) && i + 1 <= last && t[i + 1].text == "(")
                i = skip_group(t, i + 1) - 1;
            continue;
        }
        if (k.kind == Token::Kind::punct &&
            (k.text == "=" || k.text == "[" || k.text == ";" || k.text == "," || k.text == "("))
            break;
    }
    if (!name.empty())
        c.names.push_back(name);
}

std::vector<Chunk> scan(std::string_view s) {
    auto t = lex(s);
    std::vector<Chunk> out;
    size_t i = 0;
    while (i < t.size()) {
        Chunk c;
        c.begin = t[i].begin;
        if (t[i].kind == Token::Kind::comment) {
            c.kind = Chunk::Kind::comment;
            c.end = t[i].end;
            i++;
        } else if (t[i].kind == Token::Kind::preproc) {
            c.kind = Chunk::Kind::preproc;
            c.end = t[i].end;
            std::string_view d = t[i].text.substr(1);
            while (!d.empty() && std::isspace(static_cast<unsigned char>(d.front())))
                d.remove_prefix(1);
            auto sub = lex(d);
            if (d.substr(0, 7) == "include") {
                c.always = true;
                for (const char* h :
                     {"vmlinux.h", "bpf/bpf_helpers.h", "bpf_misc.h", "bpf_experimental.h"})
                    if (d.find(std::string("\"") + h + "\"") != std::string_view::npos ||
                        d.find(std::string("<") + h + ">") != std::string_view::npos)
                        c.standard = true;
            } else if (d.substr(0, 6) == "define" && sub.size() > 1) {
                c.names.push_back(std::string(sub[1].text));
                for (size_t k = 2; k < sub.size(); k++)
                    if (sub[k].kind == Token::Kind::ident)
                        c.refs.insert(std::string(sub[k].text));
            } else {
                c.always = true; // #if, #pragma, #undef ...: kept as they are
                for (const auto& k : sub)
                    if (k.kind == Token::Kind::ident)
                        c.refs.insert(std::string(k.text));
            }
            i++;
        } else {
            size_t first = i;
            int brace = 0, paren = 0;
            bool fn_body = false;
            for (; i < t.size(); i++) {
                const Token& k = t[i];
                if (k.kind != Token::Kind::punct)
                    continue;
                if (k.text == "(") {
                    paren++;
                } else if (k.text == ")") {
                    paren--;
                } else if (k.text == "{") {
                    if (brace == 0 && paren == 0) {
                        size_t p = i;
                        while (p > first && t[p - 1].kind == Token::Kind::comment)
                            p--;
                        fn_body = p > first && t[p - 1].text == ")";
                    }
                    brace++;
                } else if (k.text == "}") {
                    if (--brace == 0 && fn_body)
                        break;
                } else if (k.text == ";" && brace == 0 && paren == 0) {
                    break;
                }
            }
            size_t last = std::min(i, t.size() - 1);
            c.kind = Chunk::Kind::code;
            c.end = t[last].end;
            code_chunk(s, t, first, last, c);
            i = last + 1;
        }
        c.begin = line_begin(s, c.begin);
        out.push_back(std::move(c));
    }
    return out;
}

// Whether chunk a is directly above chunk b (no blank line between).
bool adjacent(std::string_view s, const Chunk& a, const Chunk& b) {
    return std::count(s.begin() + a.end, s.begin() + b.begin, '\n') <= 1;
}

// The body of a /* ... */ comment, one string per line without " * ".
std::vector<std::string> comment_lines(std::string_view c) {
    std::vector<std::string> out;
    if (c.substr(0, 2) == "//") {
        for (auto l : split_lines(c)) {
            l.remove_prefix(std::min<size_t>(2, l.size()));
            if (!l.empty() && l.front() == ' ')
                l.remove_prefix(1);
            out.emplace_back(l);
        }
        return out;
    }
    c.remove_prefix(2);
    if (c.size() >= 2)
        c.remove_suffix(2);
    for (auto l : split_lines(c)) {
        while (!l.empty() && (l.front() == ' ' || l.front() == '\t'))
            l.remove_prefix(1);
        if (!l.empty() && l.front() == '*')
            l.remove_prefix(1);
        if (!l.empty() && l.front() == ' ')
            l.remove_prefix(1);
        while (!l.empty() && std::isspace(static_cast<unsigned char>(l.back())))
            l.remove_suffix(1);
        out.emplace_back(l);
    }
    while (!out.empty() && out.front().empty())
        out.erase(out.begin());
    while (!out.empty() && out.back().empty())
        out.pop_back();
    return out;
}

// In comments only: iterconf's version-scoped annotation names, which an
// upstream reader has no header for, lose their macro spelling.
std::string plain_comments(const std::string& text) {
    std::string out;
    size_t at = 0;
    for (const auto& k : lex(text)) {
        if (k.kind != Token::Kind::comment)
            continue;
        out.append(text, at, k.begin - at);
        std::string c(k.text);
        for (size_t p; (p = c.find("__kver_")) != std::string::npos;)
            c.replace(p, 7, "kver_");
        out += c;
        at = k.end;
    }
    out.append(text, at);
    return out;
}

std::string c_string(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        switch (c) {
        case '"':
        case '\\':
            out += '\\';
            out += c;
            break;
        case '\n':
            out += "\\n";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            out += c;
        }
    }
    return out + "\"";
}

// ---- sources ----

struct Source {
    std::string label;   // how the header names it
    std::string path;    // the .bpf.c compiled for its expectations
    std::string display; // the path the user knows
    std::string case_id;
    std::vector<std::string> programs; // empty: all
    std::string text;
    std::vector<std::string> about; // header lines: the rule it exercises
    std::string found_on;           // "6.18.44": the kernel a fuzz finding was found on
};

std::string read_file(const std::string& path, bool& ok) {
    std::ifstream f(path, std::ios::binary);
    ok = static_cast<bool>(f);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

bool is_generated_name(const std::string& s) {
    if (s.size() != 17 || s[0] != 'g')
        return false;
    return std::all_of(s.begin() + 1, s.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c)) || (c >= 'a' && c <= 'f');
    });
}

std::string slug(const std::string& s) {
    std::string out;
    for (char c : s)
        out +=
            std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::tolower(c)) : '_';
    return out;
}

// The newest kernel version iterconf knows: the manifest's series and the
// running kernel.
expect::KernelVersion newest_known() {
    expect::KernelVersion best;
    struct utsname u {};
    if (uname(&u) == 0)
        if (auto v = expect::parse_release(u.release))
            best = *v;
    if (auto m = config::Manifest::load())
        for (const auto& k : m->kernels())
            if (auto v = expect::parse_release(k.series); v && !k.series.empty())
                best = std::max(best, *v);
    return best;
}

std::string version_text(const expect::KernelVersion& k) {
    std::string s = std::to_string(k.v[0]) + "." + std::to_string(k.v[1]);
    if (k.v[2])
        s += "." + std::to_string(k.v[2]);
    return s;
}

// The header comment of a case file: its first /* */ block before any code.
std::vector<std::string> file_about(std::string_view text, const std::vector<Chunk>& chunks) {
    for (const auto& c : chunks) {
        if (c.kind != Chunk::Kind::comment)
            break;
        std::string_view t = text.substr(c.begin, c.end - c.begin);
        while (!t.empty() && std::isspace(static_cast<unsigned char>(t.front())))
            t.remove_prefix(1);
        if (t.substr(0, 2) != "/*")
            continue;
        return comment_lines(t);
    }
    return {};
}

// ---- the export ----

// fuzz_protocol's notes for iterconf's own triage of a finding, and the
// local path of its input, are not for upstream.
std::vector<std::string> without_triage_notes(const std::vector<std::string>& about) {
    std::vector<std::string> kept;
    bool triage = false;
    for (const auto& a : about) {
        if (a.find("The annotations below") != std::string::npos)
            triage = true;
        if (!triage && a.rfind("Input: ", 0) != 0)
            kept.push_back(a);
        if (triage && a.find("known-bugs") != std::string::npos)
            triage = false;
    }
    return kept;
}

// A generated program as a case file in `dir`, annotated with the model's
// prediction for kv.
Source generated_source(const gen::Program& p, const expect::KernelVersion& kv,
                        const gen::Bound& bound, const std::string& dir) {
    model::KernelFeatures kf;
    model::KernelFeatures::from_release(version_text(kv), kf);
    auto e = model::expect(p, kf);
    std::string name = p.name();
    fs::path path = fs::path(dir) / "src" / (name + ".bpf.c");
    std::error_code ec;
    fs::create_directories(path.parent_path(), ec);
    std::ofstream(path) << gen::emit_c({{p, {e.accept, e.msgs}}}, "Code generated by iterconf.");
    Source src;
    src.path = path.string();
    src.display = "gen:" + name;
    src.case_id = "generated/" + name;
    src.programs = {name};
    src.label = "Generated by iterconf gen (bound " + bound.text() + ")";
    std::string predicts =
        e.accept ? "accept" : std::string("reject (") + model::to_string(e.reason) + ")";
    src.about = {"Program: " + p.text(), "The reference model (iterconf runner/model) predicts " +
                                             predicts + " on Linux " + version_text(kv) + "."};
    return src;
}

struct Program {
    const Source* src = nullptr;
    std::string name;
    expect::ProgramSpec spec;
    bool success = true;
    std::vector<std::pair<std::string, bool>> msgs; // text, negative
};

std::string verdict_line(bool success) {
    return success ? "__success" : "__failure";
}

// The annotation block of a program in the export.
std::string annotation_block(const Chunk& c, const Program& p) {
    std::string out;
    std::vector<std::string> rest;
    bool has_description = false;
    for (const auto& a : c.annotations) {
        if (a.name == "SEC") {
            out += a.text + "\n";
        } else if (a.name == "__description") {
            has_description = true;
            out += a.text + "\n";
        } else if (a.name == "__success" || a.name == "__failure" || a.name == "__msg" ||
                   a.name == "__not_msg" || a.name.rfind("__kver_", 0) == 0) {
            // rewritten below from the resolved expectation
        } else {
            rest.push_back(a.text);
        }
    }
    if (!has_description && !p.spec.description.empty())
        out += "__description(" + c_string(p.spec.description) + ")\n";
    if (!p.spec.auxiliary) // an auxiliary program is not a test: no verdict
        out += verdict_line(p.success) + "\n";
    for (const auto& [m, negative] : p.msgs)
        out += std::string(negative ? "__not_msg(" : "__msg(") + c_string(m) + ")\n";
    for (const auto& r : rest)
        out += r + "\n";
    return out;
}

// The program chunks of `src` named in `progs`, with every chunk they use.
Result<std::string> cut(const Source& src, const std::vector<const Program*>& progs,
                        std::set<std::string>& seen_chunks) {
    std::string_view s = src.text;
    auto chunks = scan(s);
    std::map<std::string, std::vector<size_t>> by_name;
    for (size_t i = 0; i < chunks.size(); i++)
        if (!chunks[i].program)
            for (const auto& n : chunks[i].names)
                by_name[n].push_back(i);
    std::vector<bool> keep(chunks.size(), false);
    std::vector<size_t> work;
    std::map<size_t, const Program*> prog_of;
    for (const auto* p : progs) {
        bool found = false;
        for (size_t i = 0; i < chunks.size(); i++) {
            if (chunks[i].program && !chunks[i].names.empty() && chunks[i].names[0] == p->name) {
                keep[i] = true;
                work.push_back(i);
                prog_of[i] = p;
                found = true;
            }
        }
        if (!found)
            return make_error(ErrorKind::input, src.display + ": prog '" + p->name + "'",
                              "its function is not found in the C text",
                              "write it as SEC(...) <annotations> int " + p->name + "(...) {...}");
    }
    for (size_t i = 0; i < chunks.size(); i++) {
        const Chunk& c = chunks[i];
        bool unnamed_code = c.kind == Chunk::Kind::code && !c.program && c.names.empty();
        if ((c.always && !c.standard) || unnamed_code) {
            keep[i] = true;
            work.push_back(i);
        }
    }
    while (!work.empty()) {
        size_t i = work.back();
        work.pop_back();
        for (const auto& r : chunks[i].refs) {
            auto it = by_name.find(r);
            if (it == by_name.end())
                continue;
            for (size_t j : it->second)
                if (!keep[j] && j != i) {
                    keep[j] = true;
                    work.push_back(j);
                }
        }
    }
    // The license is written once, at the end.
    for (size_t i = 0; i < chunks.size(); i++)
        for (const auto& n : chunks[i].names)
            if (n == "_license")
                keep[i] = false;
    // The output: each kept chunk with the comments directly above it (the
    // file's leading comments, SPDX line and header, excepted).
    size_t lead = 0;
    while (lead < chunks.size() && chunks[lead].kind == Chunk::Kind::comment)
        lead++;
    std::string out;
    bool prev_preproc = false;
    for (size_t i = 0; i < chunks.size(); i++) {
        const Chunk& c = chunks[i];
        if (!keep[i] || c.kind == Chunk::Kind::comment)
            continue;
        size_t top = i;
        while (top > lead && chunks[top - 1].kind == Chunk::Kind::comment &&
               adjacent(s, chunks[top - 1], chunks[top]))
            top--;
        std::string text;
        for (size_t k = top; k < i; k++)
            text += std::string(s.substr(chunks[k].begin, chunks[k].end - chunks[k].begin)) + "\n";
        if (auto p = prog_of.find(i); p != prog_of.end())
            text += annotation_block(c, *p->second) + std::string(s.substr(c.sig, c.end - c.sig));
        else
            text += std::string(s.substr(c.begin, c.end - c.begin));
        // the same helper of two generated programs, or a case given twice
        if (!seen_chunks.insert(text).second)
            continue;
        bool preproc = c.kind == Chunk::Kind::preproc && top == i;
        if (!out.empty() && !(preproc && prev_preproc))
            out += "\n";
        out += text + "\n";
        prev_preproc = preproc;
    }
    return out;
}

std::string header(const std::string& name, const std::vector<Source>& sources,
                   const std::map<const Source*, std::vector<std::string>>& progs_of,
                   const std::string& kver, bool kver_given) {
    std::vector<std::string> l;
    for (const auto& src : sources) {
        auto pit = progs_of.find(&src);
        if (pit == progs_of.end())
            continue;
        std::string names;
        for (const auto& p : pit->second)
            names += (names.empty() ? "" : ", ") + p;
        if (!l.empty())
            l.push_back("");
        l.push_back(src.label + ": " + names + ".");
        if (!src.about.empty()) {
            l.push_back("");
            for (const auto& a : src.about)
                l.push_back(a);
        }
    }
    l.push_back("");
    std::string found;
    for (const auto& src : sources)
        if (!src.found_on.empty() && found.find(src.found_on) == std::string::npos)
            found += (found.empty() ? "" : ", ") + src.found_on;
    if (!found.empty())
        l.push_back("Found by iterconf on Linux " + found + ".");
    l.push_back("Exported by iterconf (iterconf export --selftest" +
                (kver_given ? " --kernel-version " + kver : std::string()) +
                "). The expectations are those iterconf checks on Linux " + kver +
                (kver_given ? "" : " (the newest kernel it knows)") +
                ": its version-scoped annotations were resolved for that kernel into plain "
                "__success/__failure/__msg.");
    l.push_back("");
    l.push_back("To run it with test_progs, register it in prog_tests/verifier.c:");
    l.push_back("\t#include \"" + name + ".skel.h\"");
    l.push_back("\tvoid test_" + name + "(void) { RUN(" + name + "); }");
    l.push_back("or call RUN_TESTS(" + name + ") from a prog_tests file of its own.");
    std::string out = "// SPDX-License-Identifier: GPL-2.0\n/*\n";
    for (const auto& x : l) {
        std::string line = x;
        for (size_t p; (p = line.find("*/")) != std::string::npos;)
            line.replace(p, 2, "* /");
        if (line.empty()) {
            out += " *\n";
            continue;
        }
        if (line[0] == '\t') {
            out += " *" + line + "\n";
            continue;
        }
        // kernel style: wrapped before column 80 where there is a space
        while (line.size() > 76) {
            size_t cut = line.rfind(' ', 76);
            if (cut == std::string::npos || cut == 0)
                cut = line.find(' ', 76);
            if (cut == std::string::npos)
                break;
            out += " * " + line.substr(0, cut) + "\n";
            line = line.substr(cut + 1);
        }
        out += " * " + line + "\n";
    }
    return out + " */\n";
}

// Compiles `path` and reads its programs' expectations.
Result<load::CaseObject> compile_and_open(const std::string& path, const std::string& id,
                                          const std::string& display, const CompileOptions& co) {
    CaseInput in{.path = path, .id = id, .is_source = true};
    ITERCONF_TRY_ASSIGN(std::string obj, compile_case(in, co));
    return load::open_case(obj, id, display);
}

// What the export's program expects must be what the original expects on kv.
std::string differs(const Program& want, const expect::ProgramSpec& got,
                    const expect::KernelVersion& kv) {
    if (!got.success && !want.spec.auxiliary)
        return "no explicit __success/__failure";
    if (!got.kver_verdicts.empty())
        return "a version-scoped verdict is left";
    auto e = expect::resolve(got, kv);
    if (e.success != want.success)
        return std::string("it expects ") + (e.success ? "success" : "failure") + ", the case " +
               (want.success ? "success" : "failure");
    std::vector<std::pair<std::string, bool>> msgs;
    for (const auto* m : e.msgs) {
        if (m->range)
            return "a version-scoped __msg is left";
        msgs.emplace_back(m->text, m->negative);
    }
    if (got.msgs.size() != msgs.size() || msgs != want.msgs)
        return "its __msg list is " + std::to_string(msgs.size()) + " pattern(s), the case's " +
               std::to_string(want.msgs.size());
    const auto& w = want.spec;
    if (got.description != w.description || got.retval != w.retval ||
        got.log_level != w.log_level || got.prog_flags_set != w.prog_flags_set ||
        got.prog_flags_clear != w.prog_flags_clear || got.auxiliary != w.auxiliary ||
        got.unchecked != w.unchecked)
        return "its other annotations (__description, __retval, __log_level, __flag, ...) differ";
    return "";
}

} // namespace

int cmd_export(int argc, char** argv) {
    std::string out_dir = "out", name, kver, from, v;
    std::vector<std::string> ids, includes;
    bool selftest = false;
    gen::Bound bound;
    Args args(argc, argv);
    while (!args.done()) {
        if (args.flag("-h", "--help")) {
            std::fputs(k_usage, stdout);
            return 0;
        } else if (args.flag("--selftest")) {
            selftest = true;
        } else if (args.option("--out", v)) {
            out_dir = v;
        } else if (args.option("--name", v)) {
            name = v;
        } else if (args.option("--kernel-version", v)) {
            kver = v;
        } else if (args.option("--from", v)) {
            if (!from.empty())
                throw UsageError{"--from is given once"};
            from = v;
        } else if (args.option("--bound", v)) {
            if (auto e = gen::parse_bound(v, bound); !e.empty())
                throw UsageError{"--bound: " + e};
        } else if (args.option("--include", "-I", v)) {
            includes.push_back(v);
        } else if (!args.peek().empty() && args.peek()[0] == '-') {
            throw UsageError{"unknown argument '" + args.peek() + "'"};
        } else {
            ids.push_back(args.next());
        }
    }
    if (!selftest)
        throw UsageError{"say which format: --selftest (a kernel selftest progs/*.c file)"};
    if (ids.empty() && from.empty())
        throw UsageError{"nothing to export: give case program ids, gen:NAME or --from FILE"};
    if (!name.empty() &&
        (!ident_start(name[0]) || !std::all_of(name.begin(), name.end(), ident_char)))
        throw UsageError{"--name '" + name + "' is not a C identifier (it names the skeleton)"};
    expect::KernelVersion kv;
    if (!kver.empty()) {
        auto p = expect::parse_release(kver);
        if (!p)
            return report_error(make_error(ErrorKind::usage, "--kernel-version", p.error().what,
                                           "write X.Y or X.Y.Z"),
                                false);
        kv = *p;
    } else {
        kv = newest_known();
    }
    std::string kv_text = version_text(kv);

    // Scratch space (compiled objects, generated sources, the draft):
    // removed at the end, kept when an error names the draft.
    struct Scratch {
        std::string dir;
        bool keep = false;
        ~Scratch() {
            std::error_code ec;
            if (!dir.empty() && !keep)
                fs::remove_all(dir, ec);
        }
    } scratch;
    std::error_code tec;
    std::string tmpl = (fs::temp_directory_path(tec) / "iterconf-export-XXXXXX").string();
    if (tec || !mkdtemp(tmpl.data()))
        return report_error(
            make_error(ErrorKind::io, tmpl,
                       std::string("cannot create a directory: ") + std::strerror(errno),
                       "set TMPDIR to a writable directory"),
            false);
    scratch.dir = tmpl;
    const std::string& tmp = scratch.dir;
    CompileOptions co{.include_dirs = includes, .out_dir = tmp};
    auto fail = [&](const Error& e) {
        if (e.message().find(tmp) != std::string::npos) // e.g. clang's output
            scratch.keep = true;
        report_error(e, false);
        return 2;
    };
    auto fail_draft = [&](const Error& e) {
        scratch.keep = true;
        return fail(e);
    };

    // Gather the sources: each a C text, compiled for its expectations.
    std::vector<Source> sources;
    sources.reserve(ids.size() + 1);
    std::optional<std::vector<gen::Program>> corpus;
    auto add_file = [&](Source src) -> Result<void> {
        bool ok = false;
        src.text = read_file(src.path, ok);
        if (!ok)
            return make_error(ErrorKind::input, src.display, "cannot read the file",
                              "check the path");
        auto chunks = scan(src.text);
        if (src.about.empty())
            src.about = file_about(src.text, chunks);
        for (const auto& a : src.about) // a fuzz finding's header names its kernel
            if (size_t p = a.find("finding on "); p != std::string::npos && src.found_on.empty())
                src.found_on = a.substr(p + 11, a.find(':', p) - p - 11);
        if (!src.found_on.empty())
            src.about = without_triage_notes(src.about);
        sources.push_back(std::move(src));
        return {};
    };
    if (!from.empty()) {
        Source src;
        src.path = from;
        src.display = from;
        std::string stem = fs::path(from).filename().string();
        for (const char* suf : {".bpf.c", ".c"})
            if (stem.size() > std::strlen(suf) &&
                stem.compare(stem.size() - std::strlen(suf), std::string::npos, suf) == 0) {
                stem.resize(stem.size() - std::strlen(suf));
                break;
            }
        src.case_id = "from/" + stem;
        src.label = "From " + fs::path(from).filename().string();
        src.programs = ids;
        if (auto r = add_file(std::move(src)); !r)
            return fail(r.error());
    } else {
        for (const auto& id : ids) {
            Source src;
            std::string gname = id.rfind("gen:", 0) == 0 ? id.substr(4) : id;
            if (id.rfind("gen:", 0) == 0 || is_generated_name(id)) {
                if (!is_generated_name(gname))
                    throw UsageError{"'" + id +
                                     "' is not a generated program name (g and 16 hex "
                                     "digits, as iterconf gen writes them)"};
                if (!corpus)
                    corpus = gen::enumerate_all(bound);
                auto it = std::find_if(corpus->begin(), corpus->end(),
                                       [&](const gen::Program& p) { return p.name() == gname; });
                if (it == corpus->end())
                    return fail(make_error(ErrorKind::input, "gen:" + gname,
                                           "no generated program of this name within --bound " +
                                               bound.text(),
                                           "pass the --bound it was generated with"));
                src = generated_source(*it, kv, bound, tmp);
                if (auto r = add_file(std::move(src)); !r)
                    return fail(r.error());
                continue;
            }
            // A hand case: CASE/PROGRAM, or CASE alone.
            std::string cases = source_dir() + "/cases/";
            std::error_code ec;
            size_t slash = id.rfind('/');
            if (slash != std::string::npos &&
                fs::is_regular_file(cases + id.substr(0, slash) + ".bpf.c", ec)) {
                src.case_id = id.substr(0, slash);
                src.programs = {id.substr(slash + 1)};
            } else if (fs::is_regular_file(cases + id + ".bpf.c", ec)) {
                src.case_id = id;
            } else {
                return fail(make_error(ErrorKind::input, "'" + printable(id) + "'",
                                       "no such hand case or program under " + cases,
                                       "ids look like task_vma/double_new/new_twice_same_slot "
                                       "(iterconf list), gen:NAME, or use --from FILE"));
            }
            // the same case twice: one source, its programs merged
            auto same = std::find_if(sources.begin(), sources.end(),
                                     [&](const Source& s) { return s.case_id == src.case_id; });
            if (same != sources.end()) {
                if (same->programs.empty() || src.programs.empty())
                    same->programs.clear();
                else
                    same->programs.insert(same->programs.end(), src.programs.begin(),
                                          src.programs.end());
                continue;
            }
            src.path = cases + src.case_id + ".bpf.c";
            src.display = "cases/" + src.case_id + ".bpf.c";
            src.label = "From iterconf's case " + src.case_id + " (" + src.display + ")";
            if (auto r = add_file(std::move(src)); !r)
                return fail(r.error());
        }
    }
    if (name.empty()) {
        const Source& s0 = sources.front();
        std::string base = s0.case_id.rfind("from/", 0) == 0        ? s0.case_id.substr(5)
                           : s0.case_id.rfind("generated/", 0) == 0 ? "gen_" + s0.case_id.substr(10)
                                                                    : s0.case_id;
        name = slug(base);
        if (name.rfind("iters", 0) != 0 && name.rfind("verifier", 0) != 0)
            name = "iters_" + name;
    }

    // Expectations of each program, resolved for kv.
    std::vector<Program> programs;
    std::string license;
    for (const auto& src : sources) {
        auto obj = compile_and_open(src.path, src.case_id, src.display, co);
        if (!obj)
            return fail(obj.error());
        for (const auto& want : src.programs)
            if (std::none_of(obj->programs.begin(), obj->programs.end(),
                             [&](const load::CaseProgram& p) { return p.name == want; }))
                return fail(make_error(
                    ErrorKind::input, src.display, "no program '" + printable(want) + "'",
                    "iterconf list --cases " + src.display + " lists its programs"));
        if (license.empty())
            license = obj->license;
        else if (obj->license != license)
            return fail(make_error(ErrorKind::input, src.display,
                                   "license \"" + obj->license + "\" differs from \"" + license +
                                       "\" of the other programs",
                                   "export them to separate files"));
        for (const auto& p : obj->programs) {
            // __auxiliary programs are loaded with every test of the file
            if (!src.programs.empty() && !p.spec.auxiliary &&
                std::find(src.programs.begin(), src.programs.end(), p.name) == src.programs.end())
                continue;
            for (const auto& q : programs)
                if (q.name == p.name)
                    return fail(make_error(ErrorKind::input, obj->where(p.name),
                                           "a program of this name is exported already (from " +
                                               q.src->display + ")",
                                           "export them to separate files"));
            Program x;
            x.src = &src;
            x.name = p.name;
            x.spec = p.spec;
            auto e = expect::resolve(p.spec, kv);
            x.success = e.success;
            for (const auto* m : e.msgs)
                x.msgs.emplace_back(m->text, m->negative);
            programs.push_back(std::move(x));
        }
    }
    if (license.empty())
        license = "GPL";

    // Cut, compose, and check by compiling the export.
    std::string body;
    std::set<std::string> seen;
    std::map<const Source*, std::vector<std::string>> progs_of;
    for (const auto& src : sources) {
        std::vector<const Program*> mine;
        for (const auto& p : programs)
            if (p.src == &src) {
                mine.push_back(&p);
                progs_of[&src].push_back(p.name);
            }
        if (mine.empty())
            continue;
        auto part = cut(src, mine, seen);
        if (!part)
            return fail(part.error());
        body += (body.empty() ? "" : "\n") + *part;
    }
    std::string text = header(name, sources, progs_of, kv_text, !kver.empty()) +
                       "#include \"vmlinux.h\"\n"
                       "#include <bpf/bpf_helpers.h>\n"
                       "#include \"bpf_misc.h\"\n"
                       "#include \"bpf_experimental.h\"\n\n" +
                       body + "\nchar _license[] SEC(\"license\") = " + c_string(license) + ";\n";
    text = plain_comments(text);
    fs::path draft = fs::path(tmp) / "progs" / (name + ".c");
    std::error_code ec;
    fs::create_directories(draft.parent_path(), ec);
    std::ofstream(draft, std::ios::trunc) << text;
    std::string where = "export " + name + ".c";
    if (text.find("__kver_") != std::string::npos)
        return fail_draft(
            make_error(ErrorKind::input, where,
                       "iterconf's __kver_* annotations are used outside an annotation "
                       "block (e.g. in a macro)",
                       "write them directly above the program; the draft is " + draft.string()));
    auto back = compile_and_open(
        draft.string(), "export/" + name, draft.string(),
        CompileOptions{.include_dirs = includes, .out_dir = tmp + "/check", .werror = true});
    if (!back)
        return fail_draft(make_error(
            ErrorKind::internal, where, "the export does not compile: " + back.error().message(),
            "please report it with the case; the draft is " + draft.string()));
    if (back->programs.size() != programs.size())
        return fail_draft(make_error(ErrorKind::internal, where,
                                     "the export has " + std::to_string(back->programs.size()) +
                                         " programs, not " + std::to_string(programs.size()),
                                     "the draft is " + draft.string()));
    for (const auto& p : programs) {
        auto it = std::find_if(back->programs.begin(), back->programs.end(),
                               [&](const load::CaseProgram& q) { return q.name == p.name; });
        std::string d = it == back->programs.end() ? "it is missing" : differs(p, it->spec, kv);
        if (!d.empty())
            return fail_draft(make_error(
                ErrorKind::input, where + ": prog '" + p.name + "'",
                "the export does not expect what the case expects on Linux " + kv_text + ": " + d,
                "annotations must be written directly above the program (not through a macro "
                "of your own); the draft is " +
                    draft.string()));
    }
    fs::path dest = fs::path(out_dir) / "progs" / (name + ".c");
    fs::create_directories(dest.parent_path(), ec);
    if (ec)
        return fail(make_error(ErrorKind::io, dest.parent_path().string(),
                               "cannot create directory: " + ec.message()));
    {
        std::ofstream f(dest, std::ios::trunc);
        f << text;
        if (!f)
            return fail(make_error(ErrorKind::io, dest.string(), "cannot write the file"));
    }
    std::printf("%s: %zu program%s, expectations for Linux %s\n", dest.string().c_str(),
                programs.size(), programs.size() == 1 ? "" : "s", kv_text.c_str());
    std::printf("test_progs: copy it to tools/testing/selftests/bpf/progs/ and add "
                "RUN(%s) to prog_tests/verifier.c (see its header)\n",
                name.c_str());
    return 0;
}

} // namespace iterconf::cli
