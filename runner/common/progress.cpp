#include "common/progress.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <sys/ioctl.h>
#include <unistd.h>

namespace iterconf {

Progress::Mode Progress::mode_for(FILE* out, bool quiet) {
    if (quiet)
        return Mode::off;
    return isatty(fileno(out)) ? Mode::tty : Mode::plain;
}

Progress::Progress(Options opts) : m_opts(std::move(opts)) {}

double Progress::now() const {
    if (m_opts.now)
        return m_opts.now();
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

Progress::Kernel& Progress::get(const std::string& name) {
    for (auto& k : m_kernels)
        if (k.name == name)
            return k;
    m_kernels.push_back(Kernel{.name = name, .phase = "queued"});
    return m_kernels.back();
}

std::string Progress::what(const Kernel& k) const {
    if (!k.counted)
        return k.phase;
    return k.phase + " " + std::to_string(k.n) + "/" + std::to_string(k.total);
}

std::string Progress::plain_line(const std::string& kernel, const std::string& what) {
    return "iterconf: progress: " + kernel + ": " + what;
}

std::string Progress::line() const {
    std::lock_guard<std::mutex> lock(m_mu);
    std::string s;
    for (const auto& k : m_kernels)
        s += (s.empty() ? "" : " · ") + k.name + " " + what(k);
    return s;
}

std::string Progress::fit(const std::string& s, int cols) {
    if (cols <= 0)
        return "";
    // Code points: a byte that does not continue one (10xxxxxx) starts one.
    auto starts = [&](size_t i) { return (static_cast<unsigned char>(s[i]) & 0xc0) != 0x80; };
    int n = 0;
    for (size_t i = 0; i < s.size(); i++)
        n += starts(i);
    if (n <= cols)
        return s;
    int seen = 0;
    size_t i = 0;
    for (; i < s.size(); i++)
        if (starts(i) && seen++ == cols - 1)
            break;
    return s.substr(0, i) + "…";
}

void Progress::update(Kernel& k, const std::string& phase, bool counted, size_t n, size_t total) {
    bool changed = k.phase != phase || k.counted != counted;
    k.phase = phase;
    k.counted = counted;
    k.n = n;
    k.total = total;
    if (m_finished)
        return;
    if (m_opts.mode == Mode::tty) {
        draw(changed);
        return;
    }
    if (m_opts.mode != Mode::plain)
        return;
    double t = now();
    if (!changed && phase == "judging") {
        size_t step =
            static_cast<size_t>(std::ceil(m_opts.plain_step * static_cast<double>(total)));
        if (t - k.last_plain < m_opts.plain_interval &&
            n < k.last_plain_n + std::max<size_t>(step, 1))
            return;
    } else if (!changed) {
        return;
    }
    k.last_plain = t;
    k.last_plain_n = n;
    std::fprintf(m_opts.out, "%s\n", plain_line(k.name, what(k)).c_str());
    std::fflush(m_opts.out);
}

void Progress::add(const std::string& kernel) {
    std::lock_guard<std::mutex> lock(m_mu);
    get(kernel);
    if (m_opts.mode == Mode::tty && !m_finished)
        draw(true);
}

void Progress::keep(const std::vector<std::string>& kernels) {
    std::lock_guard<std::mutex> lock(m_mu);
    std::vector<Kernel> kept;
    for (const auto& name : kernels)
        kept.push_back(get(name));
    m_kernels = std::move(kept);
    if (m_opts.mode == Mode::tty && !m_finished)
        draw(true);
}

void Progress::drop(const std::string& kernel) {
    std::lock_guard<std::mutex> lock(m_mu);
    m_kernels.erase(std::remove_if(m_kernels.begin(), m_kernels.end(),
                                   [&](const Kernel& k) { return k.name == kernel; }),
                    m_kernels.end());
    if (m_opts.mode == Mode::tty && !m_finished)
        draw(true);
}

void Progress::phase(const std::string& kernel, const std::string& phase) {
    std::lock_guard<std::mutex> lock(m_mu);
    update(get(kernel), phase, false, 0, 0);
}

void Progress::judging(const std::string& kernel, size_t n, size_t total) {
    std::lock_guard<std::mutex> lock(m_mu);
    update(get(kernel), "judging", true, n, total);
}

void Progress::done(const std::string& kernel, size_t n, size_t total) {
    std::lock_guard<std::mutex> lock(m_mu);
    update(get(kernel), "done", true, n, total);
}

void Progress::around(const std::function<void()>& f) {
    std::lock_guard<std::mutex> lock(m_mu);
    if (m_opts.mode != Mode::tty || m_finished) {
        f();
        return;
    }
    erase();
    f();
    draw(true);
}

void Progress::finish() {
    std::lock_guard<std::mutex> lock(m_mu);
    if (m_opts.mode == Mode::tty)
        erase();
    m_finished = true;
}

void Progress::erase() {
    if (!m_drawn)
        return;
    std::fputs("\r\033[K", m_opts.out);
    std::fflush(m_opts.out);
    m_drawn = false;
}

void Progress::draw(bool force) {
    double t = now();
    if (!force && m_drawn && t - m_last_draw < m_opts.tty_interval)
        return;
    m_last_draw = t;
    int cols = m_opts.width;
    if (cols <= 0) {
        struct winsize ws {};
        cols = ioctl(fileno(m_opts.out), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 ? ws.ws_col : 80;
    }
    std::string s;
    for (const auto& k : m_kernels)
        s += (s.empty() ? "" : " · ") + k.name + " " + what(k);
    // One column short of the width: a full line would wrap on some terminals.
    std::fprintf(m_opts.out, "\r\033[K%s", fit(s, cols - 1).c_str());
    std::fflush(m_opts.out);
    m_drawn = true;
}

} // namespace iterconf
