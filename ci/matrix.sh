#!/usr/bin/env bash
# The main job: every case on every available kernel (today: the running
# kernel), a table on stdout, results.jsonl and junit.xml under out/.
#   ci/matrix.sh [--out DIR] [more 'iterconf run' options]
# Exit: 0 all matched, 1 a mismatch, 2 harness error.
set -euo pipefail
cd "$(dirname "$0")/.."

ci/install-deps.sh >&2
ci/build.sh >&2
has_out=0
for a in "$@"; do
	case "$a" in --out | --out=*) has_out=1 ;; esac
done
if [ $has_out -eq 0 ]; then
	set -- --out out "$@"
fi
exec build/runner/iterconf run --kernel host "$@"
