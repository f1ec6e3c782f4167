#!/usr/bin/env bash
# The test command (README, .ci/run): installs, builds twice (plain, and
# ASan+UBSan for host code), runs ctest on both. Nonzero on any failure.
# Extra arguments go to ctest (e.g. ci/test.sh -L unit); without any, every
# label but kernel runs.
set -euo pipefail
cd "$(dirname "$0")/.."

ci/install-deps.sh
ci/build.sh
ci/build.sh --sanitize

export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export ASAN_OPTIONS=detect_leaks=1
# The kernel label (kernels built from source: ~20 min cold) runs only when
# asked for, e.g. ci/test.sh -L kernel.
[ $# -gt 0 ] || set -- -LE '^kernel$'
status=0
for dir in build build-asan; do
	echo "== ctest in $dir"
	(cd "$dir" && ctest --output-on-failure -j"$(nproc)" "$@") || status=1
done
exit $status
