#!/usr/bin/env bash
# The steps of the GitHub Actions workflow (.github/workflows/iterconf.yml,
# written by ci/workflow.sh): every `run:` line of the workflow is one of
# these, so what CI does can be run, and read, here.
#
#   ci/gh.sh [--dry-run] build               install deps, build, ci/workflow.sh --check,
#                                            pack the build into iterconf-build.tar
#   ci/gh.sh [--dry-run] fetch               fetch the manifest kernels into the cache
#   ci/gh.sh [--dry-run] setup               install deps, unpack iterconf-build.tar
#   ci/gh.sh [--dry-run] shard K I N OUT     iterconf run --kernel K --shard I/N --out OUT
#   ci/gh.sh [--dry-run] base                find the last successful run of the default
#                                            branch with a merged artifact (run_id=... to
#                                            $GITHUB_OUTPUT; nothing when there is none)
#   ci/gh.sh [--dry-run] merge OUT SHARD_DIR...   iterconf merge, iterconf report, and a
#                                            markdown summary (with iterconf diff against
#                                            base/ when present) to $GITHUB_STEP_SUMMARY
#
# --dry-run prints every command the step would run, one per line prefixed
# "+ ", runs nothing, and checks that each command exists (scripts are
# executable, each iterconf subcommand answers --help with exit 0 and lists
# the options used). A missing one is one line
#   iterconf: error: ci/gh.sh STEP: <command> is missing; <hint>
# on stderr, and the dry run exits 2 after checking the rest.
#
# Exit: the step's own command's (shard: iterconf run's; merge: iterconf
# merge's, raised to 2 when the report or the diff cannot be made), 2 for
# usage errors.
set -euo pipefail
cd "$(dirname "$0")/.."

ITERCONF=${ITERCONF:-build/runner/iterconf}
TARBALL=iterconf-build.tar
# What a job needs of a build, at the same absolute paths: the binary finds
# the agent, the compiled corpus and the BPF headers (for C cases compiled at
# run time) where the build put them, and every job of a workflow has the
# same workspace path.
PACKED=(build/runner/iterconf build/runner/iterconf-agent build/cases build/bpf-include)
LOCK=images/kernels.lock
BASE_ARTIFACT=iterconf-merged

dry=0
if [ "${1:-}" = --dry-run ]; then
	dry=1
	shift
