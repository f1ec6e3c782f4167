// Runs a plan of programs on one kernel inside QEMU guests: boots, reads the
// agent's channel, attributes a crash or hang to the program in flight,
// boots again after it, and reports a kernel that cannot be judged at all.
// Knows nothing of case syntax: the listener turns events into records.
#pragma once

#include "common/phases.hpp"
#include "common/result.hpp"
#include "qemu/console.hpp"
#include "qemu/qemu.hpp"

#include <atomic>
#include <optional>
#include <string>

namespace iterconf::qemu {

struct GuestOptions {
    std::string qemu = "qemu-system-x86_64";
    std::string accel = "tcg";
    int memory_mb = 1024;
    double boot_timeout = 120;   // seconds from QEMU start to the agent's HELLO
    double program_timeout = 60; // seconds without progress while a program is in flight
    std::string extra_append;    // more kernel command line (tests: fault injection)
};

// How the loss of a program is reported.
enum class Loss { crash, timeout };

class GuestListener {
  public:
    virtual ~GuestListener() = default;
    // Each boot that reached the agent; `uptime` is the guest's at that moment.
    virtual void hello(const std::string& release, double uptime, double wall) = 0;
    // A judged record (one JSON line, contract 2) and its verifier log.
    virtual void record(size_t index, const std::string& json, const std::string& log) = 0;
    // Program `index` took the kernel down (crash) or made no progress (timeout).
    // `message` is one line; `excerpt` is console text around it.
    virtual void lost(size_t index, Loss loss, const std::string& message,
                      const std::string& excerpt) = 0;
};

struct GuestKernel {
    std::string label;    // "debian-6.12" or the image's file name
    std::string image;    // bzImage path
    std::string work_dir; // channel and QEMU messages go here
    std::string console;  // the console file, appended to across boots
};

struct GuestRun {
    std::optional<Error> error; // the kernel could not be judged (boot failure, agent fatal)
    std::string release;
    int boots = 0;
    double first_boot_wall = 0;   // QEMU start to HELLO, first boot
    double first_boot_uptime = 0; // guest uptime at HELLO, first boot
    double reboot_wall = 0;       // QEMU start to HELLO, the boots after a loss
    double judge_seconds = 0;     // HELLO to the end of the last record, all boots
    size_t judged = 0;            // records and losses reported
    Phases agent_phases;          // the agent's own, from DONE (the boot that finished)
    size_t agent_items = 0;       // the records of that boot, which agent_phases cover
    Phases host_phases;           // the host's own time within judge_seconds
    bool interrupted = false;
};

// Judges programs [0, count) of the plan baked into `initrd`.
GuestRun run_guest(const GuestKernel& k, const std::string& initrd, size_t count,
                   const GuestOptions& opts, const ConsoleScanner& scanner, GuestListener& listener,
                   const std::atomic<bool>& interrupted);

// Boots to an init that powers off at once; returns the wall seconds from
// QEMU start to exit (the boot floor), or an error naming the kernel.
Result<double> boot_floor(const GuestKernel& k, const std::string& initrd, const GuestOptions& opts,
                          const std::atomic<bool>& interrupted);

// The base kernel command line for a guest.
std::string base_append();

} // namespace iterconf::qemu
