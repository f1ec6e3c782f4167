#include "target/console.hpp"

#include "target/initramfs.hpp"

#include <sstream>

namespace iterconf::target {

Result<ConsoleScanner> ConsoleScanner::load(const std::string& path) {
    ITERCONF_TRY_ASSIGN(std::string text, read_file(path));
    return parse(text, path);
}

Result<ConsoleScanner> ConsoleScanner::parse(const std::string& text, const std::string& file) {
    ConsoleScanner s;
    std::istringstream in(text);
    std::string line;
    size_t lineno = 0;
    while (std::getline(in, line)) {
        lineno++;
        if (line.empty() || line[0] == '#')
            continue;
        try {
            s.m_patterns.emplace_back(line, std::regex(line, std::regex::extended));
        } catch (const std::regex_error& e) {
            return make_error(ErrorKind::input, file + ":" + std::to_string(lineno),
                              std::string("bad regex: ") + e.what());
        }
    }
    if (s.m_patterns.empty())
        return make_error(ErrorKind::input, file, "no patterns",
                          "a console scanner without patterns would pass every crash");
    return s;
}

std::optional<Splat> ConsoleScanner::scan(const std::string& console, size_t max_lines,
                                          const std::string& from) const {
    std::vector<std::string> lines;
    {
        std::istringstream in(console);
        std::string l;
        while (std::getline(in, l)) {
            while (!l.empty() && (l.back() == '\r' || l.back() == '\0'))
                l.pop_back();
            lines.push_back(l);
        }
    }
    size_t marker = 0, first = 0;
    if (!from.empty())
        for (size_t i = 0; i < lines.size(); i++)
            if (lines[i].find(from) != std::string::npos)
                first = marker = i;
    for (size_t i = first; i < lines.size(); i++) {
        if (lines[i].find("iterconf-agent: begin ") != std::string::npos)
            marker = i;
        for (const auto& [text, re] : m_patterns) {
            if (!std::regex_search(lines[i], re))
                continue;
            Splat s;
            s.line = lines[i];
            const std::string tag = "iterconf-agent: begin ";
            if (size_t p = lines[marker].find(tag); p != std::string::npos)
                s.after = lines[marker].substr(p + tag.size());
            s.pattern = text;
            size_t from = marker;
            if (i - from >= max_lines)
                from = i;
            for (size_t j = from; j < lines.size() && j < from + max_lines; j++)
                s.excerpt += lines[j] + "\n";
            return s;
        }
    }
    return std::nullopt;
}

std::string tail(const std::string& text, size_t n) {
    size_t pos = text.size();
    if (pos && text[pos - 1] == '\n')
        pos--;
    size_t count = 0;
    while (pos > 0) {
        size_t p = text.rfind('\n', pos - 1);
        if (p == std::string::npos) {
            pos = 0;
            break;
        }
        if (++count == n) {
            pos = p + 1;
            break;
        }
        pos = p;
    }
    return text.substr(pos);
}

} // namespace iterconf::target
