// iterconf-agent: the guest side of a QEMU run. Started by the initramfs's
// /init (PID 1, which reports the agent's own death as FATAL), it reads the
// plan the host wrote (/iterconf/plan, qemu/plan.hpp), loads (verifies) each
// planned program exactly as the host runner does, judges it with the same
// code, and streams the results to the host on the result channel (the
// virtio port "iterconf.channel" where the kernel has the driver built in,
// else the second serial port /dev/ttyS1), one line per message, each
// written by
// qemu::format_channel_line():
//
//   HELLO {"kernel":"<uname -r>","uptime":SECONDS,"programs":N,"start":S}
//   BEGIN <i> <case>/<program>       before program i is loaded
//   LOG <i> "<verifier log, JSON string>"   (the tail when it is huge)
//   REC <i> {<record, contract 2>}
//   DONE {"phases":[...]}            every planned program was judged; the
//                                     agent's seconds per phase (--bench)
//   FATAL {"where":...,"what":...,"hint":...}   the kernel cannot be judged
//
// Before each load it also writes "iterconf-agent: begin <i> <id>" to the
// kernel log, so a panic, oops or warning on the console can be attributed
// to the program in flight; a splat that does not take the guest down is
// caught by the agent's own kernel-log watcher (agent/kmsg.hpp).
//
// One handler per plan kind (k_handlers below): `cases` loads case objects
// from /cases; `generated` loads the enumerated corpus of the plan's bound
// through the bytecode path and judges it against the reference model for
// this kernel; `inputs` does the same for the programs that the fuzz inputs
// in the plan's directory decode to; `bounds` replays the fuzz_iter_bounds
// inputs in the plan's directory (oracle/replay.cpp). Every handler reports
// through one Session: HELLO, BEGIN, LOG, REC and the fault injection below
// are the same for all of them.
//
// Beyond loading, as upstream's test_loader does (and never on the host):
// a program with __retval that loads is run once with BPF_PROG_TEST_RUN
// (test_run() below), a program with __leak_check is run N times against
// fresh children while the kernel's memory counters are watched
// (agent/leak.hpp), and a program with *_unpriv annotations is loaded a
// second time in a child process as uid 65534 holding only the capabilities
// of __caps_unpriv (unpriv_pass()); what cannot be done is listed in the
// record's `unchecked`.
//
// Kernel command line options read from /proc/cmdline:
//   iterconf.start=N      skip the first N programs (after a crash or hang)
//   iterconf.crash_at=N   fault injection for the harness's own tests, for
//   iterconf.hang_at=N    every plan kind: panic the kernel (sysrq 'c') or
//                         hang when program N is in flight
//   iterconf.splat_at=N   print a "BUG:" line after program N's record (a
//                         splat with nothing in flight)
//   iterconf.sev_inject=1 generated programs run with a falsified embedded
//                         belief (the state-embedding oracle's own test)
#include "agent/kmsg.hpp"
#include "agent/leak.hpp"
#include "common/shard.hpp"
#include "gen/corpus.hpp"
#include "gen/emit_bpf.hpp"
#include "gen/enumerate.hpp"
#include "judge/generated.hpp"
#include "judge/judge.hpp"
#include "load/loader.hpp"
#include "load/raw_load.hpp"
#include "model/model.hpp"
#include "oracle/replay.hpp"
#include "qemu/channel.hpp"
#include "qemu/plan.hpp"
#include "record/record.hpp"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <grp.h>
#include <iterator>
#include <linux/bpf.h>
#include <linux/capability.h>
#include <linux/dma-heap.h>
#include <map>
#include <optional>
#include <string>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/reboot.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>
#include <vector>

using namespace iterconf;

