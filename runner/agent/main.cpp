// iterconf-agent: the guest side of a QEMU run. Started by the initramfs's
// /init (PID 1, which reports the agent's own death as FATAL), it loads (verifies) each planned
// program exactly as the host runner does, judges it with the same code, and streams the results to
// the host on the second serial port (/dev/ttyS1), one line per message:
//
//   HELLO {"kernel":"<uname -r>","uptime":SECONDS,"programs":N,"start":S}
//   BEGIN <i> <case>/<program>       before program i is loaded
//   LOG <i> "<verifier log, JSON string>"   (the tail when it is huge)
//   REC <i> {<record, contract 2>}
//   DONE                              every planned program was judged
//   FATAL {"where":...,"what":...,"hint":...}   the kernel cannot be judged
//
// Before each load it also writes "iterconf-agent: begin <i> <id>" to the
// kernel log, so a panic, oops or warning on the console can be attributed
// to the program in flight; a splat that does not take the guest down is
// caught by the agent's own kernel-log watcher (agent/kmsg.hpp). The plan (/iterconf/plan: one
// "<object>\t<case>\t<program>" line per program) is written by the host;
// a plan whose only line is "@generated\t<bound>" means the enumerated
// corpus of that bound, loaded through the bytecode path and judged against
// the reference model for this kernel; "@inputs\t<host dir>" the same for
// the programs that the fuzz inputs in /cases/inputs decode to;
// "@bounds\t<dir>" replays the fuzz_iter_bounds inputs under <dir>
// (agent/bounds.cpp).
//
// Kernel command line options read from /proc/cmdline:
//   iterconf.start=N      skip the first N programs (after a crash or hang)
//   iterconf.crash_at=N   fault injection for the harness's own tests:
//   iterconf.hang_at=N    panic the kernel (sysrq 'c') or hang when program N
//                         is in flight
//   iterconf.splat_at=N   print a "BUG:" line after program N's record (a
//                         splat with nothing in flight)
#include "agent/bounds.hpp"
#include "agent/kmsg.hpp"
#include "cli/inputs.hpp"
#include "gen/emit_bpf.hpp"
#include "gen/enumerate.hpp"
#include "judge/generated.hpp"
#include "judge/judge.hpp"
#include "load/loader.hpp"
#include "load/raw_load.hpp"
#include "record/record.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <sys/reboot.h>
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

void send(const std::string& line) {
    write_all(g_chan, line + "\n");
}

void kmsg(const std::string& text) {
    int fd = ::open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    // <2> (KERN_CRIT) so it reaches the console even with `quiet`.
    write_all(fd, "<2>iterconf-agent: " + text + "\n");
    ::close(fd);
}

// Waits until the port has sent everything: a write() returns once the
// bytes are in the kernel's buffer, and a panic or power-off drops that.
void drain() {
    tcdrain(g_chan);
}

[[noreturn]] void power_off() {
    drain();
    ::sync();
    ::reboot(RB_POWER_OFF);
    for (;;)
        ::pause();
}

[[noreturn]] void fatal(const Error& e) {
    std::string j = "{\"where\":" + record::json_quote(e.where) +
                    ",\"what\":" + record::json_quote(e.what) +
                    ",\"hint\":" + record::json_quote(e.hint) + "}";
    send("FATAL " + j);
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

struct PlanItem {
    std::string object, case_id, program;
};

} // namespace

