// The agent's kernel-log watcher (load/kmsg.hpp) around each load in the
// guest: a WARN, BUG, "verifier bug" or oops the kernel logs during a load
// (or, for generated programs, the run that follows it) makes that
// program's record a `crash` with the excerpt, even when the guest goes on
// (panic_on_warn=0, or a WARN that is not an oops). The agent then writes
// "iterconf-agent: kmsg splat attributed to <i> <id>" to the kernel log, so
// the host's console scan (qemu/console.hpp) does not take the same splat
// for trouble with nothing in flight.
#pragma once

#include "load/classify.hpp"
#include "load/kmsg.hpp"
#include "record/record.hpp"

#include <string>

namespace iterconf::agent {

// Before a load (opens /dev/kmsg the first time; a watcher that cannot read
// it says why on the console once, and the console scan stays the check).
void kmsg_begin();
// After the load: the check, already applied to the outcome.
load::KmsgCheck kmsg_end(load::Classified& result, std::string& log);
// After the load: the check alone (load::apply_kmsg() applies it).
load::KmsgCheck kmsg_end();
// After judging: the record's log_tail (and match, on an overrun), and the
// attribution marker for program "<index> <id>" when it was a crash.
void kmsg_finish(const load::KmsgCheck& c, record::Record& r, size_t index, const std::string& id);

} // namespace iterconf::agent
