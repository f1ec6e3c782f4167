#!/bin/busybox sh
# PID 1 of the iterconf guest (packed into the initramfs by `iterconf run`).
# Mounts what the agent needs, then becomes the agent, which powers the
# guest off when it is done. With iterconf.mode=floor on the kernel command
# line it powers off at once: the boot floor that `--bench` measures.
bb=/bin/busybox
trap '$bb poweroff -f' EXIT
$bb mount -t proc proc /proc
$bb mount -t sysfs sysfs /sys
$bb mount -t devtmpfs devtmpfs /dev
$bb mount -t tmpfs tmpfs /tmp
$bb mount -t bpf bpf /sys/fs/bpf 2>/dev/null
$bb mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
$bb mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
case " $($bb cat /proc/cmdline) " in
*" iterconf.mode=floor "*)
	echo "FLOOR $($bb cut -d' ' -f1 /proc/uptime)" >/dev/ttyS1
	$bb poweroff -f
	;;
esac
# Not exec'd: if the agent itself dies (a harness bug), PID 1 survives to
# say so on the result channel instead of panicking the kernel ("Attempted
# to kill init"), which would look like a kernel crash. The agent powers the
# guest off itself when it is done.
ITERCONF_GUEST=1 /bin/iterconf-agent
rc=$?
echo "FATAL {\"where\":\"guest\",\"what\":\"iterconf-agent exited with status $rc\",\"hint\":\"a harness bug; see the console\"}" >/dev/ttyS1
