#include "load/kmsg.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace iterconf::load {

namespace {

bool parse_u64(std::string_view s, uint64_t& out) {
    if (s.empty())
        return false;
    uint64_t v = 0;
    for (char c : s) {
        if (c < '0' || c > '9')
            return false;
        v = v * 10 + static_cast<uint64_t>(c - '0');
    }
    out = v;
    return true;
}

int hexval(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

// The text of a record, unescaped (\xNN) and split into lines.
std::vector<std::string> text_lines(std::string_view text) {
    std::vector<std::string> out(1);
    for (size_t i = 0; i < text.size(); i++) {
        char c = text[i];
        if (c == '\\' && i + 3 < text.size() && text[i + 1] == 'x' && hexval(text[i + 2]) >= 0 &&
            hexval(text[i + 3]) >= 0) {
            c = static_cast<char>(hexval(text[i + 2]) * 16 + hexval(text[i + 3]));
            i += 3;
        }
        if (c == '\n')
            out.emplace_back();
        else
            out.back() += c;
    }
    if (out.size() > 1 && out.back().empty())
        out.pop_back();
    return out;
}

// "<prio>,<seq>,<usec>,<flags>[,...];<text>" -> record, or false.
bool parse_head(std::string_view line, KmsgRecord& r) {
    size_t semi = line.find(';');
    if (semi == std::string_view::npos)
        return false;
    std::string_view head = line.substr(0, semi);
    std::vector<std::string_view> f;
    size_t b = 0;
    for (;;) {
        size_t c = head.find(',', b);
        f.push_back(head.substr(b, c == std::string_view::npos ? std::string_view::npos : c - b));
        if (c == std::string_view::npos)
            break;
        b = c + 1;
    }
    uint64_t prio = 0;
    if (f.size() < 3 || !parse_u64(f[0], prio) || !parse_u64(f[1], r.seq) ||
        !parse_u64(f[2], r.usec))
        return false;
    r.level = static_cast<int>(prio & 7);
    r.flags = f.size() > 3 && !f[3].empty() ? f[3][0] : '-';
    r.lines = text_lines(line.substr(semi + 1));
    return true;
}

std::string stamp(uint64_t usec) {
    char buf[40];
    std::snprintf(buf, sizeof(buf), "[%5llu.%06llu] ",
                  static_cast<unsigned long long>(usec / 1000000),
                  static_cast<unsigned long long>(usec % 1000000));
    return buf;
}

long pid_of(const std::string& line) {
    size_t p = line.find(" PID: ");
    if (p == std::string::npos)
        return -1;
    char* end = nullptr;
    long pid = std::strtol(line.c_str() + p + 6, &end, 10);
    return end == line.c_str() + p + 6 ? -1 : pid;
}

} // namespace

std::vector<KmsgRecord> parse_kmsg(std::string_view chunk, size_t* bad) {
    std::vector<KmsgRecord> out;
    for (std::string_view line : split_lines(chunk)) {
        if (line.empty())
            continue;
        if (line[0] == ' ') {
            if (!out.empty())
                out.back().dict.emplace_back(line.substr(1));
            else if (bad)
                (*bad)++;
            continue;
        }
        KmsgRecord r;
        if (parse_head(line, r))
            out.push_back(std::move(r));
        else if (bad)
            (*bad)++;
    }
    return out;
}

std::string KmsgCheck::unchecked() const {
    switch (status) {
    case Status::clean:
    case Status::splat:
        return "";
    case Status::overrun:
        return lost ? "kmsg (overrun: " + std::to_string(lost) + " records lost during the load)"
                    : "kmsg (overrun: records lost during the load)";
    case Status::unavailable:
        return "kmsg (" + why + ")";
    }
    return "";
}

void KmsgScan::feed(std::string_view chunk) {
    for (auto& r : parse_kmsg(chunk)) {
        // The kernel numbers records without gaps: a jump is records that
        // were overwritten before anyone read them.
        if (!m_records.empty() && r.seq > m_records.back().seq + 1)
            m_gaps += r.seq - m_records.back().seq - 1;
        m_records.push_back(std::move(r));
    }
}

KmsgCheck KmsgScan::finish(size_t max_lines) const {
    KmsgCheck c;
    c.records = m_records.size();
    c.lost = m_gaps;
    std::vector<std::string> lines; // "[stamp] text"
    size_t first_hit = SIZE_MAX;
    for (const auto& r : m_records)
        for (const auto& l : r.lines) {
            if (const std::string* p = m_patterns->match(l)) {
                if (c.hits.empty())
                    first_hit = lines.size();
                c.hits.push_back(KmsgHit{l, *p, pid_of(l)});
                if (c.pid < 0)
                    c.pid = c.hits.back().pid;
            }
            lines.push_back(stamp(r.usec) + l);
        }
    if (!c.hits.empty())
        c.status = KmsgCheck::Status::splat;
    else if (m_overrun || m_gaps)
        c.status = KmsgCheck::Status::overrun;
    else
        c.status = KmsgCheck::Status::clean;
    size_t from = 0;
    if (first_hit != SIZE_MAX)
        from = first_hit >= 3 ? first_hit - 3 : 0;
    for (size_t i = from; i < lines.size() && i < from + max_lines; i++)
        c.excerpt += lines[i] + "\n";
    if (lines.size() > from + max_lines)
        c.excerpt += "[... " + std::to_string(lines.size() - from - max_lines) +
                     " more kernel-log lines ...]\n";
    return c;
}

void feed_kmsg_text(KmsgScan& scan, const std::string& text) {
    std::string chunk;
    for (std::string_view line : split_lines(text)) {
        if (!line.empty() && line[0] == '#') {
            if (line == "# READ: EPIPE") {
                scan.feed(chunk);
                chunk.clear();
                scan.overrun();
            }
            continue;
        }
        chunk.append(line);
        chunk += '\n';
    }
    scan.feed(chunk);
}

KmsgCheck check_kmsg_text(const std::string& text, const SplatPatterns& patterns) {
    KmsgScan scan(patterns);
    feed_kmsg_text(scan, text);
    return scan.finish();
}

std::string kmsg_path() {
    if (const char* p = std::getenv("ITERCONF_KMSG_PATH"); p && *p)
        return p;
    return "/dev/kmsg";
}

bool kmsg_required() {
    const char* r = std::getenv("ITERCONF_REQUIRE");
    return r && ("," + std::string(r) + ",").find(",host,") != std::string::npos;
}

Error kmsg_unavailable_error(const KmsgWatcher& w) {
    return make_error(ErrorKind::infra, "kernel log",
                      w.why() + "; a WARN or oops during a load would pass unseen",
                      "run as root (CAP_SYSLOG), or drop 'host' from ITERCONF_REQUIRE");
}

std::string kmsg_unavailable_warning(const KmsgWatcher& w) {
    return "kernel log: " + w.why() +
           "; loads are not watched for kernel warnings, BUGs or oopses (each record's "
           "kernel-log check is unchecked); run as root to watch them";
}

KmsgWatcher KmsgWatcher::open(const SplatPatterns& patterns, const std::string& path) {
    KmsgWatcher w;
    w.m_patterns = &patterns;
    w.m_path = path.empty() ? kmsg_path() : path;
    if (const char* inj = std::getenv("ITERCONF_KMSG_INJECT"); inj && *inj) {
        char* colon = nullptr;
        w.m_inject_at = std::strtol(inj, &colon, 10);
        if (colon && *colon == ':')
            w.m_inject_file = colon + 1;
    }
    int fd = ::open(w.m_path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        w.m_why = "cannot read " + w.m_path + ": " + std::strerror(errno);
        return w;
    }
    // Skip the history: only what is logged from now on is read.
    if (::lseek(fd, 0, SEEK_END) < 0) {
        w.m_why = "cannot seek " + w.m_path + ": " + std::strerror(errno);
        ::close(fd);
        return w;
    }
    // open() can succeed where read() is refused (a file without read
    // permission for this reader's mode); one read finds out now.
    w.m_fd = fd;
    if (!w.drain(nullptr)) {
        w.m_why = "cannot read " + w.m_path + ": " + std::strerror(errno);
        ::close(fd);
        w.m_fd = -1;
    }
    return w;
}

KmsgWatcher::KmsgWatcher(KmsgWatcher&& o) noexcept
    : m_loads(o.m_loads), m_inject_at(o.m_inject_at), m_inject_file(std::move(o.m_inject_file)),
      m_patterns(o.m_patterns), m_fd(o.m_fd), m_path(std::move(o.m_path)),
      m_why(std::move(o.m_why)) {
    o.m_fd = -1;
}

KmsgWatcher& KmsgWatcher::operator=(KmsgWatcher&& o) noexcept {
    if (this != &o) {
        if (m_fd >= 0)
            ::close(m_fd);
        m_loads = o.m_loads;
        m_inject_at = o.m_inject_at;
        m_inject_file = std::move(o.m_inject_file);
        m_patterns = o.m_patterns;
        m_fd = o.m_fd;
        m_path = std::move(o.m_path);
        m_why = std::move(o.m_why);
        o.m_fd = -1;
    }
    return *this;
}

KmsgWatcher::~KmsgWatcher() {
    if (m_fd >= 0)
        ::close(m_fd);
}

bool KmsgWatcher::drain(KmsgScan* scan) {
    // One record per read() from /dev/kmsg (a record is at most 8 KiB with
    // its dictionary); a regular file (tests) gives what it has.
    static thread_local char buf[16384];
    for (;;) {
        ssize_t n = ::read(m_fd, buf, sizeof(buf));
        if (n > 0) {
            if (scan)
                scan->feed(std::string_view(buf, static_cast<size_t>(n)));
            continue;
        }
        if (n == 0 || errno == EAGAIN)
            return true;
        if (errno == EINTR)
            continue;
        if (errno == EPIPE) {
            // Records were overwritten before this reader got to them; the
            // next read() goes on from the oldest one left.
            if (scan)
                scan->overrun();
            continue;
        }
        return false;
    }
}

void KmsgWatcher::begin() {
    if (m_fd >= 0 && !drain(nullptr)) {
        m_why = "reading " + m_path + " failed: " + std::strerror(errno);
        ::close(m_fd);
        m_fd = -1;
    }
}

KmsgCheck KmsgWatcher::end(size_t max_lines, bool count) {
    if (m_fd < 0) {
        KmsgCheck c;
        c.why = m_why;
        return c;
    }
    KmsgScan scan(*m_patterns);
    if (!drain(&scan)) {
        m_why = "reading " + m_path + " failed: " + std::strerror(errno);
        ::close(m_fd);
        m_fd = -1;
        // What was read still counts; what was not is an overrun.
        scan.overrun();
    }
    if (count && m_loads++ == m_inject_at) {
        std::ifstream in(m_inject_file);
        std::ostringstream text;
        text << in.rdbuf();
        if (!in)
            scan.overrun(); // an injection that cannot be read must not pass
        feed_kmsg_text(scan, text.str());
    }
    return scan.finish(max_lines);
}

KmsgCheck merge_checks(KmsgCheck a, KmsgCheck b) {
    auto rank = [](KmsgCheck::Status s) {
        switch (s) {
        case KmsgCheck::Status::splat:
            return 3;
        case KmsgCheck::Status::overrun:
            return 2;
        case KmsgCheck::Status::unavailable:
            return 1;
        case KmsgCheck::Status::clean:
            break;
        }
        return 0;
    };
    return rank(b.status) > rank(a.status) ? b : a;
}

void apply_kmsg(const KmsgCheck& c, Classified& result, std::string& log) {
    if (!c.crashed())
        return;
    result.verdict = record::Verdict::crash;
    result.message = "kernel log: " + c.hits.front().line;
    if (!log.empty() && log.back() != '\n')
        log += '\n';
    log += "---- kernel log during the load (" + std::to_string(c.hits.size()) + " matching line" +
           (c.hits.size() == 1 ? "" : "s") + ", first: '" + c.hits.front().pattern + "') ----\n" +
           c.excerpt;
}

void apply_kmsg(const KmsgCheck& c, record::Record& r) {
    if (c.crashed()) {
        r.log_tail.clear();
        for (std::string_view l : split_lines(c.excerpt)) {
            if (r.log_tail.size() == 40)
                break;
            r.log_tail.emplace_back(l);
        }
        return;
    }
    if (c.status == KmsgCheck::Status::overrun) {
        std::string why = "the kernel-log check could not run: " +
                          (c.lost ? std::to_string(c.lost) + " records" : std::string("records")) +
                          " of /dev/kmsg were overwritten during the load before they were read "
                          "(a WARN or oops may be among them)";
        r.reason = r.reason.empty() ? why : r.reason + "; " + why;
        r.match = false;
    }
}

} // namespace iterconf::load