namespace {

int g_chan = -1;

void write_all(int fd, const std::string& s) {
    size_t off = 0;
    while (off < s.size()) {
        ssize_t n = ::write(fd, s.data() + off, s.size() - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        off += static_cast<size_t>(n);
    }
}

// Every line on the result channel goes through here.
void send(const qemu::ChannelLine& l) {
    write_all(g_chan, qemu::format_channel_line(l) + "\n");
}

void kmsg(const std::string& text) {
    // Opened for every line: the kernel rate-limits writes per open file.
    int fd = ::open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    // <2> (KERN_CRIT) so it reaches the console even with `quiet`.
    write_all(fd, "<2>iterconf-agent: " + text + "\n");
    ::close(fd);
}

// Waits until the port has sent everything: a write() to the serial port
// returns once the bytes are in the kernel's buffer, and a panic or
// power-off drops that. (On the virtio port a write() returns once QEMU has
// the bytes: under TCG the queue notification is handled in the vCPU's own
// thread. tcdrain() fails there with ENOTTY, at once.)
void drain() {
    tcdrain(g_chan);
}

// The virtio-serial port QEMU offers as the result channel
// ("iterconf.channel"), where the kernel has the driver built in (Debian's
// 6.12 and later; 6.1 has it as a module, which the initramfs does not
// carry): its /dev node, or "" to use the serial port. The port appears
// after the driver has handled QEMU's control messages, which may be just
// after init starts: wait for it briefly when the driver is there.
// Loads the modules the initramfs holds for this kernel, in the order of
// /modules/<release>/order (the virtio console and its transport, for a
// kernel that has them as modules: Debian's 6.1). Says what failed in the
// kernel log; the channel then stays on the serial port.
void load_modules() {
    struct utsname u {};
    ::uname(&u);
    std::string dir = std::string("/modules/") + u.release;
    std::ifstream order(dir + "/order");
    for (std::string name; order >> name;) {
        int fd = ::open((dir + "/" + name + ".ko").c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0 || (::syscall(SYS_finit_module, fd, "", 0) != 0 && errno != EEXIST)) {
            kmsg("cannot load module " + name + ": " + std::strerror(errno));
            if (fd >= 0)
                ::close(fd);
            return;
        }
        ::close(fd);
    }
}

// Two dma-bufs from the system heap, held open (and so exported) for the
// agent's lifetime: the dmabuf iterator's runtime cases (cases/dmabuf)
// need buffers to walk, and nothing else in the guest exports one. A
// kernel without the heap gets none; the kernel log says so.
void hold_dma_buffers() {
    int heap = ::open("/dev/dma_heap/system", O_RDONLY | O_CLOEXEC);
    if (heap < 0) {
        kmsg(std::string("no dma-bufs held: /dev/dma_heap/system: ") + std::strerror(errno));
        return;
    }
    for (int i = 0; i < 2; i++) {
        dma_heap_allocation_data a{};
        a.len = 4096;
        a.fd_flags = O_RDWR | O_CLOEXEC;
        if (::ioctl(heap, DMA_HEAP_IOCTL_ALLOC, &a) != 0) {
            kmsg(std::string("dma-buf allocation failed: ") + std::strerror(errno));
            break;
        }
    }
    ::close(heap);
}

std::string virtio_channel() {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (!fs::exists("/sys/bus/virtio/drivers/virtio_console", ec))
        return "";
    for (int tries = 0; tries < 100; tries++) {
        for (const auto& e : fs::directory_iterator("/sys/class/virtio-ports", ec)) {
            std::string name;
            std::ifstream(e.path() / "name") >> name;
            if (name == "iterconf.channel")
                return "/dev/" + e.path().filename().string();
        }
        ::usleep(10000);
    }
    return "";
}

[[noreturn]] void power_off() {
    drain();
    ::sync();
    ::reboot(RB_POWER_OFF);
    for (;;)
        ::pause();
}

[[noreturn]] void fatal(const Error& e) {
    qemu::ChannelLine l;
    l.kind = qemu::ChannelLine::Kind::fatal;
    l.where = e.where;
    l.what = e.what;
    l.hint = e.hint;
    send(l);
    kmsg("fatal: " + e.message());
    power_off();
}

long cmdline_number(const std::string& cmdline, const std::string& key, long def) {
    std::string k = " " + key + "=";
    std::string padded = " " + cmdline;
    size_t p = padded.find(k);
    if (p == std::string::npos)
        return def;
    return std::strtol(padded.c_str() + p + k.size(), nullptr, 10);
}

// What every plan kind reports through: the channel's HELLO, BEGIN, LOG and
// REC, the kernel-log marker before each load, and the fault injection of
// the kernel command line, the same for every kind.
class Session {
  public:
    Session(const load::HostKernel& kernel, const std::string& cmdline)
        : m_kernel(kernel), m_start(std::max(cmdline_number(cmdline, "iterconf.start", 0), 0L)),
          m_crash_at(cmdline_number(cmdline, "iterconf.crash_at", -1)),
          m_hang_at(cmdline_number(cmdline, "iterconf.hang_at", -1)),
          m_splat_at(cmdline_number(cmdline, "iterconf.splat_at", -1)),
          m_sev_inject(cmdline_number(cmdline, "iterconf.sev_inject", 0) != 0) {}

    // iterconf.sev_inject=1: every generated program runs with its first
    // definite belief falsified (gen::falsify_first()), the oracle's own
    // fault injection: its check must fire as a divergence.
    bool sev_inject() const { return m_sev_inject; }

    const load::HostKernel& kernel() const { return m_kernel; }
    // Where this boot's time goes, sent with DONE (iterconf run --bench).
    Phases& phases() { return m_phases; }
    // The first program of this boot (iterconf.start).
    size_t start() const { return static_cast<size_t>(m_start); }

    // HELLO for a plan of `programs` programs.
    void hello(size_t programs) {
        double uptime = 0;
        std::ifstream("/proc/uptime") >> uptime;
        qemu::ChannelLine l;
        l.kind = qemu::ChannelLine::Kind::hello;
        l.release = m_kernel.release();
        l.uptime = uptime;
        l.programs = programs;
        l.start = start();
        send(l);
    }

    // Program i is still running (a long __leak_check): BEGIN again, which
    // the host takes as progress; no kernel-log marker, no crash_at/hang_at.
    void alive(size_t i, const std::string& id) {
        m_phases.time("channel (BEGIN, drained)", [&] {
            qemu::ChannelLine l;
            l.kind = qemu::ChannelLine::Kind::begin;
            l.index = i;
            l.text = id;
            send(l);
            drain();
        });
    }

    // Program i is about to be loaded: BEGIN (drained, so that the previous
    // record and this BEGIN reach the host before the load), the kernel-log
    // marker, then iterconf.crash_at and iterconf.hang_at.
    void begin(size_t i, const std::string& id) {
        alive(i, id);
        m_phases.time("console marker", [&] { kmsg("begin " + std::to_string(i) + " " + id); });
        if (static_cast<long>(i) == m_crash_at) {
            int fd = ::open("/proc/sysrq-trigger", O_WRONLY);
            if (fd >= 0)
                write_all(fd, "c");
        }
        if (static_cast<long>(i) == m_hang_at)
            for (;;)
                ::pause();
    }

    // Program i's verifier log (nothing when empty), its record, then
    // iterconf.splat_at.
    void result(size_t i, const record::Record& r, const std::string& log = {}) {
        qemu::ChannelLine l;
        l.index = i;
        if (!log.empty()) {
            l.kind = qemu::ChannelLine::Kind::log;
            l.text = log;
            m_phases.time("channel (LOG)", [&] { send(l); });
        }
        l.kind = qemu::ChannelLine::Kind::rec;
        l.text = m_phases.time("record to JSON", [&] { return record::to_wire_json(r); });
        m_phases.time("channel (REC)", [&] { send(l); });
        if (static_cast<long>(i) == m_splat_at) {
            drain();
            int fd = ::open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
            if (fd >= 0) {
                write_all(fd, "<2>BUG: iterconf fault injection (splat after program " +
                                  std::to_string(i) + ")\n");
                ::close(fd);
            }
        }
    }

    // DONE, and `summary` to the kernel log.
    [[noreturn]] void done(const std::string& summary) {
        qemu::ChannelLine l;
        l.kind = qemu::ChannelLine::Kind::done;
        l.phases = m_phases;
        send(l);
        kmsg(summary);
        power_off();
    }

  private:
    const load::HostKernel& m_kernel;
    long m_start, m_crash_at, m_hang_at, m_splat_at;
    bool m_sev_inject;
    Phases m_phases;
};

// Runs a loaded program once with BPF_PROG_TEST_RUN, the way upstream's
// test_loader does: the packet types get 64 zero bytes of packet (its
// TEST_DATA_LEN) and room for what they write back; syscall programs get no
// input at all. Raw tracepoint programs (not run by test_loader) get twelve
// zero arguments. Other types are not run: the reason says so.
judge::TestRun test_run(int fd, int type) {
    judge::TestRun run;
    unsigned char in[64] = {};
    unsigned char out[256] = {};
    unsigned long long args[12] = {}; // MAX_BPF_FUNC_ARGS
    LIBBPF_OPTS(bpf_test_run_opts, o);
    switch (type) {
    case BPF_PROG_TYPE_SOCKET_FILTER:
    case BPF_PROG_TYPE_SCHED_CLS:
    case BPF_PROG_TYPE_SCHED_ACT:
    case BPF_PROG_TYPE_XDP:
    case BPF_PROG_TYPE_CGROUP_SKB:
    case BPF_PROG_TYPE_LWT_IN:
    case BPF_PROG_TYPE_LWT_OUT:
    case BPF_PROG_TYPE_LWT_XMIT:
    case BPF_PROG_TYPE_LWT_SEG6LOCAL:
        o.data_in = in;
        o.data_size_in = sizeof(in);
        o.data_out = out;
        o.data_size_out = sizeof(out);
        o.repeat = 1;
        break;
    case BPF_PROG_TYPE_SYSCALL:
        break;
    case BPF_PROG_TYPE_RAW_TRACEPOINT:
        o.ctx_in = args;
        o.ctx_size_in = sizeof(args);
        break;
    default: {
        const char* n = libbpf_bpf_prog_type_str(static_cast<enum bpf_prog_type>(type));
        run.not_run = std::string("guest: program type ") + (n ? n : std::to_string(type).c_str()) +
                      " is not run by BPF_PROG_TEST_RUN";
        return run;
    }
    }
    if (bpf_prog_test_run_opts(fd, &o) < 0) {
        int err = errno;
        if (err == ENOTSUP || err == EOPNOTSUPP || err == 524 /* ENOTSUPP */) {
            run.not_run = "guest: this kernel has no BPF_PROG_TEST_RUN for the program's type";
            return run;
        }
        run.err = err;
    } else {
        run.retval = o.retval;
    }
    run.ran = true;
    return run;
}

// The counters of a leak check, for the kernel log (and the measurements).
std::string leak_figures(const judge::LeakRun& l) {
    auto d = [](int64_t b, int64_t a) {
        return b < 0 || a < 0 ? std::string("?") : (a >= b ? "+" : "") + std::to_string(a - b);
    };
    return std::to_string(l.runs) + (l.zombie ? " zombie" : " live") + " children of " +
           std::to_string(l.child_anon_kib) + "+" + std::to_string(l.child_file_kib) +
           " KiB: AnonPages " + d(l.before.anon_kib, l.after.anon_kib) + " kB, Shmem " +
           d(l.before.shmem_kib, l.after.shmem_kib) + " kB, SUnreclaim " +
           d(l.before.sunreclaim_kib, l.after.sunreclaim_kib) + " kB, task_struct objects " +
           d(l.before.task_objects, l.after.task_objects);
}

// Lets unprivileged users load BPF programs: kernel.unprivileged_bpf_disabled
// 2 (Debian's default) may be set to 0 by root; 1 is for good until reboot.
// Returns "" when allowed, else why not.
std::string allow_unprivileged_bpf() {
    const char* path = "/proc/sys/kernel/unprivileged_bpf_disabled";
    auto read = [&] {
        std::string v;
        std::ifstream in(path);
        in >> v;
        return v;
    };
    std::string v = read();
    if (v.empty() || v == "0")
        return ""; // no such sysctl (older kernels allow it), or allowed
    {
        std::ofstream out(path);
        out << "0\n";
    }
    if (read() == "0") {
        kmsg("kernel.unprivileged_bpf_disabled " + v + " -> 0 for the unprivileged pass");
        return "";
    }
    return "guest: kernel.unprivileged_bpf_disabled=" + v + " cannot be set to 0";
}

// In a child: become uid/gid 65534 keeping only the capabilities in `caps`.
std::string drop_privileges(uint64_t caps) {
    if (::prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0)
        return std::string("prctl(PR_SET_KEEPCAPS): ") + std::strerror(errno);
    if (::setgroups(0, nullptr) != 0 || ::setresgid(65534, 65534, 65534) != 0 ||
        ::setresuid(65534, 65534, 65534) != 0)
        return std::string("setresuid(65534): ") + std::strerror(errno);
    __user_cap_header_struct h{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct d[2] = {};
    d[0].effective = d[0].permitted = static_cast<uint32_t>(caps);
    d[1].effective = d[1].permitted = static_cast<uint32_t>(caps >> 32);
    if (::syscall(SYS_capset, &h, d) != 0)
        return std::string("capset: ") + std::strerror(errno);
    return "";
}

// The unprivileged pass of one program: loaded (and, with __retval or
// __retval_unpriv, run) in a child without privileges, judged there against
// expect::unpriv_spec(), and returned as a record for judge::merge_unpriv().
record::Record unpriv_pass(const load::CaseObject& obj, const load::CaseProgram& prog,
                           const load::HostKernel& kernel) {
    record::Record failed;
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
        failed.reason = std::string("pipe: ") + std::strerror(errno);
        return failed;
    }
    pid_t pid = ::fork();
    if (pid < 0) {
        failed.reason = std::string("fork: ") + std::strerror(errno);
        return failed;
    }
    if (pid == 0) {
        ::close(fds[0]);
        record::Record r;
        if (std::string err = drop_privileges(prog.spec.unpriv.caps); !err.empty()) {
            r.reason = "cannot drop privileges: " + err;
        } else {
            load::CaseProgram up = prog;
            up.spec = expect::unpriv_spec(prog.spec);
            // only __auxiliary_unpriv programs go along (test_loader's rule)
            load::CaseObject uobj = obj;
            for (auto& p : uobj.programs)
                p.spec.auxiliary = p.spec.unpriv.auxiliary;
            judge::TestRun run;
            load::Options o;
            if (up.spec.retval)
                o.on_loaded = [&](int fd, int type) { run = test_run(fd, type); };
            auto outcome = load::load_on_host(uobj, up, kernel, o);
            // test_loader counts any refused load as a failure: without
            // CAP_BPF most program types are refused before the verifier.
            auto& v = outcome.result.verdict;
            if (v == record::Verdict::load_error ||
                (v == record::Verdict::unsupported && outcome.missing_kfuncs.empty())) {
                v = record::Verdict::reject;
                if (outcome.result.message.empty()) {
                    auto lines = load::tail_lines(outcome.libbpf_text, 1);
                    outcome.result.message = lines.empty() ? "refused" : lines.back();
                }
            }
            r = judge::make_record(uobj, up, outcome, kernel.release(), kernel.version(), "guest");
            if (up.spec.retval)
                judge::judge_retval(r, *up.spec.retval, run,
                                    prog.spec.unpriv.retval ? "__retval_unpriv" : "__retval");
        }
        write_all(fds[1], record::to_json(r) + "\n");
        ::_exit(0);
    }
    ::close(fds[1]);
    std::string line;
    char buf[4096];
    for (;;) {
        ssize_t n = ::read(fds[0], buf, sizeof(buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        line.append(buf, static_cast<size_t>(n));
    }
    ::close(fds[0]);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    auto r = record::from_json(line.substr(0, line.find('\n')));
    if (!r) {
        failed.reason =
            "the unprivileged load ended without a result (status " + std::to_string(status) + ")";
        return failed;
    }
    return *r;
}

// The plan kinds' handlers: each says HELLO, judges its programs from
// session.start() on, and returns the line for the kernel log at DONE.

// Case programs: the objects under /cases, one plan item per program. The
// consecutive programs of one object are loaded in one libbpf pass
// (load::load_programs_on_host()): each program's BEGIN, console marker and
// kernel-log watch come just before its own bpf() call, its run while it
// is loaded, its record before the next program's BEGIN.
std::string run_cases(const qemu::Plan& plan, Session& session) {
    const load::HostKernel& kernel = session.kernel();
    session.hello(plan.items.size());
    std::map<std::string, load::CaseObject> objects;
    load::Options opts;
    std::optional<std::string> unpriv_blocked; // asked once, at the first *_unpriv program
    Phases& ph = session.phases();
    auto id_of = [&](size_t i) { return plan.items[i].case_id + "/" + plan.items[i].program; };
    for (size_t first = session.start(), end; first < plan.items.size(); first = end) {
        const std::string& object = plan.items[first].object;
        for (end = first; end < plan.items.size() && plan.items[end].object == object;)
            end++;
        auto it = objects.find(object);
        if (it == objects.end()) {
            auto obj = ph.time("open case object", [&] {
                return load::open_case(object, plan.items[first].case_id, object);
            });
            if (!obj)
                fatal(obj.error());
            it = objects.emplace(object, std::move(*obj)).first;
        }
        const load::CaseObject& cobj = it->second;
        std::vector<const load::CaseProgram*> progs;
        for (size_t i = first; i < end; i++) {
            const load::CaseProgram* prog = nullptr;
            for (const auto& cp : cobj.programs)
                if (cp.name == plan.items[i].program)
                    prog = &cp;
            if (!prog)
                fatal(make_error(ErrorKind::internal, object,
                                 "no program '" + plan.items[i].program + "'"));
            progs.push_back(prog);
        }

        size_t n = progs.size();
        std::vector<judge::TestRun> runs(n);
        std::vector<judge::LeakRun> leaks(n);
        std::vector<std::optional<load::KmsgCheck>> checks(n);
        auto begin = [&](size_t j) {
            session.begin(first + j, id_of(first + j));
            ph.time("kernel-log watch", [&] { agent::kmsg_begin(); });
        };
        auto end_watch = [&](size_t j) {
            auto c = ph.time("kernel-log watch", [&] { return agent::kmsg_end(); });
            checks[j] = checks[j] ? load::merge_checks(std::move(*checks[j]), std::move(c)) : c;
        };
        load::LoadWatch watch;
        watch.before = begin;
        watch.loaded = [&](size_t j, int fd, int type) {
            const load::CaseProgram& prog = *progs[j];
            size_t i = first + j;
            if (prog.spec.leak_check)
                ph.time("run (__leak_check)", [&] {
                    leaks[j] = agent::leak_run(fd, type, *prog.spec.leak_check, prog.spec.retval,
                                               runs[j], [&] { session.alive(i, id_of(i)); });
                });
            else if (prog.spec.retval)
                ph.time("run (__retval)", [&] { runs[j] = test_run(fd, type); });
        };
        watch.after = end_watch;
        watch.judged = [&](size_t j, load::LoadOutcome&& outcome) {
            const load::CaseProgram& prog = *progs[j];
            size_t i = first + j;
            std::string id = id_of(i);
            if (!checks[j]) { // not loaded here (unsupported): BEGIN all the same
                begin(j);
                end_watch(j);
            }
            const load::KmsgCheck& check = *checks[j];
            load::apply_kmsg(check, outcome.result, outcome.log);
            auto r = ph.time("judge", [&] {
                return judge::make_record(cobj, prog, outcome, kernel.release(), kernel.version(),
                                          "guest");
            });
            ph.time("kernel-log watch", [&] { agent::kmsg_finish(check, r, i, id); });
            if (auto u = check.unchecked(); !u.empty())
                r.unchecked.push_back(u);
            if (prog.spec.retval)
                judge::judge_retval(r, *prog.spec.retval, runs[j]);
            if (prog.spec.leak_check) {
                judge::judge_leak(r, leaks[j]);
                if (leaks[j].ran)
                    kmsg(id + ": __leak_check " + leak_figures(leaks[j]));
            }
            if (prog.spec.unpriv.wanted &&
                (r.verdict == record::Verdict::accept || r.verdict == record::Verdict::reject)) {
                if (!unpriv_blocked)
                    unpriv_blocked = allow_unprivileged_bpf();
                if (!unpriv_blocked->empty())
                    r.unchecked.push_back("__*_unpriv (" + *unpriv_blocked + ")");
                else
                    ph.time("unprivileged pass",
                            [&] { judge::merge_unpriv(r, unpriv_pass(cobj, prog, kernel)); });
            }
            // The serial port moves about 300 KiB/s: keep the last 256 KiB.
            const size_t cap = 256u << 10;
            std::string log = outcome.log.size() > cap
                                  ? "[... " + std::to_string(outcome.log.size() - cap) +
                                        " bytes cut by iterconf-agent ...]\n" +
                                        outcome.log.substr(outcome.log.size() - cap)
                                  : outcome.log;
            session.result(i, r, log);
        };
        // libbpf's open and load (and the bpf() calls), less what the
        // callbacks above timed themselves
        double before = ph.total();
        auto t_load = std::chrono::steady_clock::now();
        load::load_programs_on_host(cobj, progs, kernel, opts, watch);
        ph.add("libbpf open + load",
               std::chrono::duration<double>(std::chrono::steady_clock::now() - t_load).count() -
                   (ph.total() - before));
    }
    return "done";
}

// Attaches `r0 = 0; exit` to the sys_enter raw tracepoint for as long as the
// returned fd stays open (or returns -1). Each accepted generated program is
// attached there and triggered; when it is the only one, attaching and
// detaching it flips the tracepoint's static key each time, which patches
// kernel text, and under TCG that costs more than the load itself. With this
// one attached throughout, the key stays on.
int hold_sys_enter() {
    const struct bpf_insn insns[] = {
        {BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0},
        {BPF_JMP | BPF_EXIT, 0, 0, 0, 0},
    };
    int fd = bpf_prog_load(BPF_PROG_TYPE_RAW_TRACEPOINT, "iterconf_hold", "GPL", insns, 2, nullptr);
    if (fd < 0)
        return -1;
    int link = bpf_raw_tracepoint_open("sys_enter", fd);
    ::close(fd);
    return link < 0 ? -1 : link;
}

// Generated programs (the corpus of the plan's bound), or those that the
// fuzz inputs in the plan's directory decode to (records name each input
// under the plan's source directory, as on the host).
std::string run_generated(const qemu::Plan& plan, Session& session) {
    const load::HostKernel& kernel = session.kernel();
    bool inputs = plan.kind == qemu::Plan::Kind::inputs;
    gen::Bound bound;
    std::vector<gen::Program> programs;
    std::vector<std::string> input_names;
    if (inputs) {
        auto in = gen::read_corpus(plan.dir);
        if (!in)
            fatal(in.error());
        for (auto& i : *in) {
            programs.push_back(i.program);
            input_names.push_back(plan.source + "/" + i.name);
        }
    } else {
        if (auto e = gen::parse_bound(plan.bound, bound); !e.empty())
            fatal(make_error(ErrorKind::internal, "guest", "bad bound in the plan: " + e));
        programs = session.phases().time("enumerate", [&] { return gen::enumerate_all(bound); });
        // The host's shard of the corpus, split as the host splits it (by
        // name, equal weights): the same programs at the same indices.
        Shard shard;
        if (auto e = parse_shard(plan.shard, shard); !e.empty())
            fatal(make_error(ErrorKind::internal, "guest", "bad shard in the plan: " + e));
        if (!shard.whole()) {
            std::vector<std::string> names;
            for (const auto& p : programs)
                names.push_back(p.name());
            std::vector<gen::Program> kept;
            for (size_t i : shard_items(names, std::vector<uint64_t>(names.size(), 1), shard))
                kept.push_back(std::move(programs[i]));
            programs = std::move(kept);
        }
    }
    size_t ran = 0;
    auto raw = load::RawLoader::open();
    if (!raw)
        fatal(raw.error());
    int hold = hold_sys_enter();
    if (hold < 0)
        kmsg(std::string("cannot keep sys_enter enabled (") + std::strerror(errno) +
             "): each run of an accepted program patches kernel text");
    session.hello(programs.size());
    Phases& ph = session.phases();
    for (size_t i = session.start(); i < programs.size(); i++) {
        const auto& p = programs[i];
        // The kind, not the program's id: the host has the program at index
        // i, and every byte on the console costs.
        session.begin(i, "generated");
        // The program is judged as enumerated; an accepted one then runs
        // here in the guest (never on the host), emitted again with the
        // model's beliefs embedded as run-time checks (the state-embedding
        // oracle, gen/beliefs.hpp). An oops while either is loaded or runs
        // is a crash attributed to the program.
        auto bp = ph.time("emit", [&] { return gen::emit_bpf(p); });
        ph.time("kernel-log watch", [&] { agent::kmsg_begin(); });
        auto t_load = std::chrono::steady_clock::now();
        auto o = raw->load(bp);
        double load_s =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t_load).count();
        ph.add("bpf_prog_load", static_cast<double>(o.load_us) / 1e6);
        ph.add("relocate + classify", load_s - static_cast<double>(o.load_us) / 1e6);
        std::optional<load::RawOutcome> embedded;
        gen::Beliefs beliefs;
        if (o.result.verdict == record::Verdict::accept) {
            beliefs = ph.time("beliefs (model)", [&] {
                return model::beliefs(p, model::KernelFeatures::from_version(kernel.version()));
            });
            if (session.sev_inject())
                gen::falsify_first(beliefs);
            auto eb = ph.time("emit", [&] { return gen::emit_bpf(p, &beliefs); });
            embedded = raw->load(eb, load::RawOptions{.log_size = 0, .run = true});
            if (embedded->result.verdict != record::Verdict::accept) // its message, for the record
                embedded->result = raw->load(eb).result;
            ph.add("load + run with beliefs embedded",
                   static_cast<double>(embedded->load_us + embedded->run_us) / 1e6);
        }
        auto check = ph.time("kernel-log watch", [&] { return agent::kmsg_end(o.result, o.log); });
        ran += embedded && embedded->ran;
        auto r = ph.time("judge (model)", [&] {
            auto r =
                judge::generated_record(p, o, kernel.release(), kernel.version(), bound.text());
            if (embedded)
                judge::judge_beliefs(r, p, beliefs, *embedded);
            return r;
        });
        ph.time("kernel-log watch", [&] { agent::kmsg_finish(check, r, i, "generated"); });
        // What the host knows is not sent (the program's text and file: it
        // enumerated the same bound or decoded the same inputs), nor the log
        // tail of a program that matched the model: the serial port is the
        // guest's slowest part (iterconf run --bench). A disagreement's log
        // is sent whole, up to its last 64 KiB.
        r.description.clear();
        r.file.clear();
        std::string log;
        if (r.match)
            r.log_tail.clear();
        else
            log = o.log.substr(o.log.size() > (64u << 10) ? o.log.size() - (64u << 10) : 0);
        session.result(i, r, log);
    }
    return "done; ran " + std::to_string(ran) + " accepted programs";
}

// fuzz_iter_bounds' inputs under the plan's directory (oracle/replay.cpp).
std::string run_bounds_inputs(const qemu::Plan& plan, Session& session) {
    session.hello(oracle::corpus_files(plan.dir).size());
    return "bounds: " + oracle::replay_corpus(
                            plan.dir, session.start(), session.kernel().release(),
                            [&](size_t i, const std::string& id) { session.begin(i, id); },
                            [&](size_t i, const record::Record& r) { session.result(i, r); });
}

// Plan kind -> handler: one row per kind, in Kind order.
constexpr struct {
    qemu::Plan::Kind kind;
    std::string (*run)(const qemu::Plan&, Session&);
} k_handlers[] = {
    {qemu::Plan::Kind::cases, run_cases},
    {qemu::Plan::Kind::generated, run_generated},
    {qemu::Plan::Kind::inputs, run_generated},
    {qemu::Plan::Kind::bounds, run_bounds_inputs},
};
constexpr bool one_row_per_kind() {
    if (std::size(k_handlers) != qemu::k_plan_kinds)
        return false;
    for (size_t i = 0; i < std::size(k_handlers); i++)
        if (static_cast<size_t>(k_handlers[i].kind) != i)
            return false;
    return true;
}
static_assert(one_row_per_kind(), "k_handlers: one row per plan kind, in Kind order");

} // namespace

int main() {
    std::string via = "/dev/ttyS1";
    load_modules();
    hold_dma_buffers();
    if (std::string port = virtio_channel(); !port.empty()) {
        g_chan = ::open(port.c_str(), O_WRONLY | O_CLOEXEC);
        if (g_chan >= 0)
            via = port;
        else
            kmsg("cannot open " + port + " (" + std::strerror(errno) + "), using /dev/ttyS1");
    }
    if (g_chan < 0) {
        g_chan = ::open("/dev/ttyS1", O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (g_chan < 0) {
            kmsg(std::string("cannot open /dev/ttyS1: ") + std::strerror(errno));
            power_off();
        }
        termios t{};
        if (tcgetattr(g_chan, &t) == 0) {
            cfmakeraw(&t);
            cfsetospeed(&t, B115200);
            tcsetattr(g_chan, TCSANOW, &t);
        }
    }
    kmsg("result channel: " + via);

    std::string cmdline;
    {
        std::ifstream in("/proc/cmdline");
        std::getline(in, cmdline);
    }
    const char* plan_path = "/iterconf/plan";
    std::ifstream in(plan_path, std::ios::binary);
    if (!in)
        fatal(make_error(ErrorKind::infra, "guest", "no /iterconf/plan in the initramfs",
                         "the initramfs is broken; rerun iterconf run"));
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto plan = qemu::decode_plan(text, plan_path);
    if (!plan)
        fatal(plan.error());

    auto kernel = load::HostKernel::open();
    if (!kernel)
        fatal(kernel.error());
    if (auto p = kernel->probe_bpf(); !p)
        fatal(p.error());
    Session session(*kernel, cmdline);
    session.done(k_handlers[static_cast<size_t>(plan->kind)].run(*plan, session));
}
