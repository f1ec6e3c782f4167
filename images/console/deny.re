# Kernel-log lines that mean the kernel is in trouble (POSIX ERE, one per
# line). Guests: the first console match after the agent's "begin" marker
# makes the program in flight a `crash`; a match before any marker is a boot
# failure. Host loads and the agent's own loads: a match in /dev/kmsg during
# a load makes that program a `crash` (runner/load/kmsg.hpp). Built into the
# binaries too (common/splat.hpp), so the static guest agent has it.
# Sources: the kernel's own prefixes (panic(), die(), __warn(), lockup
# detectors) as seen on Debian kernels.
Kernel panic - not syncing
BUG: 
Oops: 
WARNING: 
# The verifier's internal-consistency checks (verifier_bug(), 6.17+): the
# "verifier bug: <what>(<cond>)" line comes before the WARNING: line of the
# same WARN_ONCE (printed with CONFIG_DEBUG_KERNEL), so it is what records show.
verifier bug
general protection fault
kernel BUG at
Unable to handle kernel
watchdog: BUG: soft lockup
rcu: INFO: rcu_(sched|preempt) (self-)?detected stall
INFO: task .* blocked for more than
UBSAN: 
KASAN: 
list_(add|del) corruption
