#include "mutate/mutate.hpp"

#include "common/toml.hpp"

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace fs = std::filesystem;

namespace iterconf::mutate {

namespace {

constexpr std::array<const char*, 8> k_keys = {"file", "function", "original",   "mutated",
                                               "area", "what",     "equivalent", "survives"};

bool valid_id(std::string_view id) {
    if (id.empty())
        return false;
    for (char c : id)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
            return false;
    return true;
}

bool ident_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

bool column0(std::string_view line) {
    return !line.empty() && line[0] != ' ' && line[0] != '\t';
}

// Whether `line` holds NAME( with NAME not the tail of a longer identifier;
// the offset just past the '(' when it does.
std::optional<size_t> call_of(std::string_view line, const std::string& name) {
    std::string pat = name + "(";
    for (size_t at = line.find(pat); at != std::string_view::npos; at = line.find(pat, at + 1))
        if (at == 0 || !ident_char(line[at - 1]))
            return at + pat.size();
    return std::nullopt;
}

Result<std::string> read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return make_error(ErrorKind::io, path, std::string("cannot read: ") + std::strerror(errno));
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

} // namespace

std::string_view trim(std::string_view s) {
    const char* blanks = " \t\r\f\v";
    size_t b = s.find_first_not_of(blanks);
    if (b == std::string_view::npos)
        return {};
    size_t e = s.find_last_not_of(blanks);
    return s.substr(b, e - b + 1);
}

Result<std::vector<Mutant>> parse_catalogue(std::string_view text, const std::string& file) {
    ITERCONF_TRY_ASSIGN(toml::Document doc, toml::parse(text, file));
    if (!doc.top.empty())
        return make_error(ErrorKind::input, toml::where(file, doc.top[0].line),
                          "key '" + doc.top[0].key + "' outside a mutant",
                          "every key belongs to a [mutant-id] table");
    std::vector<Mutant> out;
    for (const auto& t : doc.tables) {
        std::string at = toml::where(file, t.line);
        if (t.array)
            return make_error(ErrorKind::input, at, "[[" + t.name + "]] is an array of tables",
                              "a mutant is [id]");
        if (!valid_id(t.name))
            return make_error(ErrorKind::input, at, "mutant id '" + t.name + "' is not [a-z0-9-]+");
        for (const auto& m : out)
            if (m.id == t.name)
                return make_error(ErrorKind::input, at,
                                  "mutant '" + t.name + "' repeated (first at " + m.where + ")");
        Mutant m;
        m.id = t.name;
        m.where = at;
        for (const auto& p : t.pairs) {
            bool known = false;
            for (const char* k : k_keys)
                known = known || p.key == k;
            if (!known)
                return make_error(ErrorKind::input, toml::where(file, p.line),
                                  "mutant '" + t.name + "': unknown key '" + p.key + "'",
                                  "keys: file, function, original, mutated, area, what, "
                                  "equivalent, survives");
            if (trim(p.value).empty())
                return make_error(ErrorKind::input, toml::where(file, p.line),
                                  "mutant '" + t.name + "': '" + p.key + "' is empty");
            std::string* dst = p.key == "file"       ? &m.file
                               : p.key == "function" ? &m.function
                               : p.key == "original" ? &m.original
                               : p.key == "mutated"  ? &m.mutated
                               : p.key == "area"     ? &m.area
                               : p.key == "what"     ? &m.what
                               : p.key == "survives" ? &m.survives
                                                     : &m.equivalent;
            *dst = p.value;
        }
        for (const char* k : k_keys) {
            if (std::string_view(k) == "equivalent" || std::string_view(k) == "survives")
                continue;
            if (!t.find(k))
                return make_error(ErrorKind::input, at,
                                  "mutant '" + t.name + "': missing '" + k + "'");
        }
        if (!m.equivalent.empty() && !m.survives.empty())
            return make_error(ErrorKind::input, at,
                              "mutant '" + t.name + "': both 'equivalent' and 'survives'",
                              "'equivalent': no program can observe it (outside the score); "
                              "'survives': one could, but the suite cannot make it happen");
        if (trim(m.original) != m.original || trim(m.mutated) != m.mutated)
            return make_error(ErrorKind::input, at,
                              "mutant '" + t.name +
                                  "': 'original' and 'mutated' are written trimmed",
                              "the original's indentation is kept");
        if (m.original == m.mutated)
            return make_error(ErrorKind::input, at,
                              "mutant '" + t.name + "': 'mutated' equals 'original'");
        if (m.file.empty() || m.file[0] == '/' || m.file.find("..") != std::string::npos)
            return make_error(ErrorKind::input, at,
                              "mutant '" + t.name + "': file '" + m.file +
                                  "' is not a path inside the kernel tree");
        out.push_back(std::move(m));
    }
    return out;
}

Result<std::vector<Mutant>> read_catalogue(const std::string& path) {
    ITERCONF_TRY_ASSIGN(std::string text, read_text(path));
    return parse_catalogue(text, path);
}

std::vector<Scope> find_function(const std::vector<std::string_view>& lines,
                                 const std::string& function) {
    if (function == "-")
        return {Scope{0, lines.size()}};
    std::vector<Scope> out;
    for (size_t i = 0; i < lines.size(); i++) {
        if (!column0(lines[i]) || lines[i][0] == '#')
            continue;
        auto open = call_of(lines[i], function);
        if (!open)
            continue;
        // The parameter list, to its closing ')': a ';' first means a
        // statement, not a definition.
        int depth = 1;
        size_t j = i, k = *open;
        bool decl = false;
        while (depth > 0 && j < lines.size()) {
            std::string_view l = lines[j];
            for (; k < l.size() && depth > 0; k++) {
                if (l[k] == '(')
                    depth++;
                else if (l[k] == ')')
                    depth--;
                else if (l[k] == ';')
                    decl = true;
            }
            if (depth > 0) {
                j++;
                k = 0;
            }
        }
        if (decl || depth > 0)
            continue;
        // After it: attributes on indented lines at most, then a line `{`.
        std::string_view rest = trim(lines[j].substr(k));
        if (!rest.empty() && rest.find(';') != std::string_view::npos)
            continue;
        size_t b = j + 1;
        while (b < lines.size() && !column0(lines[b]) &&
               trim(lines[b]).find(';') == std::string_view::npos && lines[b] != "{")
            b++;
        if (b >= lines.size() || trim(lines[b]) != "{" || !column0(lines[b]))
            continue;
        size_t e = b + 1;
        while (e < lines.size() && lines[e] != "}" && lines[e] != "}\r")
            e++;
        if (e >= lines.size())
            continue;
        out.push_back(Scope{b + 1, e});
        i = e;
    }
    return out;
}

Result<size_t> match(std::string_view source, const Mutant& m) {
    auto lines = split_lines(source);
    auto moved = [&](std::string what) {
        return make_error(ErrorKind::input, m.where + ": mutant '" + m.id + "'",
                          "the kernel moved: " + what,
                          "update the catalogue entry for this kernel source (or pass "
                          "--allow-missing)");
    };
    auto scopes = find_function(lines, m.function);
    if (scopes.size() != 1)
        return moved(m.file + ": function '" + m.function + "' is defined " +
                     std::to_string(scopes.size()) + " times, not once");
    size_t found = 0, at = 0;
    std::string_view want = trim(m.original);
    for (size_t i = scopes[0].first; i < scopes[0].last; i++)
        if (trim(lines[i]) == want) {
            found++;
            at = i;
        }
    if (found != 1)
        return moved(m.file + ": function '" + m.function + "': the line '" + printable(want) +
                     "' occurs " + std::to_string(found) + " times, not once");
    return at;
}

Result<size_t> match_in(const std::string& root, const Mutant& m) {
    auto text = read_text(root + "/" + m.file);
    if (!text)
        return make_error(ErrorKind::input, m.where + ": mutant '" + m.id + "'",
                          "the kernel moved: " + m.file + " is not in " + root + " (" +
                              text.error().what + ")",
                          "update the catalogue entry for this kernel source (or pass "
                          "--allow-missing)");
    return match(*text, m);
}

std::string mutated_text(std::string_view source, size_t line, const Mutant& m) {
    size_t start = 0;
    for (size_t i = 0; i < line; i++)
        start = source.find('\n', start) + 1;
    size_t end = source.find('\n', start);
    if (end == std::string_view::npos)
        end = source.size();
    std::string_view old = source.substr(start, end - start);
    bool cr = !old.empty() && old.back() == '\r';
    std::string_view indent = old.substr(0, old.find_first_not_of(" \t"));
    std::string out(source.substr(0, start));
    out += indent;
    out += m.mutated;
    if (cr)
        out += '\r';
    out += source.substr(end);
    return out;
}

Result<void> replace_file(const std::string& path, std::string_view bytes) {
    std::string tmp = path + ".iterconf-tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        out.close();
        if (!out)
            return make_error(ErrorKind::io, tmp, "cannot write");
    }
    std::error_code ec;
    auto perms = fs::status(path, ec).permissions();
    if (!ec)
        fs::permissions(tmp, perms, ec);
    fs::rename(tmp, path, ec);
    if (ec) {
        fs::remove(tmp, ec);
        return make_error(ErrorKind::io, path, "cannot replace: " + ec.message());
    }
    return {};
}

