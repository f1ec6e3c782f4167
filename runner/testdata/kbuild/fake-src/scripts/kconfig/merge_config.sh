#!/bin/sh
# Fake merge_config.sh -m -O DIR BASE FRAGMENT...: later lines override
# earlier ones for the same CONFIG_ symbol; the result is $KCONFIG_CONFIG, else DIR/.config.
[ "$1" = -m ] && [ "$2" = -O ] || { echo "fake merge_config.sh: expected -m -O DIR" >&2; exit 2; }
dir=$3
shift 3
awk '{ key = $0
	if (match($0, /^CONFIG_[A-Za-z0-9_]+=/)) key = substr($0, 1, RLENGTH - 1)
	else if (match($0, /^# CONFIG_[A-Za-z0-9_]+ is not set/)) key = $2
	else next
	if (!(key in val)) order[n++] = key
	val[key] = $0 }
	END { for (i = 0; i < n; i++) print val[order[i]] }' "$@" >"$dir/.config.merged"
mv "$dir/.config.merged" "${KCONFIG_CONFIG:-$dir/.config}"
