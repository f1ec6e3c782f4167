#!/usr/bin/env bash
# Regenerates images/kfuncs.txt and images/lsm_hooks.txt: the kfuncs and LSM
# hooks iterconf knows exist in some kernel (runner/load/known.hpp; compiled
# into iterconf and the guest agent). A called kfunc or lsm hook missing from
# a kernel's BTF is `unsupported` there only when listed; any other name is a
# case error (a typo), never a pass.
#
#   images/kfuncs.sh [--modules FILE]     (writes both lists; review the diff)
#
# Surveyed: the running kernel (/sys/kernel/btf/vmlinux) and every cached
# manifest kernel (`images/kernels.sh fetch` first), the vmlinux ELF taken
# out of each bzImage. A kfunc is a FUNC with the `bpf_kfunc` BTF decl tag
# (pahole >= 1.26); kernels built without the tags (Debian 6.1, 6.12.95-bpo)
# only date the names found tagged elsewhere. LSM hooks are the members of
# `struct lsm_static_calls_table` (6.9+) or `struct security_hook_heads`.
# `name module:<mod>` lines (kfuncs of test modules such as bpf_testmod,
# whose BTF no surveyed kernel carries) are kept from the current list;
# --modules FILE adds more.
# Needs bpftool, zstd, lz4, xz. Exit: 0 ok, 2 usage or tool error.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
modules=""
case "${1:-}" in
--modules) modules=${2:?--modules needs a file} ;;
"") ;;
*) echo "usage: images/kfuncs.sh [--modules FILE]" >&2; exit 2 ;;
esac
for t in bpftool zstd lz4 xz; do
	command -v "$t" >/dev/null || { echo "iterconf: error: images/kfuncs.sh: $t not installed; apt-get install bpftool zstd lz4 xz-utils" >&2; exit 2; }