Result<void> apply(const std::string& root, const Mutant& m, const std::string& state_dir) {
    std::string path = root + "/" + m.file;
    ITERCONF_TRY_ASSIGN(std::string text, read_text(path));
    ITERCONF_TRY_ASSIGN(size_t line, match(text, m));
    std::error_code ec;
    fs::create_directories(state_dir, ec);
    if (fs::exists(state_dir + "/applied"))
        return make_error(ErrorKind::internal, state_dir + "/applied",
                          "a mutant is applied already", "revert it first");
    ITERCONF_TRY(replace_file(state_dir + "/original", text));
    ITERCONF_TRY(replace_file(state_dir + "/applied", m.id + "\n" + m.file + "\n"));
    return replace_file(path, mutated_text(text, line, m));
}

Result<std::optional<std::string>> revert_applied(const std::string& root,
                                                  const std::string& state_dir) {
    std::string rec = state_dir + "/applied";
    if (!fs::exists(rec))
        return std::optional<std::string>{};
    ITERCONF_TRY_ASSIGN(std::string text, read_text(rec));
    auto lines = split_lines(text);
    if (lines.size() != 2 || lines[1].empty() || lines[1].find("..") != std::string_view::npos)
        return make_error(ErrorKind::input, rec, "not a record of an applied mutant",
                          "restore the tree by hand and remove the file");
    ITERCONF_TRY_ASSIGN(std::string original, read_text(state_dir + "/original"));
    ITERCONF_TRY(replace_file(root + "/" + std::string(lines[1]), original));
    std::error_code ec;
    fs::remove(rec, ec);
    if (ec)
        return make_error(ErrorKind::io, rec, "cannot remove: " + ec.message());
    return std::optional<std::string>{std::string(lines[0])};
}

void Score::add(std::string_view status) {
    all++;
    if (status == "killed")
        killed++;
    else if (status == "survived")
        survived++;
    else if (status == "equivalent")
        equivalent++;
    else if (status == "build-failure")
        build_failures++;
    else if (status == "error")
        errors++;
    else
        not_applicable++;
}

std::string score_line(const Score& s) {
    char buf[256];
    std::snprintf(buf, sizeof(buf),
                  "mutation score: %zu/%zu = %.1f%% (killed / (all %zu - equivalent %zu - build "
                  "failures %zu - not applicable %zu)); survived %zu",
                  s.killed, s.denominator(), s.pct(), s.all, s.equivalent, s.build_failures,
                  s.not_applicable, s.survived);
    std::string line = buf;
    if (s.errors)
        line += "; " + std::to_string(s.errors) +
                " not judged (harness errors, outside the score: run them again)";
    return line;
}

} // namespace iterconf::mutate
