#!/usr/bin/env bash
# Time-boxed libFuzzer campaigns over the fuzz/ targets.
#
#   ci/fuzz.sh [SECONDS] [TARGET...]
#
# SECONDS (default 300) is the whole campaign's budget, shared equally by the
# targets (default: every target built under build-fuzz/fuzz/). Each target
# starts from its checked-in seeds (fuzz/corpus/<target>/) and writes to
# out/fuzz/<target>/: corpus/ (inputs it found), artifacts/ (libFuzzer's
# crash-*/leak-*/timeout-* files), log, and whatever the target itself saves
# there (findings/, accepted/, reproducers). A table then gives, per target:
# seconds, executions, exec/s, coverage (libFuzzer's cov: edges and ft:
# features of our own instrumented code), corpus size and findings.
#
# After the campaigns, what needs a kernel to execute is replayed inside a
# QEMU guest ($ITERCONF_FUZZ_KERNEL, default debian-7.2), never on the host:
#   - fuzz_protocol's accepted programs, loaded and run (a guest crash is a
#     finding);
#   - fuzz_iter_bounds' corpus, the same layouts checked on that kernel.
# ITERCONF_FUZZ_KERNEL=none skips the guest replays.
#
# Each campaign runs ITERCONF_FUZZ_JOBS worker processes (default: the
# number of cores) for its whole share (libFuzzer's -jobs/-workers), all on
# the one work corpus; their logs are out/fuzz/<target>/workers/fuzz-N.log
# (appended to log). The kernel-bound targets (fuzz_protocol,
# fuzz_iter_bounds) spend most of their time in bpf() and scale with it.
# exec/s is all workers' executions over the wall time. ITERCONF_FUZZ_JOBS=1
# runs one process (libFuzzer's own final statistics).
#
# Exit: 0 no finding; 1 a finding (its files are listed); 2 bad usage or a
# build/setup failure.
set -uo pipefail
cd "$(dirname "$0")/.."

die() {
	echo "iterconf: error: fuzz.sh: $*" >&2
	exit 2
}

