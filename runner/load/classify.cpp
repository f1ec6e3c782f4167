#include "load/classify.hpp"

#include "common/result.hpp"

#include <cctype>
#include <cstring>
#include <string_view>

namespace iterconf::load {

namespace {

bool starts_with_number_colon(std::string_view l) {
    size_t i = 0;
    while (i < l.size() && std::isdigit(static_cast<unsigned char>(l[i])))
        i++;
    return i > 0 && i < l.size() && l[i] == ':';
}

// A line of the verifier's instruction/state trace (log level 1 and 2).
bool is_trace(std::string_view l) {
    if (starts_with_number_colon(l))
        return true; // "5: (85) call ..." or "5: R0=..."
    if (l.starts_with("; ") || l == ";")
        return true; // source line annotation
    if (l.starts_with("from ") && l.find(" to ") != std::string_view::npos)
        return true;
    if (!l.empty() && (l[0] == ' ' || l[0] == '\t'))
        return true; // continuation of a state dump
    for (const char* p :
         {"frame", "caller:", "callee:", "returning from callee:", "to caller at", "Func#", "func#",
          "Validating ", "last_idx ", "regs=", "mark_precise:", "propagating "})
        if (l.starts_with(p))
            return true;
    return false;
}

bool is_stats(std::string_view l) {
    for (const char* p : {"processed ", "verification time", "stack depth", "max_states_per_insn"})
        if (l.starts_with(p))
            return true;
    return false;
}

std::string trim(std::string_view l) {
    while (!l.empty() && std::isspace(static_cast<unsigned char>(l.back())))
        l.remove_suffix(1);
    return std::string(l);
}

} // namespace

std::string error_line(const std::string& log) {
    auto lines = split_lines(log);
    // Newer kernels (seen on Debian's 7.3-rc) follow the error line with an
    // explanation block ("Verification failed: ...", "Reason:", an indented
    // source excerpt, "Suggestion:"): the error line is before it.
    for (size_t i = 0; i < lines.size(); i++)
        if (lines[i].starts_with("Verification failed:")) {
            lines.resize(i);
            break;
        }
    size_t last_trace = SIZE_MAX;
    for (size_t i = 0; i < lines.size(); i++)
        if (is_trace(lines[i]))
            last_trace = i;
    if (last_trace != SIZE_MAX) {
        for (size_t i = last_trace + 1; i < lines.size(); i++) {
            std::string t = trim(lines[i]);
            if (!t.empty() && !is_stats(t))
                return t;
        }
    }
    for (size_t i = lines.size(); i-- > 0;) {
        std::string t = trim(lines[i]);
        if (!t.empty() && !is_stats(t) && !is_trace(lines[i]))
            return t;
    }
    return {};
}

int64_t insns_processed(const std::string& log) {
    size_t pos = log.rfind("processed ");
    while (pos != std::string::npos) {
        size_t i = pos + 10;
        int64_t n = 0;
        size_t d = i;
        while (d < log.size() && std::isdigit(static_cast<unsigned char>(log[d])))
            n = n * 10 + (log[d++] - '0');
        if (d > i && log.compare(d, 6, " insns") == 0)
            return n;
        if (pos == 0)
            break;
        pos = log.rfind("processed ", pos - 1);
    }
    return -1;
}

std::vector<std::string> tail_lines(const std::string& text, size_t n) {
    auto lines = split_lines(text);
    std::vector<std::string> out;
    for (size_t i = lines.size(); i-- > 0 && out.size() < n;) {
        std::string t = trim(lines[i]);
        if (!t.empty())
            out.insert(out.begin(), t);
    }
    return out;
}

Classified classify(const RawLoad& raw) {
    Classified c;
    if (raw.err == 0) {
        c.verdict = record::Verdict::accept;
        return c;
    }
    bool has_log = raw.log.find_first_not_of(" \n\t") != std::string::npos;
    if (has_log) {
        c.verdict = record::Verdict::reject;
        c.message = error_line(raw.log);
        return c;
    }
    // The verifier did not speak: libbpf or the kernel failed before it.
    // Prefer libbpf's line about the program itself ("prog 'x': BPF program
    // load failed: ..."), then any line that says what failed.
    c.verdict = record::Verdict::load_error;
    auto lines = tail_lines(raw.libbpf_text, 64);
    for (const auto& l : lines) {
        if (l.find("prog '") != std::string::npos && l.find("fail") != std::string::npos) {
            c.message = l;
            break;
        }
    }
    for (auto it = lines.rbegin(); c.message.empty() && it != lines.rend(); ++it) {
        if (it->find("fail") != std::string::npos || it->find("error") != std::string::npos ||
            it->find("not found") != std::string::npos)
            c.message = *it;
    }
    if (c.message.empty() && !lines.empty())
        c.message = lines.back();
    if (c.message.empty())
        c.message = std::string("load failed: ") + std::strerror(-raw.err);
    return c;
}

} // namespace iterconf::load
