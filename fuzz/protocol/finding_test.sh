#!/usr/bin/env bash
# ctest fuzz.fuzz_protocol.finding: the finding path end to end on the
# running kernel, by fault injection (ITERCONF_FUZZ_INJECT=missing_destroy
# makes the model's leak predictions count as disagreements). The target
# must abort, leave the input, a minimized input and a case file; the case
# (the kernel's behaviour as annotations) must compile and pass `iterconf
# run --cases` on this kernel, and be minimal: one new() and nothing else.
#   finding_test.sh FUZZ_PROTOCOL ITERCONF INPUT OUTDIR
set -u
bin=$1 iterconf=$2 input=$3 out=$4
rm -rf "$out"
mkdir -p "$out"
ITERCONF_FUZZ_OUT="$out" ITERCONF_FUZZ_INJECT=missing_destroy "$bin" "$input" >"$out/stdout" 2>"$out/stderr"
rc=$?
if grep -q '^SKIP: ' "$out/stdout"; then
	cat "$out/stdout"
	exit 77
fi
fail() {
	echo "FAIL: $*" >&2
	cat "$out/stderr" >&2
	exit 1
}
[ "$rc" -ne 0 ] || fail "the target did not abort on the injected finding"
grep -q '^fuzz_protocol: FINDING on ' "$out/stderr" || fail "no FINDING line"
dir=$out/fuzz_protocol/findings
ls "$dir"/*.input >/dev/null 2>&1 || fail "input not saved"
ls "$dir"/*.min >/dev/null 2>&1 || fail "minimized input not saved"
case=$(ls "$dir"/*.bpf.c 2>/dev/null | head -1)
[ -n "$case" ] || fail "no case file"
grep -q '^ \* Program: task=current_btf kinds=vma | new0$' "$case" || fail "not minimized to new0: $(grep Program: "$case")"
grep -q '^__failure$' "$case" || fail "the case does not carry the kernel's reject"
"$iterconf" run --cases "$case" --out "$out/run" >"$out/run.stdout" 2>"$out/run.stderr" ||
	fail "the case does not pass on this kernel: $(cat "$out/run.stdout" "$out/run.stderr")"
"$iterconf" check-cases "$case" >"$out/check.stdout" 2>&1 || fail "check-cases: $(cat "$out/check.stdout")"
echo "PASS: $(grep -m1 'FINDING' "$out/stderr")"