seconds=300
if [ $# -gt 0 ] && [[ $1 =~ ^[0-9]+$ ]]; then
	seconds=$1
	shift
fi
[ "$seconds" -gt 0 ] || die "SECONDS must be a positive number of seconds"
kernel=${ITERCONF_FUZZ_KERNEL:-debian-7.2}

ci/install-deps.sh >/dev/null || die "ci/install-deps.sh failed; run it by hand to see why"
ci/build.sh --fuzz >/dev/null || die "the libFuzzer build (ci/build.sh --fuzz) failed; run it by hand to see why"

# The targets CMake declared (iterconf_add_fuzzer), with their binaries.
[ -r build-fuzz/fuzz/targets ] || die "build-fuzz/fuzz/targets missing; the libFuzzer build is incomplete"
declare -A path=()
all=()
while read -r name bin; do
	all+=("$name")
	path[$name]=$bin
done <build-fuzz/fuzz/targets
[ ${#all[@]} -gt 0 ] || die "no fuzz targets in build-fuzz/fuzz/targets"
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
	targets=("${all[@]}")
fi
for t in "${targets[@]}"; do
	[ -n "${path[$t]:-}" ] || die "unknown target '$t'; the targets are: ${all[*]}"
	[ -x "${path[$t]}" ] || die "${path[$t]}: not built; run ci/build.sh --fuzz"
done

jobs=${ITERCONF_FUZZ_JOBS:-$(nproc)}
[[ $jobs =~ ^[1-9][0-9]*$ ]] || die "ITERCONF_FUZZ_JOBS must be a positive number (got '$jobs')"
share=$((seconds / ${#targets[@]}))
[ "$share" -ge 1 ] || share=1
out=out/fuzz
mkdir -p "$out"
export ITERCONF_FUZZ_OUT=$PWD/$out
echo "fuzz: ${#targets[@]} targets, ${share} s each (${seconds} s in all), $jobs worker(s) each, output in $out/"

rows=()
findings=0
for t in "${targets[@]}"; do
	dir=$out/$t
	rm -rf "$dir/artifacts" "$dir/log"
	mkdir -p "$dir/corpus" "$dir/artifacts"
	seeds=fuzz/corpus/$t
	[ -d "$seeds" ] || seeds=
	stamp=$(mktemp)
	start=$(date +%s)
	# New inputs go to the first directory (the work corpus); the seeds are read only.
	# Several workers: libFuzzer's -jobs/-workers, one process per worker for the
	# whole share, all on the one work corpus (each rereads what the others add).
	# Not -fork: its jobs last 1 s, 2 s, 3 s, ..., and each restart of a
	# kernel-bound target (kernel BTF, corpus replay, sanitizer start) cost more
	# than half of a short campaign (fuzz_protocol: 350 vs 780 exec/s measured
	# side by side with 2 workers).
	abs=$PWD
	rm -rf "$dir/workers"
	mkdir -p "$dir/workers"
	args=(-max_total_time="$share" -print_final_stats=1 -timeout=25
		-artifact_prefix="$abs/$dir/artifacts/" "$abs/$dir/corpus")
	[ -n "$seeds" ] && args+=("$abs/$seeds")
	if [ "$jobs" -gt 1 ]; then
		(cd "$dir/workers" && exec "${path[$t]}" -jobs="$jobs" -workers="$jobs" "${args[@]}") >"$dir/log" 2>&1
	else
		"${path[$t]}" "${args[@]}" >"$dir/log" 2>&1
	fi
	rc=$?
	took=$(($(date +%s) - start))
	if [ "$jobs" -gt 1 ]; then
		# Each worker's log (fuzz-N.log): its final statistics, or, for a
		# worker that stopped early, its last status line.
		execs=0
		cov=
		covn=0
		for wl in "$dir"/workers/fuzz-*.log; do
			[ -e "$wl" ] || continue
			n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$wl" | tail -n1)
			[ -n "$n" ] || n=$(grep -E '^#[0-9]+' "$wl" | tail -n1 | sed -E 's/^#([0-9]+).*/\1/')
			execs=$((execs + ${n:-0}))
			c=$(grep -Eo 'cov: [0-9]+ ft: [0-9]+' "$wl" | tail -n1)
			if [ -n "$c" ]; then
				cn=${c#cov: }
				cn=${cn%% *}
				if [ -z "$cov" ] || [ "$cn" -gt "$covn" ]; then
					cov=$c
					covn=$cn
				fi
			fi
			{ echo "==== $wl"; cat "$wl"; } >>"$dir/log"
		done
		rate=$((execs / (took > 0 ? took : 1)))
	else
		execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log" | tail -n1)
		rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$dir/log" | tail -n1)
		cov=$(grep -Eo 'cov: [0-9]+ ft: [0-9]+' "$dir/log" | tail -n1)
	fi
	ncorpus=$(find "$dir/corpus" -type f | wc -l)
	# Findings: libFuzzer's artifacts, and what the target saved itself
	# (findings/, reproducers) during this run.
	mapfile -t found < <(
		find "$dir/artifacts" -type f
		find "$dir" \( -path "$dir/corpus" -o -path "$dir/accepted" -o -path "$dir/artifacts" -o -path "$dir/workers" \) -prune \
			-o -type f ! -name log -newer "$stamp" -print
	)
	rm -f "$stamp"
	if [ "$rc" -ne 0 ] && [ ${#found[@]} -eq 0 ]; then
		found=("$dir/log (exit $rc)")
	fi
	findings=$((findings + ${#found[@]}))
	rows+=("$(printf '%-22s %5ss %10s %8s  %-22s %7s %3s' "$t" "$took" "${execs:-?}" "${rate:-?}" "${cov:-cov: ?}" "$ncorpus" "${#found[@]}")")
	for f in "${found[@]}"; do
		echo "fuzz: $t: finding: $f"
	done
done

echo
printf '%-22s %6s %10s %8s  %-22s %7s %3s\n' target time execs exec/s coverage corpus finds
for r in "${rows[@]}"; do
	echo "$r"
done

# ---- guest replays: execution happens in QEMU only ----
if [ "$kernel" != none ]; then
	ci/build.sh >/dev/null || die "the plain build (ci/build.sh) failed; run it by hand to see why"
	iterconf=build/runner/iterconf
	for t in "${targets[@]}"; do
		case $t in
		fuzz_protocol)
			acc=$out/fuzz_protocol/accepted
			n=$(find "$acc" -type f 2>/dev/null | wc -l)
			[ "$n" -gt 0 ] || continue
			echo
			echo "fuzz: replaying $n accepted fuzz_protocol programs with execution on $kernel"
			start=$(date +%s)
			"$iterconf" run --kernel "$kernel" --generated --inputs "$acc" --out "$out/replay-protocol" \
				>"$out/replay-protocol.log" 2>&1
			rc=$?
			tail -n 5 "$out/replay-protocol.log"
			echo "fuzz: fuzz_protocol guest replay: exit $rc in $(($(date +%s) - start)) s ($out/replay-protocol/)"
			[ "$rc" -eq 0 ] || findings=$((findings + 1))
			;;
		fuzz_iter_bounds)
			n=$(find "$out/fuzz_iter_bounds/corpus" fuzz/corpus/fuzz_iter_bounds -type f 2>/dev/null | wc -l)
			[ "$n" -gt 0 ] || continue
			echo
			echo "fuzz: replaying $n fuzz_iter_bounds layouts on $kernel"
			start=$(date +%s)
			"$iterconf" run --kernel "$kernel" --bounds-corpus fuzz/corpus/fuzz_iter_bounds \
				--bounds-corpus "$out/fuzz_iter_bounds/corpus" --out "$out/replay-bounds" \
				>"$out/replay-bounds.log" 2>&1
			rc=$?
			tail -n 5 "$out/replay-bounds.log"
			echo "fuzz: fuzz_iter_bounds guest replay: exit $rc in $(($(date +%s) - start)) s ($out/replay-bounds/)"
			[ "$rc" -eq 0 ] || findings=$((findings + 1))
			;;
		esac
	done
fi

echo
if [ "$findings" -gt 0 ]; then
	echo "fuzz: $findings finding(s); see above"
	exit 1
fi
echo "fuzz: no finding"
exit 0
