#!/usr/bin/env bash
# ctest fuzz.<target>: replay every checked-in input of fuzz/corpus/<target>/.
#   replay_test.sh BINARY CORPUS_DIR LIBFUZZER(0|1)
# A corpus with no inputs is an error (the test would check nothing). The
# target itself exits 77 to skip (e.g. bpf() not permitted), with the reason.
set -u
bin=$1 corpus=$2 libfuzzer=$3
if [ ! -d "$corpus" ] || [ -z "$(find "$corpus" -type f -print -quit)" ]; then
	echo "iterconf: error: $corpus: no checked-in inputs; add seeds under fuzz/corpus/$(basename "$bin")/" >&2
	exit 2
fi
mapfile -t files < <(find "$corpus" -type f | LC_ALL=C sort)
if [ "$libfuzzer" = 1 ]; then
	# libFuzzer runs the files it is given once each, then exits.
	exec "$bin" -runs=1 "${files[@]}"
fi
exec "$bin" "${files[@]}"