done
cache=${ITERCONF_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/iterconf}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# vmlinux ELF out of a bzImage: the first compressed frame that unpacks to ELF.
extract_vmlinux() { # BZIMAGE OUT
	local magic cmd off
	for pair in "28b52ffd:zstd -dcq" "02214c18:lz4 -dcq" "fd377a585a00:xz -dcq"; do
		magic=${pair%%:*} cmd=${pair#*:}
		for off in $(od -An -v -tx1 -w1 "$1" | tr -d ' \n' | grep -ob "$magic" | cut -d: -f1); do
			[ $((off % 2)) -eq 0 ] || continue
			tail -c +$((off / 2 + 1)) "$1" | $cmd >"$2" 2>/dev/null || true
			[ "$(head -c 4 "$2" | od -An -tx1 | tr -d ' ')" = 7f454c46 ] && return 0
		done
	done
	return 1
}

# Survey: one "release sortkey" line per kernel in $work/kernels, and per
# kernel $work/<n>.funcs (all FUNC names), .kfuncs (tagged), .hooks.
n=0
survey() { # LABEL RELEASE BTF-SOURCE
	n=$((n + 1))
	bpftool btf dump file "$3" >"$work/dump" || { echo "iterconf: error: images/kfuncs.sh: $1: bpftool cannot read BTF from $3" >&2; exit 2; }
	awk -v F="$work/$n.funcs" -v K="$work/$n.kfuncs" -v H="$work/$n.hooks" '
		/^\[[0-9]+\] FUNC '\''/ { id = substr($1, 2, length($1) - 2); nm = $3; gsub("'\''", "", nm); name[id] = nm; print nm > F }
		/DECL_TAG '\''bpf_kfunc'\''/ { for (i = 1; i <= NF; i++) if ($i ~ /^type_id=/) { split($i, a, "="); tag[a[2]] = 1 } }
		/^\[[0-9]+\] STRUCT '\''(lsm_static_calls_table|security_hook_heads)'\''/ { inh = 1; next }
		/^\[/ { inh = 0 }
		inh && /^\t'\''/ { h = $1; gsub("'\''", "", h); print h > H }
		END { for (t in tag) if (t in name) print name[t] > K }' "$work/dump"
	touch "$work/$n.kfuncs" "$work/$n.hooks"
	sort -u -o "$work/$n.funcs" "$work/$n.funcs"
	sort -u -o "$work/$n.kfuncs" "$work/$n.kfuncs"
	sort -u -o "$work/$n.hooks" "$work/$n.hooks"
	# 6.12.117-1 -> 6.12, 7.3~rc7 -> 7.3
	local ver
	ver=$(echo "$2" | sed -E 's/^([0-9]+\.[0-9]+).*/\1/')
	echo "$n $ver $1" >>"$work/kernels"
	echo "images/kfuncs.sh: $1 ($2): $(wc -l <"$work/$n.kfuncs") tagged kfuncs, $(wc -l <"$work/$n.hooks") lsm hooks" >&2
}

[ -r /sys/kernel/btf/vmlinux ] && survey host "$(uname -r)" /sys/kernel/btf/vmlinux
for d in "$cache"/kernels/*/current; do
	[ -f "$d/bzImage" ] || continue
	rel=$(sed -n 's/^release=//p' "$d/meta")
	extract_vmlinux "$d/bzImage" "$work/vmlinux" || { echo "images/kfuncs.sh: $d/bzImage: no vmlinux found, skipped" >&2; continue; }
	survey "$(basename "$(dirname "$d")")" "$rel" "$work/vmlinux"
done
[ "$n" -gt 0 ] || { echo "iterconf: error: images/kfuncs.sh: no kernel BTF to survey; fetch kernels with images/kernels.sh fetch" >&2; exit 2; }

# Versions surveyed, oldest first (several kernels may share one).
sort -k2,2V "$work/kernels" >"$work/kernels.sorted"

# For each name in the union of $1 lists (kfuncs or hooks): the oldest and
# newest surveyed versions whose BTF has it (FUNC bpf_lsm_<hook> or the hook
# member for hooks, any FUNC of that name for kfuncs). "first": "<=X" when
# the oldest surveyed version X has it, else "A-B" where A is the surveyed
# version below B (it appeared in between); "last" only when the newest
# surveyed version lacks it.
dates() { # KIND(kfuncs|hooks)
	local kind=$1 names
	names=$(cat "$work"/*."$kind" | sort -u)
	local vers=() ids=() line
	while read -r line; do
		set -- $line
		ids+=("$1") vers+=("$2")
	done <"$work/kernels.sorted"
	local newest=${vers[${#vers[@]} - 1]}
	for name in $names; do
		local first="" older="" last="" i has
		for i in "${!ids[@]}"; do
			if [ "$kind" = kfuncs ]; then
				grep -qxF "$name" "$work/${ids[$i]}.funcs" && has=1 || has=0
			else
				grep -qxF "$name" "$work/${ids[$i]}.hooks" && has=1 || has=0
			fi
			# older: the newest surveyed version below this one
			if [ "$i" -gt 0 ] && [ "${vers[$i - 1]}" != "${vers[$i]}" ]; then older=${vers[$i - 1]}; fi
			if [ "$has" = 1 ]; then
				[ -n "$first" ] || first=${older:+$older-}${vers[$i]}
				[ -n "$older" ] || first="<=${vers[$i]}"
				last=${vers[$i]}
			fi
		done
		[ "$last" = "$newest" ] && last=""
		printf '%s %s%s\n' "$name" "$first" "${last:+ $last}"
	done
}

surveyed=$(awk '{print $3 "=" $2}' "$work/kernels.sorted" | tr '\n' ' ')
{
	cat <<EOF
# Kfuncs known to exist in some kernel (runner/load/known.hpp): a called kfunc
# missing from a kernel's BTF makes the program \`unsupported\` only when it is
# listed here (or is in the running kernel's BTF); any other name is an error
# naming the closest known one. Columns: name first [last]
#   first  "<=X": the oldest surveyed kernel X has it; "A-B": first seen in B,
#          absent from A (it appeared in between); "module:M": kernel module M
#   last   the newest surveyed kernel that has it, when the newest lacks it
# Facts about each kernel's vmlinux BTF: a kfunc built as a module there
# (Debian: tcp_bbr, nf_conntrack) looks absent from that kernel.
# Generated by images/kfuncs.sh from the BTF of: $surveyed
# Regenerate after images/kernels.sh fetch; review the diff before committing.
EOF
	dates kfuncs
	# module kfuncs (kept from the current list, plus --modules FILE) unless
	# a surveyed kernel has the name itself
	cat "$here/kfuncs.txt" ${modules:+"$modules"} 2>/dev/null | grep -E '^[A-Za-z_][A-Za-z0-9_]* module:' || true
} | awk '/^#/ { print; next } $2 ~ /^module:/ && ($1 in seen) { next } { seen[$1] = 1; print | "sort -u" }' >"$here/kfuncs.txt.new"
{
	cat <<EOF
# LSM hooks known to exist in some kernel (runner/load/known.hpp): an lsm
# program whose hook (bpf_lsm_<hook>) is missing from a kernel's BTF is
# \`unsupported\` only when the hook is listed here; a misspelled hook stays a
# load_error. Columns as in images/kfuncs.txt.
# Generated by images/kfuncs.sh from the BTF of: $surveyed
EOF
	dates hooks
} | awk '/^#/ { print; next } { print | "sort -u" }' >"$here/lsm_hooks.txt.new"
mv "$here/kfuncs.txt.new" "$here/kfuncs.txt"
mv "$here/lsm_hooks.txt.new" "$here/lsm_hooks.txt"
echo "images/kfuncs.sh: $(grep -vc '^#' "$here/kfuncs.txt") kfuncs, $(grep -vc '^#' "$here/lsm_hooks.txt") lsm hooks" >&2
