#!/usr/bin/env bash
# The detection-power run (README: "Mutation testing"): kernels built from
# Debian's source and the mutant campaigns. Hours on 2 cores, so not part of
# .ci/run, which keeps only the fast fragment check (ctest label kbuild).
#   1. ctest -L kernel: a real build of debian-src:7.2 with the fragment and
#      the hand corpus on it; two mutants (one killed, one equivalent by
#      identical object code);
#   2. the campaign over images/mutants.toml on the newest Debian source and
#      over images/mutants-6.12.toml on linux-source-6.12.
# Arguments go to every `iterconf mutate` (e.g. --only ID,... or --stages).
# ITERCONF_MUTANTS_OUT: report directory (default out/mutants).
set -euo pipefail
cd "$(dirname "$0")/.."

ci/install-deps.sh
ci/build.sh
(cd build && ctest --output-on-failure -L '^kernel$')

out=${ITERCONF_MUTANTS_OUT:-out/mutants}
status=0
build/runner/iterconf mutate --source debian-src:7.2 --out "$out/7.2" "$@" || status=$?
build/runner/iterconf mutate --source debian-src:6.12 --catalogue images/mutants-6.12.toml \
	--out "$out/6.12" "$@" || status=$?
echo "ci/mutants.sh: reports in $out/7.2/mutants.md and $out/6.12/mutants.md"
exit $status
