#!/usr/bin/env bash
# ctest host.<case>: judge one case object on the running kernel; every
# program must match its expectation.
#   host_test.sh ITERCONF OBJECT OUTDIR
# Exits 77 (skipped) only when bpf() is not permitted here, and then only if
# ITERCONF_REQUIRE does not name "host" (CI sets it so the core never skips).
set -u
iterconf=$1 obj=$2 out=$3
mkdir -p "$out"
"$iterconf" run --kernel host --cases "$obj" --out "$out" 2>"$out/stderr"
rc=$?
cat "$out/stderr" >&2
if [ "$rc" -eq 2 ] && grep -q "bpf() not permitted" "$out/stderr"; then
	case ",${ITERCONF_REQUIRE:-}," in
	*,host,*) echo "host tests are required (ITERCONF_REQUIRE=$ITERCONF_REQUIRE) but bpf() is not permitted" >&2; exit 1 ;;
	esac
	echo "SKIP: bpf() not permitted for this user (run as root or with CAP_BPF+CAP_PERFMON)"
	exit 77
fi
exit "$rc"
