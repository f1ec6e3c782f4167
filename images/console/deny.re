# Console lines that mean the guest kernel is in trouble (POSIX ERE, one per
# line). The first match after the agent's "begin" marker makes the program
# in flight a `crash`; a match before any marker is a boot failure.
# Sources: the kernel's own prefixes (panic(), die(), __warn(), lockup
# detectors) as seen on Debian kernels.
Kernel panic - not syncing
BUG: 
Oops: 
WARNING: 
general protection fault
kernel BUG at
Unable to handle kernel
watchdog: BUG: soft lockup
rcu: INFO: rcu_(sched|preempt) (self-)?detected stall
INFO: task .* blocked for more than
UBSAN: 
KASAN: 
list_(add|del) corruption
