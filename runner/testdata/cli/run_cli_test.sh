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

# shellcheck source=/dev/null
. "$TEST"
echo "PASS $(basename "$TEST")"
