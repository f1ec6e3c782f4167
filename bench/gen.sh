#!/usr/bin/env bash
# Benchmark of the generated corpus on the running kernel, all in one run:
#   - programs generated per second (enumerate + model + emit, bytecode);
#   - verdicts per second through the bytecode path (raw bpf_prog_load,
#     records and model checks included) and through the clang path (the
#     same programs as BPF C: clang, then libbpf opens and loads each one);
#   - the bare bpf_prog_load rate for the same programs (the ceiling);
#   - the hand cases on the host (one libbpf pass per case object) against
#     the bpf_prog_load calls of the same programs alone (their ceiling).
#   bench/gen.sh [BOUND]     (default ops=2,depth=2,slots=1,tasks=1,wheres=1,calls=1,addrs=0:
#                            1,729 programs; addrs=0 because iterator addresses off the
#                            8-byte grid exist only as bytecode, and both paths must judge
#                            the same programs)
# Loads only (never attaches or runs); needs root for bpf().
set -euo pipefail
cd "$(dirname "$0")/.."
ci/install-deps.sh >&2
ci/build.sh >&2
bound=${1:-ops=2,depth=2,slots=1,tasks=1,wheres=1,calls=1,addrs=0}
it=build/runner/iterconf
# Outputs go where a run's go (under the tree, as out/ does), not to /tmp:
# on this machine's disk new files in fresh /tmp directories cost about
# 1 ms each (cold inode groups), more than a whole hand-case judgement.
mkdir -p out-bench
tmp=$(mktemp -d -p out-bench gen.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
now() { date +%s.%N; }

echo "== generation (default bound, bytecode)"
$it gen --emit bytecode --out "$tmp/all"

echo "== bytecode path ($bound)"
t0=$(now)
$it run --quiet --generated --bound "$bound" --out "$tmp/bc" | tee "$tmp/bc.out" | grep "^host"
t1=$(now)
n=$(wc -l <"$tmp/bc/results.jsonl")
ceiling=$(sed -nE 's/.*\(([0-9]+)\/s in bpf_prog_load alone\).*/\1/p' "$tmp/bc.out")

echo "== clang path ($bound)"
t2=$(now)
$it gen --emit c --bound "$bound" --out "$tmp/c" >/dev/null
$it run --quiet --cases "$tmp/c/generated" --out "$tmp/cr" | tail -3 | head -1
t3=$(now)
[ "$(wc -l <"$tmp/cr/results.jsonl")" -eq "$n" ] || { echo "bench: the two paths judged different programs" >&2; exit 2; }

echo "== hand cases (host)"
$it run --quiet --kernel host --out "$tmp/hand" | tee "$tmp/hand.out" | grep "^host"
hand_rate=$(sed -nE 's/.* ([0-9.]+) verdicts\/s.*/\1/p' "$tmp/hand.out")
hand_ceil=$(sed -nE 's/.*\(([0-9]+)\/s in bpf_prog_load alone, [0-9]+ programs\).*/\1/p' "$tmp/hand.out")

awk -v n="$n" -v t0="$t0" -v t1="$t1" -v t2="$t2" -v t3="$t3" -v ceil="$ceiling" \
	-v hr="$hand_rate" -v hc="$hand_ceil" 'BEGIN {
	bc = t1 - t0; cl = t3 - t2
	printf "\n%d programs, wall time per path including process start:\n", n
	printf "  bytecode path : %7.2f s  %8.0f verdicts/s\n", bc, n / bc
	printf "  clang path    : %7.2f s  %8.0f verdicts/s\n", cl, n / cl
	printf "  bpf_prog_load : %17.0f loads/s (ceiling, same programs)\n", ceil
	printf "  bytecode / clang = %.1fx; bytecode / ceiling = %.2f\n", cl / bc, (n / bc) / ceil
	if (hc > 0)
		printf "hand cases on the host: %.0f verdicts/s, bpf_prog_load alone %.0f/s: %.2f of the ceiling\n", hr, hc, hr / hc
}'
