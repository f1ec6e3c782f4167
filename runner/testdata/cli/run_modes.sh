# Sourced by run_mode_*.test: the situations in which every workload of
# `iterconf run` must give the same exit code (runner/cli/session.hpp):
# bad common options (2), an unbootable kernel alone (2) or beside the host
# (2, the host still judged), a clean run (0, with --json, --format junit
# and -v), a mismatch (1) and an interrupted run (2, the records so far
# kept). MODE holds the workload's arguments; it must have 3 items or more,
# all matching on the host.

# records_in DIR: the number of records in DIR/results.jsonl
records_in() { cat "$1/results.jsonl" 2>/dev/null | wc -l; }

check_run_modes() {
	# Common options are validated the same way in every workload.
	for bad in "--jobs 0" "--jobs x" "--timeout -1" "--boot-timeout abc" "--accel qemu" "--format xml"; do
		# shellcheck disable=SC2086
		iterconf run "${MODE[@]}" $bad --out "$OUT/usage"
		expect_rc 2
		expect_one_error_line
		expect_stderr "^iterconf: error: ${bad%% *} takes .*, not '${bad#* }'; see 'iterconf run --help'$"
	done
	[ ! -e "$OUT/usage" ] || fail "a usage error wrote output"

	# A file that is no kernel: one line naming it, exit 2, nothing written.
	printf 'not a kernel\n' >"$OUT/garbage-bzImage"
	iterconf run "${MODE[@]}" --kernel "$OUT/garbage-bzImage" --out "$OUT/bad"
	expect_rc 2
	expect_one_error_line
	expect_stderr "^iterconf: error: kernel '.*garbage-bzImage': not an x86 bzImage"
	[ ! -e "$OUT/bad/results.jsonl" ] || fail "output written for a run that judged nothing"

	require_bpf
	# A clean run: exit 0; with --json, stdout holds the records and nothing else.
	iterconf run "${MODE[@]}" --json --jobs 1 --timeout 60 --out "$OUT/ok"
	expect_rc 0
	n=$(records_in "$OUT/ok")
	[ "$n" -ge 3 ] || fail "only $n records"
	[ "$(wc -l <"$OUT/stdout")" -eq "$n" ] || fail "--json: stdout is not one line per record"
	! grep -qv '^{"case":' "$OUT/stdout" || fail "--json: stdout holds more than records"
	iterconf run "${MODE[@]}" --format junit --out "$OUT/junit"
	expect_rc 0
	expect_stdout '^<\?xml '
	[ -s "$OUT/junit/junit.xml" ] || fail "no junit.xml"
	iterconf run "${MODE[@]}" -v --out "$OUT/verbose"
	expect_rc 0
	[ "$(grep -c '^iterconf: host: ' "$OUT/stderr")" -eq "$n" ] || fail "-v: not one line per record"
	expect_stdout '^total wall time: '

	# The unbootable kernel beside the host: the host is judged, exit 2.
	iterconf run "${MODE[@]}" --kernel "$OUT/garbage-bzImage" --kernel host --out "$OUT/bad2"
	expect_rc 2
	expect_stderr "kernel '.*garbage-bzImage': not an x86 bzImage"
	expect_stdout '^garbage-bzImage: not judged: '
	[ "$(records_in "$OUT/bad2")" -eq "$n" ] || fail "the host was not judged beside the bad kernel"

	# A mismatch: a kernel WARN logged during the first item (fault
	# injection, runner/load/kmsg.hpp) makes it `crash`: exit 1.
	ITERCONF_KMSG_INJECT="0:$SRC/kmsg/warn_other_subsystem.txt" \
		iterconf run "${MODE[@]}" --out "$OUT/mismatch"
	expect_rc 1
	[ "$(grep -c '"verdict":"crash"' "$OUT/mismatch/results.jsonl")" -eq 1 ] || fail "expected 1 crash record"
	[ "$(records_in "$OUT/mismatch")" -eq "$n" ] || fail "the other items were not judged"

	# Interrupted (SIGINT after 2 records, fault injection in the session):
	# exit 2, the records so far kept.
	ITERCONF_INTERRUPT_AFTER=2 iterconf run "${MODE[@]}" --out "$OUT/int"
	expect_rc 2
	expect_stderr "^iterconf: error: run: interrupted; the records judged so far are in $OUT/int/results.jsonl$"
	[ "$(records_in "$OUT/int")" -eq 2 ] || fail "$(records_in "$OUT/int") records after the interrupt, expected 2"
}
