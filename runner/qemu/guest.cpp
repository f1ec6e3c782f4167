#include "qemu/guest.hpp"

#include "qemu/channel.hpp"
#include "qemu/initramfs.hpp"

#include <chrono>
#include <cstdio>
#include <fcntl.h>
#include <fstream>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace iterconf::qemu {

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
}

// Reads what was appended to a file since `offset`.
std::string read_from(const std::string& path, size_t& offset) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return {};
    std::string out;
    char buf[65536];
    for (;;) {
        ssize_t n = ::pread(fd, buf, sizeof(buf), static_cast<off_t>(offset));
        if (n <= 0)
            break;
        out.append(buf, static_cast<size_t>(n));
        offset += static_cast<size_t>(n);
    }
    ::close(fd);
    return out;
}

size_t file_size(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 ? static_cast<size_t>(st.st_size) : 0;
}

void append_text(const std::string& path, const std::string& text) {
    std::ofstream(path, std::ios::app) << text;
}

std::string exit_text(int status) {
    if (WIFEXITED(status))
        return "QEMU exited with status " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status))
        return "QEMU killed by signal " + std::to_string(WTERMSIG(status));
    return "QEMU stopped";
}

// The last meaningful console line (for one-line errors).
std::string last_line(const std::string& text) {
    std::string t = tail(text, 12), best;
    size_t b = 0;
    while (b < t.size()) {
        size_t e = t.find('\n', b);
        if (e == std::string::npos)
            e = t.size();
        std::string l = t.substr(b, e - b);
        while (!l.empty() && (l.back() == '\r' || l.back() == ' '))
            l.pop_back();
        if (!l.empty() && l.rfind("====", 0) != 0)
            best = l;
        b = e + 1;
    }
    return best;
}

// "; qemu: <the last line QEMU wrote>", or "" when it wrote nothing.
std::string qemu_said(const std::string& stderr_path) {
    auto text = read_file(stderr_path);
    std::string l = last_line(text ? *text : "");
    return l.empty() ? "" : "; qemu: " + l;
}

} // namespace

std::string base_append() {
    // loglevel=5: the console carries warnings, errors and the agent's
    // markers, which are what the scanner needs, without boot chatter;
    // panics end the guest (-no-reboot), and oopses and warnings become
    // panics so they end it too. The lockup detectors measure wall time,
    // which under TCG on a loaded host says nothing about the guest (a
    // 7.3 guest reported a 37 s "soft lockup" loading an fentry program
    // while the host ran other tests): nowatchdog, and RCU stalls reported
    // only after 300 s, later than the host's per-program timeout, which is
    // what catches a hang.
    return "console=ttyS0 loglevel=5 rdinit=/init panic=-1 oops=panic panic_on_warn=1 "
           "nowatchdog rcupdate.rcu_cpu_stall_timeout=300 nmi_watchdog=0 mitigations=off";
}

