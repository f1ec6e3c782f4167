#!/usr/bin/env bash
# The main job: every case on every kernel of the manifest (images/kernels.toml),
# each booted under QEMU, plus the running kernel: a programs x kernels matrix
# on stdout, results.jsonl, junit.xml, verifier logs and guest consoles under out/.
#   ci/matrix.sh [--out DIR] [more 'iterconf run' options, e.g. --kernel debian-6.12]
# Without --kernel it fetches the manifest kernels (newest packages) and runs
# --kernel all. Exit: 0 all matched, 1 a mismatch (or a kernel that could
# not be fetched), 2 harness error.
set -euo pipefail
cd "$(dirname "$0")/.."

ci/install-deps.sh >&2
ci/build.sh >&2
has_out=0 has_kernel=0
for a in "$@"; do
	case "$a" in
	--out | --out=*) has_out=1 ;;
	--kernel | --kernel=*) has_kernel=1 ;;
	esac
done
if [ $has_out -eq 0 ]; then
	set -- --out out "$@"
fi
if [ $has_kernel -eq 0 ]; then
	# Refresh to the newest packages; a kernel that cannot be fetched is
	# reported by name and skipped by the run (exit 1 at the end).
	build/runner/iterconf kernels fetch >/dev/null || true
	set -- --kernel all "$@"
fi
exec build/runner/iterconf run "$@"
