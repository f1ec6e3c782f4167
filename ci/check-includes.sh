#!/usr/bin/env bash
# The dependency direction of runner/, read from the #include lines of its
# sources (ctest lint.includes):
#
#   common <- record, expect, gen, model <- load, oracle <- judge <- qemu, agent <- cli
#
# A part is a directory under runner/. Its files may include their own
# part's headers and those of the parts listed for it in ALLOWED below, and
# nothing else of ours: not fuzz/ (nor libFuzzer's <fuzzer/...>), not a part
# that is not listed. cli and agent never include each other. fuzz/ may
# include anything in runner/ and is not read.
#
# The build is read the same way: a CMakeLists.txt under fuzz/ may link
# runner/'s libraries but not change runner/'s own targets.
#
# Usage: ci/check-includes.sh [ROOT]
#        ci/check-includes.sh --expect FILE ROOT
# ROOT holds runner/ and fuzz/ (default: this repository). Prints one line
# per forbidden edge and exits 1, or exits 0. With --expect, the check must
# fail with exactly the lines of FILE (the fixture under
# runner/testdata/includes/ shows every kind of failure; lint.includes_fixture).
set -euo pipefail

# The allowed edges, written once: a part, then the parts it may include.
ALLOWED='
common
record  common
diff    common record
report  common record diff mutate
expect  common
config  common
mutate  common
gen     common
model   common gen
load    common record expect gen
oracle  common record
judge   common record expect gen model load
qemu    common record
agent   common record expect gen model load oracle judge qemu
cli     common record expect gen model load oracle judge qemu config diff mutate report
'
# Headers the build generates, included without a directory.
GENERATED='bpf_flags.hpp deny_re.inc'
# Directories under runner/ that are data, not a part.
NOT_PARTS='testdata'

expect=
if [ "${1:-}" = --expect ]; then
	expect=$2
	shift 2
fi
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}

if [ -n "$expect" ]; then
	rc=0
	out=$("$0" "$root") || rc=$?
	if [ "$rc" -ne 1 ]; then
		echo "check-includes: expected exit 1 on $root, got $rc" >&2
		exit 1
	fi
	if ! diff -u "$expect" <(printf '%s\n' "$out"); then
		echo "check-includes: $root did not fail as $expect says" >&2
		exit 1
	fi
	echo "check-includes: $root fails as expected ($(wc -l <"$expect") lines)"
	exit 0
fi

declare -A may
while read -r part deps; do
	[ -n "$part" ] || continue
	may[$part]=" $part $deps "
done <<<"$ALLOWED"

include_re='^[[:space:]]*#[[:space:]]*include[[:space:]]*([<"][^>"]+[>"])'
bad=0
cd "$root"
mapfile -t files < <(find runner -path runner/testdata -prune -o -type f \
	\( -name '*.cpp' -o -name '*.hpp' -o -name '*.c' -o -name '*.h' \) -print | LC_ALL=C sort)
# The part of a file: its first directory under runner/ ("" for none, or data).
part_of() {
	local rel=${1#runner/}
	part=${rel%%/*}
	[ "$part" != "$rel" ] || part=
	case " $NOT_PARTS " in *" $part "*) part= ;; esac
}
declare -A seen
for file in "${files[@]}"; do
	part_of "$file"
	if [ -n "$part" ] && [ -z "${may[$part]:-}" ] && [ -z "${seen[$part]:-}" ]; then
		echo "runner/$part/: not a part of the dependency table; add it to ALLOWED in ci/check-includes.sh"
		seen[$part]=1
		bad=$((bad + 1))
	fi
done
[ "${#files[@]}" -gt 0 ] || exit 0
while IFS=: read -r file line text; do
	part_of "$file"
	[ -n "$part" ] && [ -n "${may[$part]:-}" ] || continue
	[[ $text =~ $include_re ]] || continue
	inc=${BASH_REMATCH[1]}
	delim=${inc:0:1}
	path=${inc:1:${#inc}-2}
	why=
	if [[ $path == fuzzer/* ]]; then
		why="libFuzzer's header in runner/"
	elif [[ $path == */* ]]; then
		first=${path%%/*}
		if [ -n "${may[$first]:-}" ]; then
			case "${may[$part]}" in
			*" $first "*) ;;
			*) why="$part -> $first is not an allowed edge" ;;
			esac
		elif [ "$delim" = '"' ]; then
			why="not a runner/ part (fuzz/ or another tree)"
		fi
	elif [ "$delim" = '"' ]; then
		case " $GENERATED " in
		*" $path "*) ;;
		*) [ -f "${file%/*}/$path" ] || why="neither beside the file nor generated" ;;
		esac
	fi
	if [ -n "$why" ]; then
		echo "$file:$line: includes $inc: $why"
		bad=$((bad + 1))
	fi
done < <(grep -nHE "$include_re" "${files[@]}" || true)

# The same direction in the build: fuzz/ links runner/'s libraries but never
# changes runner/'s own targets (their sources, include paths, libraries,
# definitions, dependencies, source properties).
if [ -f runner/CMakeLists.txt ] && [ -d fuzz ]; then
	targets=$(grep -oE '^[[:space:]]*add_(library|executable)\([A-Za-z0-9_-]+' runner/CMakeLists.txt |
		sed 's/.*(//' | paste -sd'|' -)
	if [ -n "$targets" ]; then
		cmake_re="(^[[:space:]]*(target_[a-z_]+|add_dependencies)\\(|TARGET_DIRECTORY[[:space:]]+)($targets)([[:space:])]|$)"
		while IFS=: read -r file line text; do
			[[ $text =~ $cmake_re ]] || continue
			echo "$file:$line: fuzz/ changes runner/'s target ${BASH_REMATCH[3]}"
			bad=$((bad + 1))
		done < <(find fuzz -name CMakeLists.txt | LC_ALL=C sort | xargs -r grep -nHE "$cmake_re" || true)
	fi
fi

if [ "$bad" -ne 0 ]; then
	echo "$bad forbidden edges; the allowed ones are ALLOWED in ci/check-includes.sh"
	exit 1
fi
