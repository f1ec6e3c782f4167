#include "agent/kmsg.hpp"

#include "common/splat.hpp"
#include "qemu/console.hpp"

#include <fcntl.h>
#include <memory>
#include <unistd.h>

namespace iterconf::agent {

namespace {

std::unique_ptr<load::KmsgWatcher> g_watcher;

void log_line(const std::string& text) {
    int fd = ::open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    // <2> (KERN_CRIT): it reaches the console even with `quiet`.
    std::string line = "<2>" + text + "\n";
    [[maybe_unused]] ssize_t n = ::write(fd, line.data(), line.size());
    ::close(fd);
}

} // namespace

void kmsg_begin() {
    if (!g_watcher) {
        g_watcher = std::make_unique<load::KmsgWatcher>(
            load::KmsgWatcher::open(SplatPatterns::builtin(), "/dev/kmsg"));
        if (!g_watcher->available())
            log_line("iterconf-agent: warning: " + load::kmsg_unavailable_warning(*g_watcher));
    }
    g_watcher->begin();
}

load::KmsgCheck kmsg_end(load::Classified& result, std::string& log) {
    auto c = g_watcher->end();
    load::apply_kmsg(c, result, log);
    return c;
}

load::KmsgCheck kmsg_end() {
    return g_watcher->end();
}

void kmsg_finish(const load::KmsgCheck& c, record::Record& r, size_t index, const std::string& id) {
    load::apply_kmsg(c, r);
    if (c.crashed())
        log_line(std::string(qemu::k_attributed_marker) + std::to_string(index) + " " + id);
}

} // namespace iterconf::agent
