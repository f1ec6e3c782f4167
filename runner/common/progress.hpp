// Where a long run is, per kernel: fetch, boot, judging N/M, reboot after
// crash, done. On a terminal one line, redrawn in place ('\r' and
// clear-to-end-of-line) with every kernel of the run on it:
//   host done 156/156 · debian-6.12 judging 120/156 · debian-7.2 boot
// In a log (not a terminal) plain lines, one per phase change and, while
// judging, one at most every `plain_interval` seconds or every `plain_step`
// of the items, whichever comes first:
//   iterconf: progress: debian-6.12: judging 120/156
// Thread-safe: the guests of a run report from their own threads. Other
// output to the same terminal goes through around(), which erases the line
// first and draws it again after.
#pragma once

#include <cstdio>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace iterconf {

class Progress {
  public:
    enum class Mode { off, tty, plain };

    struct Options {
        Mode mode = Mode::off;
        FILE* out = stderr;
        int width = 0;               // tty: columns (0: the terminal's, 80 when unknown)
        double plain_interval = 10;  // plain: seconds between two judging lines...
        double plain_step = 0.1;     // ...or this fraction of the items, whichever first
        double tty_interval = 0.1;   // tty: seconds between two redraws for a count
        std::function<double()> now; // seconds on a monotonic clock (default: steady_clock)
    };

    // off with `quiet`, tty when `out` is a terminal, else plain.
    static Mode mode_for(FILE* out, bool quiet);

    explicit Progress(Options opts);
    ~Progress() { finish(); }
    Progress(const Progress&) = delete;
    Progress& operator=(const Progress&) = delete;

    Mode mode() const { return m_opts.mode; }
    // A kernel of the run, "queued" until its first phase (no plain line);
    // kernels show in the order they were first named.
    void add(const std::string& kernel);
    // Only these kernels, in this order (the others will not be judged;
    // the new ones are queued).
    void keep(const std::vector<std::string>& kernels);
    // Takes a kernel off the line with no line of its own (it failed, and
    // its error line says so).
    void drop(const std::string& kernel);
    // A phase without a count: "fetch", "boot", "reboot after crash".
    void phase(const std::string& kernel, const std::string& phase);
    // `n` of `total` items judged.
    void judging(const std::string& kernel, size_t n, size_t total);
    // The kernel's run ended with `n` of `total` judged.
    void done(const std::string& kernel, size_t n, size_t total);
    // Runs f() with the terminal line erased, and draws it again after.
    void around(const std::function<void()>& f);
    // Erases the terminal line for good; later events draw nothing.
    void finish();

    // The terminal line as it would be drawn now (untruncated).
    std::string line() const;
    // A plain line: "iterconf: progress: <kernel>: <what>".
    static std::string plain_line(const std::string& kernel, const std::string& what);
    // `s` cut to `cols` columns (UTF-8 code points), "…" marking a cut.
    static std::string fit(const std::string& s, int cols);

  private:
    struct Kernel {
        std::string name;
        std::string phase; // "queued", "fetch", "judging", "done", ...
        size_t n = 0, total = 0;
        bool counted = false;  // the phase shows n/total
        double last_plain = 0; // when its last judging line was printed
        size_t last_plain_n = 0;
    };
    Kernel& get(const std::string& name);
    std::string what(const Kernel& k) const;
    double now() const;
    // Under m_mu.
    void update(Kernel& k, const std::string& phase, bool counted, size_t n, size_t total);
    void draw(bool force);
    void erase();

    Options m_opts;
    mutable std::mutex m_mu;
    std::vector<Kernel> m_kernels;
    bool m_drawn = false, m_finished = false;
    double m_last_draw = -1e9;
};

} // namespace iterconf