GuestRun run_guest(const GuestKernel& k, const std::string& initrd, size_t count,
                   const GuestOptions& opts, const ConsoleScanner& scanner, GuestListener& listener,
                   const std::atomic<bool>& interrupted) {
    GuestRun run;
    const std::string where = "kernel '" + k.label + "'";
    size_t next = 0;
    size_t stuck_boots = 0;
    const std::string channel = k.work_dir + "/ttyS1";
    const std::string qemu_err = k.work_dir + "/qemu.stderr";
    while (next < count) {
        if (interrupted) {
            run.interrupted = true;
            return run;
        }
        run.boots++;
        append_text(k.console, "==== iterconf: boot " + std::to_string(run.boots) + " of " +
                                   k.label + ", from program " + std::to_string(next) + " ====\n");
        size_t con_off = file_size(k.console);
        std::ofstream(channel, std::ios::trunc).close();
        BootSpec spec;
        spec.qemu = opts.qemu;
        spec.kernel = k.image;
        spec.initrd = initrd;
        spec.append = base_append() + " iterconf.start=" + std::to_string(next) +
                      (opts.extra_append.empty() ? "" : " " + opts.extra_append);
        spec.console = k.console;
        spec.channel = channel;
        spec.stderr_path = qemu_err;
        spec.accel = opts.accel;
        spec.memory_mb = opts.memory_mb;
        Qemu q;
        if (auto r = q.start(spec); !r) {
            run.error = r.error();
            return run;
        }
        auto t0 = Clock::now();
        auto last_progress = t0;
        Clock::time_point t_hello{}, t_done{};
        bool hello = false, done = false;
        long inflight = -1;
        std::optional<Error> fatal;
        std::string partial, pending_log;
        size_t chan_off = 0;
        size_t progressed = 0;
        enum class End { exited, boot_timeout, prog_timeout, interrupted } end = End::exited;
        auto drain = [&] {
            partial += read_from(channel, chan_off);
            size_t pos;
            while (!fatal && (pos = partial.find('\n')) != std::string::npos) {
                std::string line = partial.substr(0, pos);
                partial.erase(0, pos + 1);
                auto parsed = parse_channel_line(line);
                if (!parsed) {
                    Error e = parsed.take_error();
                    e.where = where;
                    fatal = e;
                    return;
                }
                const ChannelLine& l = *parsed;
                using Kind = ChannelLine::Kind;
                if ((l.kind == Kind::begin || l.kind == Kind::log || l.kind == Kind::rec) &&
                    l.index >= count) {
                    fatal = make_error(ErrorKind::internal, where,
                                       "the agent named program " + std::to_string(l.index) +
                                           ", the plan has " + std::to_string(count),
                                       "a harness bug; rerun iterconf run");
                    return;
                }
                if (l.kind == Kind::hello) {
                    run.release = l.release;
                    if (l.programs && *l.programs != count)
                        fatal = make_error(ErrorKind::internal, where,
                                           "the guest's plan has " + std::to_string(*l.programs) +
                                               " programs, the host's " + std::to_string(count),
                                           "a harness bug; rerun iterconf run");
                    hello = true;
                    t_hello = Clock::now();
                    last_progress = t_hello;
                    if (run.boots == 1) {
                        run.first_boot_wall = since(t0);
                        run.first_boot_uptime = l.uptime;
                    } else {
                        run.reboot_wall += since(t0);
                    }
                    listener.hello(run.release, l.uptime, since(t0));
                } else if (l.kind == Kind::begin) {
                    inflight = static_cast<long>(l.index);
                    last_progress = Clock::now();
                } else if (l.kind == Kind::log) {
                    pending_log = l.text;
                } else if (l.kind == Kind::rec) {
                    run.host_phases.time("record handling",
                                         [&] { listener.record(l.index, l.text, pending_log); });
                    pending_log.clear();
                    inflight = -1;
                    next = l.index + 1;
                    run.judged++;
                    progressed++;
                    last_progress = Clock::now();
                } else if (l.kind == Kind::done) {
                    done = true;
                    t_done = Clock::now();
                    run.agent_phases.add(l.phases);
                    run.agent_items += progressed;
                } else if (l.kind == Kind::fatal) {
                    std::string what = l.where.empty() ? l.what : l.where + ": " + l.what;
                    fatal = make_error(ErrorKind::infra, where, "guest agent: " + what,
                                       l.hint.empty() ? "this kernel cannot be judged" : l.hint);
                }
            }
        };
        for (;;) {
            drain();
            if (q.exited() || fatal)
                break;
            // Powered off after DONE, or about to: do not wait forever.
            if (done && since(t_done) > 15)
                break;
            if (interrupted) {
                end = End::interrupted;
                break;
            }
            if (!hello && since(t0) > opts.boot_timeout) {
                end = End::boot_timeout;
                break;
            }
            if (hello && !done &&
                std::chrono::duration<double>(Clock::now() - last_progress).count() >
                    opts.program_timeout) {
                end = End::prog_timeout;
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        q.kill();
        drain();
        if (done)
            run.host_phases.add("power-off after DONE", since(t_done));
        if (hello)
            run.judge_seconds += std::chrono::duration<double>(Clock::now() - t_hello).count();
        std::string console = read_from(k.console, con_off);
        if (fatal) {
            run.error = fatal;
            return run;
        }
        if (end == End::interrupted) {
            run.interrupted = true;
            return run;
        }
        int status = 0;
        q.exited(&status);
        bool qemu_failed = !q.killed() && status != 0;
        std::string marker =
            inflight >= 0 ? "iterconf-agent: begin " + std::to_string(inflight) + " " : "";
        auto splat = scanner.scan(console, 60, marker);
        if (!hello) {
            std::string why;
            if (end == End::boot_timeout)
                why = "did not reach the agent within " +
                      std::to_string(static_cast<int>(opts.boot_timeout)) + " s";
            else if (splat)
                why = "panicked while booting: " + splat->line;
            else {
                why = "stopped before the agent started (" + exit_text(status) + ")";
                if (std::string l = last_line(console); !l.empty())
                    why += "; last console line: " + l;
                why += qemu_said(qemu_err);
            }
            run.error = make_error(ErrorKind::infra, where, why,
                                   "console in " + k.console + " (needs BTF, bpf(), 8250 serial)");
            return run;
        }
        if (inflight >= 0) {
            std::string excerpt = splat ? splat->excerpt : tail(console, 40);
            if (end == End::prog_timeout) {
                listener.lost(static_cast<size_t>(inflight), Loss::timeout,
                              "no progress for " +
                                  std::to_string(static_cast<int>(opts.program_timeout)) +
                                  " s; guest stopped" + (splat ? "; console: " + splat->line : ""),
                              excerpt);
            } else if (qemu_failed && !splat) {
                // QEMU itself died (killed by the OOM killer, an abort in
                // TCG...): that is ours, not the kernel's.
                run.error =
                    make_error(ErrorKind::infra, where,
                               exit_text(status) + " while program " + std::to_string(inflight) +
                                   " was in flight" + qemu_said(qemu_err),
                               "QEMU's messages are in " + qemu_err);
                return run;
            } else {
                listener.lost(static_cast<size_t>(inflight), Loss::crash,
                              splat ? splat->line
                                    : "guest went down with no splat on the console (" +
                                          exit_text(status) + ")",
                              excerpt);
            }
            run.judged++;
            next = static_cast<size_t>(inflight) + 1;
            stuck_boots = 0;
            continue;
        }
        // Nothing in flight: a splat now (after a record, or after DONE) was
        // not caught in the act; fail closed rather than pass it.
        if (splat) {
            run.error =
                make_error(ErrorKind::infra, where,
                           "kernel trouble on the console with no program in flight" +
                               (splat->after.empty() ? std::string(" (before the first program)")
                                                     : " (after program " + splat->after + ")") +
                               ": " + splat->line,
                           "console in " + k.console);
            return run;
        }
        if (done) {
            if (next < count) {
                run.error = make_error(ErrorKind::internal, where,
                                       "the agent finished after " + std::to_string(next) + " of " +
                                           std::to_string(count) + " programs",
                                       "a harness bug; console in " + k.console);
                return run;
            }
            break;
        }
        if (next >= count)
            break;
        if (qemu_failed) {
            run.error = make_error(ErrorKind::infra, where, exit_text(status) + " between programs",
                                   "QEMU's messages are in " + qemu_err);
            return run;
        }
        // Down between programs: boot again from the next one, but not forever.
        if (progressed > 0)
            stuck_boots = 0;
        if (progressed == 0 && ++stuck_boots >= 2) {
            run.error = make_error(ErrorKind::infra, where,
                                   "guest stopped twice between programs at program " +
                                       std::to_string(next) + " (" + last_line(console) + ")",
                                   "console in " + k.console);
            return run;
        }
    }
    return run;
}

Result<double> boot_floor(const GuestKernel& k, const std::string& initrd, const GuestOptions& opts,
                          const std::atomic<bool>& interrupted) {
    const std::string channel = k.work_dir + "/ttyS1.floor";
    std::ofstream(channel, std::ios::trunc).close();
    append_text(k.console, "==== iterconf: boot floor of " + k.label + " ====\n");
    BootSpec spec;
    spec.qemu = opts.qemu;
    spec.kernel = k.image;
    spec.initrd = initrd;
    spec.append = base_append() + " iterconf.mode=floor";
    spec.console = k.console;
    spec.channel = channel;
    spec.stderr_path = k.work_dir + "/qemu.stderr";
    spec.accel = opts.accel;
    spec.memory_mb = opts.memory_mb;
    Qemu q;
    ITERCONF_TRY(q.start(spec));
    auto t0 = Clock::now();
    size_t err_off = file_size(spec.stderr_path);
    std::string qerr;
    while (!q.exited()) {
        // A KVM that cannot run the guest stops it but leaves QEMU running.
        qerr += read_from(spec.stderr_path, err_off);
        if (qerr.find("KVM internal error") != std::string::npos ||
            qerr.find("emulation failure") != std::string::npos) {
            q.kill();
            return make_error(ErrorKind::infra, "kernel '" + k.label + "'",
                              "KVM cannot run this guest (" + last_line(qerr) + ")");
        }
        if (since(t0) > opts.boot_timeout || interrupted) {
            q.kill();
            return make_error(ErrorKind::infra, "kernel '" + k.label + "'",
                              interrupted
                                  ? "interrupted"
                                  : "no init within " +
                                        std::to_string(static_cast<int>(opts.boot_timeout)) + " s");
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    double secs = since(t0);
    size_t off = 0;
    if (read_from(channel, off).find("FLOOR") == std::string::npos)
        return make_error(ErrorKind::infra, "kernel '" + k.label + "'",
                          "floor boot ended without reaching init", "console in " + k.console);
    return secs;
}

} // namespace iterconf::qemu