int main() {
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

    std::string cmdline;
    {
        std::ifstream in("/proc/cmdline");
        std::getline(in, cmdline);
    }
    long start = cmdline_number(cmdline, "iterconf.start", 0);
    long crash_at = cmdline_number(cmdline, "iterconf.crash_at", -1);
    long hang_at = cmdline_number(cmdline, "iterconf.hang_at", -1);
    long splat_at = cmdline_number(cmdline, "iterconf.splat_at", -1);

    std::vector<PlanItem> plan;
    {
        std::ifstream in("/iterconf/plan");
        if (!in)
            fatal(make_error(ErrorKind::infra, "guest", "no /iterconf/plan in the initramfs",
                             "the initramfs is broken; rerun iterconf run"));
        std::string line;
        while (std::getline(in, line)) {
            std::istringstream ls(line);
            PlanItem p;
            if (std::getline(ls, p.object, '\t') && std::getline(ls, p.case_id, '\t') &&
                std::getline(ls, p.program, '\t'))
                plan.push_back(p);
        }
    }

    auto kernel = load::HostKernel::open();
    if (!kernel)
        fatal(kernel.error());
    if (auto p = kernel->probe_bpf(); !p)
        fatal(p.error());
    bool inputs = plan.size() == 1 && plan[0].object == "@inputs";
    if (inputs || (plan.size() == 1 && plan[0].object == "@generated")) {
        gen::Bound bound;
        std::vector<gen::Program> programs;
        std::vector<std::string> input_names;
        if (inputs) {
            // Fuzz inputs copied to /cases/inputs (cli/inputs), named as on the host.
            auto in = cli::read_inputs("/cases/inputs");
            if (!in)
                fatal(in.error());
            for (auto& i : *in) {
                programs.push_back(i.program);
                input_names.push_back(plan[0].case_id + "/" + i.name);
            }
        } else {
            if (auto e = gen::parse_bound(plan[0].case_id, bound); !e.empty())
                fatal(make_error(ErrorKind::internal, "guest", "bad bound in the plan: " + e));
            programs = gen::enumerate_all(bound);
        }
        size_t ran = 0;
        auto raw = load::RawLoader::open();
        if (!raw)
            fatal(raw.error());
        std::string up = "0";
        {
            std::ifstream in("/proc/uptime");
            in >> up;
        }
        send("HELLO {\"kernel\":" + record::json_quote(kernel->release()) + ",\"uptime\":" + up +
             ",\"programs\":" + std::to_string(programs.size()) +
             ",\"start\":" + std::to_string(start) + "}");
        for (size_t i = static_cast<size_t>(std::max(start, 0L)); i < programs.size(); i++) {
            const auto& p = programs[i];
            send("BEGIN " + std::to_string(i) + " generated/" + p.name());
            drain();
            kmsg("begin " + std::to_string(i) + " generated/" + p.name());
            if (static_cast<long>(i) == crash_at) {
                int fd = ::open("/proc/sysrq-trigger", O_WRONLY);
                if (fd >= 0)
                    write_all(fd, "c");
            }
            if (static_cast<long>(i) == hang_at)
                for (;;)
                    ::pause();
            // Accepted programs also run once, here in the guest (never on the
            // host): an oops while one runs is a crash attributed to it.
            agent::kmsg_begin();
            auto o = raw->load(gen::emit_bpf(p), load::RawOptions{.run = true});
            auto check = agent::kmsg_end(o.result, o.log);
            ran += o.ran;
            auto r =
                judge::generated_record(p, o, kernel->release(), kernel->version(), bound.text());
            agent::kmsg_finish(check, r, i, "generated/" + p.name());
            if (inputs)
                r.file = input_names[i];
            if (!r.match && !o.log.empty())
                send("LOG " + std::to_string(i) + " " +
                     record::json_quote(o.log.substr(
                         o.log.size() > (64u << 10) ? o.log.size() - (64u << 10) : 0)));
            send("REC " + std::to_string(i) + " " + record::to_json(r));
        }
        send("DONE");
        kmsg("done; ran " + std::to_string(ran) + " accepted programs");
        power_off();
    }

    if (plan.size() == 1 && plan[0].object == "@bounds") {
        // fuzz_iter_bounds' inputs under the plan's directory (agent/bounds.cpp).
        std::string up = "0";
        {
            std::ifstream in("/proc/uptime");
            in >> up;
        }
        size_t n = agent::bounds_inputs(plan[0].case_id).size();
        send("HELLO {\"kernel\":" + record::json_quote(kernel->release()) + ",\"uptime\":" + up +
             ",\"programs\":" + std::to_string(n) + ",\"start\":" + std::to_string(start) + "}");
        auto summary = agent::run_bounds(
            plan[0].case_id, static_cast<size_t>(std::max(start, 0L)), kernel->release(),
            [](size_t i, const std::string& id) {
                send("BEGIN " + std::to_string(i) + " " + id);
                drain();
                kmsg("begin " + std::to_string(i) + " " + id);
            },
            [](size_t i, const record::Record& r) {
                send("REC " + std::to_string(i) + " " + record::to_json(r));
            });
        send("DONE");
        kmsg("bounds: " + summary);
        power_off();
    }

    std::string uptime = "0";
    {
        std::ifstream in("/proc/uptime");
        in >> uptime;
    }
    send("HELLO {\"kernel\":" + record::json_quote(kernel->release()) + ",\"uptime\":" + uptime +
         ",\"programs\":" + std::to_string(plan.size()) + ",\"start\":" + std::to_string(start) +
         "}");

    std::map<std::string, load::CaseObject> objects;
    load::Options opts;
    for (size_t i = static_cast<size_t>(std::max(start, 0L)); i < plan.size(); i++) {
        const PlanItem& p = plan[i];
        std::string id = p.case_id + "/" + p.program;
        send("BEGIN " + std::to_string(i) + " " + id);
        drain(); // the previous record and this BEGIN reach the host before the load
        kmsg("begin " + std::to_string(i) + " " + id);
        if (static_cast<long>(i) == crash_at) {
            int fd = ::open("/proc/sysrq-trigger", O_WRONLY);
            if (fd >= 0)
                write_all(fd, "c");
        }
        if (static_cast<long>(i) == hang_at)
            for (;;)
                ::pause();

        auto it = objects.find(p.object);
        if (it == objects.end()) {
            auto obj = load::open_case(p.object, p.case_id, p.object);
            if (!obj)
                fatal(obj.error());
            it = objects.emplace(p.object, std::move(*obj)).first;
        }
        const load::CaseProgram* prog = nullptr;
        for (const auto& cp : it->second.programs)
            if (cp.name == p.program)
                prog = &cp;
        if (!prog)
            fatal(make_error(ErrorKind::internal, p.object, "no program '" + p.program + "'"));

        agent::kmsg_begin();
        auto outcome = load::load_on_host(it->second, *prog, *kernel, opts);
        auto check = agent::kmsg_end(outcome.result, outcome.log);
        auto r = judge::make_record(it->second, *prog, outcome, kernel->release(),
                                    kernel->version(), "guest");
        agent::kmsg_finish(check, r, i, id); // TODO(lead): check.unchecked() -> r.unchecked
        if (!outcome.log.empty()) {
            // The serial port moves about 300 KiB/s: keep the last 256 KiB.
            const size_t cap = 256u << 10;
            std::string log = outcome.log.size() > cap
                                  ? "[... " + std::to_string(outcome.log.size() - cap) +
                                        " bytes cut by iterconf-agent ...]\n" +
                                        outcome.log.substr(outcome.log.size() - cap)
                                  : outcome.log;
            send("LOG " + std::to_string(i) + " " + record::json_quote(log));
        }
        send("REC " + std::to_string(i) + " " + record::to_json(r));
        if (static_cast<long>(i) == splat_at) {
            drain();
            int fd = ::open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
            if (fd >= 0) {
                write_all(fd, "<2>BUG: iterconf fault injection (splat after program " +
                                  std::to_string(i) + ")\n");
                ::close(fd);
            }
        }
    }
    send("DONE");
    kmsg("done");
    power_off();
}
