#!/usr/bin/env bash
# Driver for runner/testdata/cli/*.test: each test is a bash script that runs
# iterconf through the helpers below and states what it must print and exit.
#   run_cli_test.sh TEST ITERCONF TESTDATA_OBJ_DIR OUTDIR
set -u
TEST=$1
ITERCONF=$2
OBJ=$3
OUT=$4
SRC=$(cd "$(dirname "$0")/.." && pwd) # runner/testdata
rm -rf "$OUT"
mkdir -p "$OUT"
RC=0

fail() {
	echo "FAIL ($(basename "$TEST")): $*" >&2
	echo "--- stdout:" >&2; cat "$OUT/stdout" >&2 2>/dev/null
	echo "--- stderr:" >&2; cat "$OUT/stderr" >&2 2>/dev/null
	exit 1
}

# iterconf ARGS...: run it, keep stdout/stderr in $OUT, exit code in $RC
iterconf() {
	"$ITERCONF" "$@" >"$OUT/stdout" 2>"$OUT/stderr"
	RC=$?
}

expect_rc() { [ "$RC" -eq "$1" ] || fail "exit code $RC, expected $1"; }
expect_stderr() { grep -Eq -- "$1" "$OUT/stderr" || fail "stderr does not match: $1"; }
expect_stdout() { grep -Eq -- "$1" "$OUT/stdout" || fail "stdout does not match: $1"; }
expect_no_stdout() { [ ! -s "$OUT/stdout" ] || fail "stdout should be empty"; }
# a harness error is exactly one line on stderr
expect_one_error_line() {
	[ "$(wc -l <"$OUT/stderr")" -eq 1 ] || fail "stderr should be one line"
	expect_stderr '^iterconf: error: '
}

# require_bpf: skip unless this user may load BPF programs
require_bpf() {
	"$ITERCONF" run --cases "$OBJ/good.bpf.o" -a '*/no_kfuncs' --out "$OUT/probe" >/dev/null 2>"$OUT/probe.err"
	if grep -q "bpf() not permitted" "$OUT/probe.err"; then
		case ",${ITERCONF_REQUIRE:-}," in
		*,host,*) echo "bpf() not permitted but ITERCONF_REQUIRE=$ITERCONF_REQUIRE" >&2; exit 1 ;;
		esac
		echo "SKIP: bpf() not permitted for this user"
		exit 77
	fi
}

# --- QEMU tests (runner/testdata/qemu/*.test) ---
# skip_or_fail REASON: skip (77) unless ITERCONF_REQUIRE names "qemu"
skip_or_fail() {
	case ",${ITERCONF_REQUIRE:-}," in
	*,qemu,*) echo "qemu tests are required (ITERCONF_REQUIRE=$ITERCONF_REQUIRE): $*" >&2; exit 1 ;;
	esac
	echo "SKIP: $*"
	exit 77
}
# require_kernel NAME: KPATH = the cached bzImage of a manifest kernel
# (fetched when missing); skips when QEMU or the kernel cannot be had
require_kernel() {
	command -v qemu-system-x86_64 >/dev/null || skip_or_fail "qemu-system-x86_64 not installed"
	KPATH=$("$ITERCONF" kernels path "$1" 2>"$OUT/fetch.err") || skip_or_fail "kernel $1 cannot be fetched: $(cat "$OUT/fetch.err")"
}
# records VERDICT [ID-GLOB]: how many records in $OUT/res have that verdict
records() {
	grep -c "\"program\":\"${2:-[^\"]*}\",.*\"verdict\":\"$1\"" "$OUT/res/results.jsonl" || true
}
total_records() { cat "$OUT/res/results.jsonl" 2>/dev/null | wc -l; }
# timed ARGS...: iterconf ARGS, and SECS = its wall time in seconds
timed() {
	local t0=$SECONDS
	iterconf "$@"
	SECS=$((SECONDS - t0))
}

# shellcheck source=/dev/null
. "$TEST"
echo "PASS $(basename "$TEST")"