fi
step=${1:-}
[ $# -gt 0 ] && shift

die() {
	echo "iterconf: error: ci/gh.sh${step:+ $step}: $1" >&2
	exit 2
}

missing=0
# need_script PATH: an executable script of ours
need_script() {
	[ -x "$1" ] || {
		echo "iterconf: error: ci/gh.sh $step: $1 is missing; it should be an executable in this checkout" >&2
		missing=$((missing + 1))
	}
}
# need_iterconf SUB [OPTION...]: 'iterconf SUB --help' exits 0 and names each OPTION
need_iterconf() {
	local sub=$1 help rc=0 opt
	shift
	help=$("$ITERCONF" "$sub" --help 2>&1) || rc=$?
	if [ "$rc" -ne 0 ]; then
		echo "iterconf: error: ci/gh.sh $step: iterconf $sub is missing ('$ITERCONF $sub --help' exits $rc); build a version with the '$sub' subcommand" >&2
		missing=$((missing + 1))
		return
	fi
	for opt in "$@"; do
		grep -q -- "$opt" <<<"$help" || {
			echo "iterconf: error: ci/gh.sh $step: iterconf $sub $opt is missing (not in '$ITERCONF $sub --help'); build a version with that option" >&2
			missing=$((missing + 1))
		}
	done
}
need_tool() {
	command -v "$1" >/dev/null || {
		echo "iterconf: error: ci/gh.sh $step: $1 is missing; run ci/install-deps.sh" >&2
		missing=$((missing + 1))
	}
}

# x CMD...: print it (dry run) or run it
x() {
	if [ $dry -eq 1 ]; then
		printf '+'
		printf ' %q' "$@"
		printf '\n'
	else
		"$@"
	fi
}

# The --pin option when a lock file is committed.
pin=()
if [ -f "$LOCK" ]; then
	pin=(--pin "$LOCK")
fi

case "$step" in
build)
	[ $# -eq 0 ] || die "no arguments expected; usage: ci/gh.sh build"
	if [ $dry -eq 1 ]; then
		need_script ci/install-deps.sh
		need_script ci/build.sh
		need_script ci/workflow.sh
		need_tool tar
	fi
	x ci/install-deps.sh
	x ci/build.sh
	# The workflow running is the one the manifest makes.
	x ci/workflow.sh --check
	x tar -cf "$TARBALL" "${PACKED[@]}"
	;;
fetch)
	[ $# -eq 0 ] || die "no arguments expected; usage: ci/gh.sh fetch"
	if [ $dry -eq 1 ]; then
		need_iterconf kernels
		[ ${#pin[@]} -eq 0 ] || need_iterconf kernels --pin
		x "$ITERCONF" kernels fetch "${pin[@]}"
	else
		# A kernel that cannot be fetched fails its own shards (which try
		# again), not the build.
		"$ITERCONF" kernels fetch "${pin[@]}" ||
			echo "::warning::iterconf kernels fetch exited $?; the shards of the kernels it could not fetch will try again"
	fi
	;;
setup)
	[ $# -eq 0 ] || die "no arguments expected; usage: ci/gh.sh setup"
	if [ $dry -eq 1 ]; then
		need_script ci/install-deps.sh
		need_tool tar
	fi
	x ci/install-deps.sh
	x tar -xf "$TARBALL"
	;;
shard)
	[ $# -eq 4 ] || die "4 arguments expected; usage: ci/gh.sh shard KERNEL I N OUT"
	kernel=$1 i=$2 n=$3 out=$4
	[[ $i =~ ^[1-9][0-9]*$ && $n =~ ^[1-9][0-9]*$ ]] && [ "$i" -le "$n" ] ||
		die "shard $i/$n: I and N must be whole numbers, 1 <= I <= N; usage: ci/gh.sh shard KERNEL I N OUT"
	if [ $dry -eq 1 ]; then
		need_iterconf run --shard --accel "${pin[@]:0:1}"
	fi
	x "$ITERCONF" run --kernel "$kernel" --shard "$i/$n" --accel auto --out "$out" "${pin[@]}"
	;;
base)
	[ $# -eq 0 ] || die "no arguments expected; usage: ci/gh.sh base"
	# The GitHub API through python3's standard library (python3 comes with
	# python3-yaml, ci/install-deps.sh).
	if [ $dry -eq 1 ]; then
		need_tool python3
		x python3 - "${GITHUB_REPOSITORY:-OWNER/REPO}" "${DEFAULT_BRANCH:-main}" "${GITHUB_RUN_ID:-0}" "$BASE_ARTIFACT"
		exit $((missing ? 2 : 0))
	fi
	[ -n "${GITHUB_REPOSITORY:-}" ] && [ -n "${GITHUB_TOKEN:-}" ] ||
		die "GITHUB_REPOSITORY and GITHUB_TOKEN are not set; run it in a workflow (or set them)"
	python3 - "$GITHUB_REPOSITORY" "${DEFAULT_BRANCH:-main}" "${GITHUB_RUN_ID:-0}" "$BASE_ARTIFACT" <<'PY'
import json, os, sys, urllib.request
repo, branch, this_run, artifact = sys.argv[1:5]
api = os.environ.get("GITHUB_API_URL", "https://api.github.com")
def get(path):
    req = urllib.request.Request(api + path, headers={
        "Authorization": "Bearer " + os.environ["GITHUB_TOKEN"],
        "Accept": "application/vnd.github+json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.load(r)
try:
    runs = get(f"/repos/{repo}/actions/workflows/iterconf.yml/runs"
               f"?branch={branch}&event=push&status=success&per_page=10")["workflow_runs"]
    found = ""
    for run in runs:
        if str(run["id"]) == this_run:
            continue
        arts = get(f"/repos/{repo}/actions/runs/{run['id']}/artifacts?name={artifact}")["artifacts"]
        if any(not a["expired"] for a in arts):
            found = str(run["id"])
            break
except Exception as e:  # no base is not an error: the summary says so
    print(f"ci/gh.sh base: no base run ({e})")
    found = ""
print(f"base run: {found or 'none'}")
out = os.environ.get("GITHUB_OUTPUT")
if out:
    with open(out, "a") as f:
        f.write(f"run_id={found}\n")
PY
	;;
merge)
	[ $# -ge 2 ] || die "an out dir and at least one shard dir expected; usage: ci/gh.sh merge OUT SHARD_DIR..."
	out=$1
	shift
	summary=${GITHUB_STEP_SUMMARY:-/dev/stdout}
	base=()
	[ ! -f base/results.jsonl ] || base=(base)
	if [ $dry -eq 1 ]; then
		need_iterconf merge --out
		need_iterconf report --diff
		need_iterconf diff --format
		x "$ITERCONF" merge --out "$out" "$@"
		x "$ITERCONF" report "$out" -o "$out/report.html" ${base:+--diff base}
		if [ ${#base[@]} -gt 0 ]; then
			x "$ITERCONF" diff --format markdown base "$out"
		else
			echo "# no base/results.jsonl: no diff"
		fi
		echo "# the merge's summary (and the diff) as markdown >> ${GITHUB_STEP_SUMMARY:-stdout}"
		exit $((missing ? 2 : 0))
	fi
	rc=0
	printed=$(mktemp)
	trap 'rm -f "$printed"' EXIT
	"$ITERCONF" merge --out "$out" "$@" >"$printed" 2>&1 || rc=$?
	# Kernels expected (ITERCONF_EXPECT_KERNELS, from the workflow's matrix)
	# that no shard output names: their jobs failed before writing one.
	for k in ${ITERCONF_EXPECT_KERNELS:-}; do
		found=0
		for d in "$@"; do
			if [ -f "$d/run.json" ] && jq -e --arg k "$k" 'any(.kernels[]?; .label == $k)' "$d/run.json" >/dev/null 2>&1; then
				found=1
				break
			fi
		done
		if [ $found -eq 0 ]; then
			echo "iterconf: error: kernel $k: no shard output (its shard jobs failed before writing one); see their logs" >>"$printed"
			rc=$((rc > 2 ? rc : 2))
		fi
	done
	cat "$printed"
	{
		echo "## iterconf merge: exit $rc"
		echo
		echo '```'
		cat "$printed"
		echo '```'
	} >>"$summary"
	if [ -f "$out/results.jsonl" ]; then
		rrc=0
		"$ITERCONF" report "$out" -o "$out/report.html" ${base:+--diff base} || rrc=$?
		[ $rrc -eq 0 ] || { echo "::error::iterconf report exited $rrc"; rc=$((rc > 2 ? rc : 2)); }
		echo "The HTML report is report.html in the artifact $BASE_ARTIFACT." >>"$summary"
	fi
	echo >>"$summary"
	if [ ${#base[@]} -eq 0 ]; then
		echo "No base run (no successful push run of the default branch with an $BASE_ARTIFACT artifact): no diff." >>"$summary"
	elif [ -f "$out/results.jsonl" ]; then
		echo "### Against the last successful run of the default branch" >>"$summary"
		drc=0
		"$ITERCONF" diff --format markdown base "$out" >>"$summary" || drc=$?
		# 1 is a regression against the base: the merge's own exit already
		# counts its mismatches; 2 is a harness error.
		[ $drc -lt 2 ] || { echo "::error::iterconf diff exited $drc"; rc=2; }
	fi
	exit $rc
	;;
'' | -h | --help)
	sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
	[ -n "$step" ] || exit 2
	exit 0
	;;
*)
	die "unknown step '$step'; see ci/gh.sh --help"
	;;
esac
if [ $dry -eq 1 ] && [ $missing -gt 0 ]; then
	exit 2
fi
