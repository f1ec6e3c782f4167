#!/usr/bin/env bash
# Benchmark of the kernel matrix: for each kernel, the boot floor (QEMU start
# to power-off with an init that powers off at once), the time from QEMU
# start to the agent, the time to judge the whole corpus, and verdicts/s in
# the guest next to the same corpus on the host, all measured in this run.
#   bench/qemu.sh [--kernel K ...] [more 'iterconf run' options]
# Default kernels: all (host + the manifest). Output: a table on stdout
# (after the matrix), records under out-bench/.
set -euo pipefail
cd "$(dirname "$0")/.."
ci/install-deps.sh >&2
ci/build.sh >&2
has_kernel=0
for a in "$@"; do
	case "$a" in --kernel | --kernel=*) has_kernel=1 ;; esac
done
[ $has_kernel -eq 1 ] || set -- --kernel all "$@"
rc=0
build/runner/iterconf run --bench --out out-bench "$@" || rc=$?
# 1 = a mismatch: the figures still stand; 2 = the run itself failed.
[ $rc -le 1 ] || exit $rc
