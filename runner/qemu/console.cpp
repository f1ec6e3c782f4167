#include "qemu/console.hpp"

#include "qemu/initramfs.hpp"

namespace iterconf::qemu {

Result<ConsoleScanner> ConsoleScanner::load(const std::string& path) {
    ITERCONF_TRY_ASSIGN(std::string text, read_file(path));
    return parse(text, path);
}

Result<ConsoleScanner> ConsoleScanner::parse(const std::string& text, const std::string& file) {
    ITERCONF_TRY_ASSIGN(SplatPatterns p, SplatPatterns::parse(text, file));
    return ConsoleScanner(std::move(p));
}

std::optional<Splat> ConsoleScanner::scan(const std::string& console, size_t max_lines,
                                          const std::string& from) const {
    std::vector<std::string> lines;
    for (std::string_view v : split_lines(console)) {
        std::string l(v);
        while (!l.empty() && (l.back() == '\r' || l.back() == '\0'))
            l.pop_back();
        lines.push_back(l);
    }
    const std::string tag = "iterconf-agent: begin ";
    // For each line: where the agent's attribution of the splats of the
    // program in flight there ends (0: none), so that those are skipped.
    std::vector<size_t> attributed_until(lines.size(), 0);
    {
        size_t span = 0;
        std::string who; // "<i> <id>" of the program in flight
        for (size_t i = 0; i < lines.size(); i++) {
            if (size_t p = lines[i].find(tag); p != std::string::npos) {
                span = i;
                who = lines[i].substr(p + tag.size());
            } else if (size_t a = lines[i].find(k_attributed_marker);
                       a != std::string::npos && !who.empty() &&
                       lines[i].substr(a + std::string(k_attributed_marker).size()) == who) {
                for (size_t j = span; j < i; j++)
                    attributed_until[j] = i;
            }
        }
    }
    size_t marker = 0, first = 0;
    if (!from.empty())
        for (size_t i = 0; i < lines.size(); i++)
            if (lines[i].find(from) != std::string::npos)
                first = marker = i;
    for (size_t i = first; i < lines.size(); i++) {
        if (lines[i].find(tag) != std::string::npos)
            marker = i;
        const std::string* pattern = m_patterns.match(lines[i]);
        if (!pattern || attributed_until[i] > i)
            continue;
        Splat s;
        s.line = lines[i];
        if (size_t p = lines[marker].find(tag); p != std::string::npos)
            s.after = lines[marker].substr(p + tag.size());
        s.pattern = *pattern;
        size_t from = marker;
        if (i - from >= max_lines)
            from = i;
        for (size_t j = from; j < lines.size() && j < from + max_lines; j++)
            s.excerpt += lines[j] + "\n";
        return s;
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

} // namespace iterconf::qemu
