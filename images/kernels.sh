#!/usr/bin/env bash
# Fetches Debian kernels into the cache (DESIGN.md, contract 3): resolves each
# kernel it is given to the newest matching package, downloads it with a
# private apt configuration under the cache directory, checks it and publishes
# bzImage + config + a provenance record (package version, sha256). The
# machine's own apt sources, lists and dpkg status are only ever read.
# The manifest (images/kernels.toml) is read by iterconf, which runs this
# script (built into the binary) from `iterconf kernels fetch/path` and
# `iterconf run --kernel NAME` with each kernel's fields as arguments.
# Run with --help for the commands; images/README.md has the cache layout.
# Exit: 0 ok, 1 a kernel or package could not be fetched, 2 usage error.
set -euo pipefail

manifest=images/kernels.toml # for messages; iterconf passes --manifest
cache_dir=${ITERCONF_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/iterconf}
kernels_dir=$cache_dir/kernels
apt_dir=$cache_dir/apt
apt_conf=$apt_dir/apt.conf
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
# Lists updated this recently (by a concurrent invocation) are not updated again.
update_max_age=60
# Suites the private apt also reads for build tools (`unpack`), whatever the
# manifest names: bookworm-backports has libbpf-dev 1.4 for bookworm.
toolchain_suites="bookworm-backports"
packages_dir=$cache_dir/packages

usage() {
	cat <<EOF
usage: images/kernels.sh fetch [--manifest FILE] [--apt-suites 'SUITE...']
                             [--pin NAME=PACKAGE=VERSION=SHA256]... KERNEL...
       images/kernels.sh unpack PACKAGE

Use 'iterconf kernels fetch [NAME...]': it reads the manifest and runs this.

commands:
  fetch KERNEL...    update the private apt lists, resolve each kernel to the
                     newest matching package and download it unless that exact
                     version is cached; prints NAME<TAB>BZIMAGE per kernel.
                     KERNEL is NAME:PACKAGE:SERIES:SUITES, the fields of a
                     manifest entry (SERIES may be empty, SUITES space
                     separated); --apt-suites names every suite the private
                     apt sources hold (default: the kernels' suites).
                     --pin: NAME is fetched as exactly PACKAGE=VERSION, whose
                     bzImage must have SHA256 (a lock file's entry); fails
                     when the archive no longer has that version.
                     A kernel that differs from what its last fetch gave
                     (version, or bzImage sha256) is reported on stderr:
                     "iterconf: drift: NAME: OLD → NEW"
  unpack PACKAGE     download the newest PACKAGE of the toolchain suites
                     ($toolchain_suites) with the same private apt and unpack
                     it (dpkg-deb -x, never installed) under the cache; prints
                     its root directory (e.g. libbpf-dev: <root>/usr/include)

environment:
  ITERCONF_CACHE_DIR         cache directory (now: $cache_dir)
  ITERCONF_OFFLINE=1         fetch and unpack use the cache only, never the network

exit: 0 ok, 1 a kernel or package could not be fetched, 2 usage error
EOF
}

note() { printf 'kernels: %s\n' "$*" >&2; }
warn() { printf 'iterconf: warning: %s\n' "$*" >&2; }
# A usage, manifest or setup error: one line, exit 2.
die() {
	printf 'iterconf: error: %s\n' "$*" >&2
	exit 2
}
kernel_error() { printf "iterconf: error: kernel '%s': %s\n" "$1" "$2" >&2; }

case ${ITERCONF_OFFLINE:-0} in
0 | '' | false | no) offline=0 ;;
1 | true | yes) offline=1 ;;
*) die "ITERCONF_OFFLINE='$ITERCONF_OFFLINE': expected 1 or 0; unset it to use the network" ;;
esac
[[ $cache_dir != *[\"$'\n']* ]] || die "$cache_dir: cache directory name contains a quote or newline; set ITERCONF_CACHE_DIR to a plain path"

# --- the kernels to fetch -------------------------------------------------------

names=()            # kernel names in argument order
declare -A field=() # field[NAME/KEY] = value, KEY: package, series, suites
declare -A pins=()  # pins[NAME] = "PACKAGE=VERSION=SHA256" (--pin)
apt_suites=""       # every suite of the private apt sources (--apt-suites)

# KERNEL arguments "NAME:PACKAGE:SERIES:SUITES", checked by iterconf against
# the manifest's grammar; a malformed one is a usage error here.
add_kernel() {
	local name package series suites
	IFS=: read -r name package series suites <<<"$1"
	[[ $name =~ ^[A-Za-z0-9][A-Za-z0-9._-]*$ && $package =~ ^[a-z0-9][a-z0-9.+-]+$ &&
		$series =~ ^([0-9]+(\.[0-9]+)*)?$ && $suites =~ ^[a-z0-9][a-z0-9.\ -]*$ ]] ||
		die "kernels.sh fetch: '$1' is not NAME:PACKAGE:SERIES:SUITES; use 'iterconf kernels fetch'"
	[[ -z ${field[$name/package]+x} ]] || return 0
	names+=("$name")
	field[$name/package]=$package
	field[$name/series]=$series
	field[$name/suites]=$suites
}

# --pin NAME=PACKAGE=VERSION=SHA256 (from a lock file, checked by iterconf).
add_pin() {
	local name package version sha
	IFS='=' read -r name package version sha <<<"$1"
	[[ $name =~ ^[A-Za-z0-9][A-Za-z0-9._-]*$ && $package =~ ^[a-z0-9][a-z0-9.+-]+$ &&
		$version =~ ^[0-9][A-Za-z0-9.+~:-]*$ && $sha =~ ^[0-9a-f]{64}$ ]] ||
		die "kernels.sh fetch: --pin '$1' is not NAME=PACKAGE=VERSION=SHA256; use 'iterconf kernels fetch --pin FILE'"
	pins[$name]=$package=$version=$sha
}

# --- cache (readers: no lock, publishing is an atomic rename) -----------------

# VALUE of KEY in a meta FILE.
meta_get() { awk -v k="$2" 'index($0, k "=") == 1 { print substr($0, length(k) + 2); exit }' "$1"; }

# The published directory the kernel's `current` link points at, if complete.
current_dir() {
	local dir
	[[ -L $kernels_dir/$1/current ]] || return 1
	dir=$(readlink -f -- "$kernels_dir/$1/current") || return 1
	[[ -f $dir/meta && -f $dir/bzImage ]] || return 1
	printf '%s\n' "$dir"
}

# True when DIR is a complete publication whose bzImage still has its recorded hash.
intact() {
	local want have
	[[ -f $1/meta && -f $1/bzImage ]] || return 1
	want=$(meta_get "$1/meta" bzimage_sha256)
	have=$(sha256sum <"$1/bzImage")
	[[ -n $want && ${have%% *} == "$want" ]] || return 1
	# Fetched before the virtio console modules were kept: fetch again.
	if grep -qx 'CONFIG_VIRTIO_CONSOLE=m' "$1/config" 2>/dev/null && [[ ! -d $1/modules ]]; then
		return 1
	fi
}

# One stderr line per kernel: "kernels: NAME: PACKAGE VERSION (STATE, sha256 ...)".
report() {
	local sha
	sha=$(meta_get "$2/meta" bzimage_sha256)
	note "$1: $(meta_get "$2/meta" package) $(meta_get "$2/meta" version) ($3, sha256 ${sha:0:12}…)"
}

# Drift: <kernels>/NAME/fetched is the meta of what the last fetch of NAME
# gave (<kernels>/NAME/previous the one before, when they differ). Says on
# stderr when DIR, what this fetch gives, is another version or another
# bzImage than that, then records DIR's meta as the last fetch. A cache from
# before these records compares with its `current` kernel.
drift() {
	local name=$1 dir=$2 kdir=$kernels_dir/$1 last old_ver new_ver old_sha new_sha old
	last=$kdir/fetched
	if [[ ! -f $last ]] && old=$(current_dir "$name"); then
		last=$old/meta
	fi
	if [[ -f $last ]]; then
		old_ver=$(meta_get "$last" version)
		old_sha=$(meta_get "$last" bzimage_sha256)
		new_ver=$(meta_get "$dir/meta" version)
		new_sha=$(meta_get "$dir/meta" bzimage_sha256)
		if [[ $old_ver != "$new_ver" ]]; then
			printf 'iterconf: drift: %s: %s → %s\n' "$name" "$old_ver" "$new_ver" >&2
		elif [[ $old_sha != "$new_sha" ]]; then
			printf 'iterconf: drift: %s: %s → %s (same version, bzImage sha256 %s… → %s…)\n' \
				"$name" "$old_ver" "$new_ver" "${old_sha:0:12}" "${new_sha:0:12}" >&2
		fi
		if [[ $old_ver != "$new_ver" || $old_sha != "$new_sha" ]]; then
			keep "$last" "$kdir/previous"
		fi
	fi
	keep "$dir/meta" "$kdir/fetched"
}

# Bookkeeping of drift only: a cache that cannot be written (read-only,
# another owner) loses the next comparison, not this fetch.
keep() {
	if ! { cp -f -- "$1" "$2.tmp.$BASHPID" && mv -f -- "$2.tmp.$BASHPID" "$2"; } 2>/dev/null; then
		rm -f -- "$2.tmp.$BASHPID" 2>/dev/null || true
		printf 'iterconf: warning: %s: cannot be written; the next fetch will not say what changed since this one\n' "$2" >&2
	fi
}

# --- private apt ----------------------------------------------------------------

apt_q() { LC_ALL=C APT_CONFIG=$apt_conf "$@"; }

# apt's E:/W: lines from FILE, deduplicated, on one line.
apt_text() {
	local text
	text=$(grep -E '^(E|W): ' "$1" || cat "$1")
	awk 'NF && !seen[$0]++' <<<"$text" | paste -sd '|' - | sed 's/|/ | /g; s/[[:space:]]\{1,\}/ /g'
}

# The machine's Debian archive URIs (main, then security), read from its own
# apt sources at run time: mirrors are never written into this repository.
main_uri=""
security_uri=""
machine_archives() {
	local f uri
	local -a uris=()
	for f in /etc/apt/sources.list.d/debian.sources /etc/apt/sources.list; do
		[[ -r $f ]] || continue
		if [[ $f == *.sources ]]; then
			# deb822: URIs of enabled stanzas with Types: deb; comment lines skipped.
			mapfile -t uris < <(awk 'BEGIN { RS = ""; FS = "\n" } {
				types = ""; uris = ""; enabled = "yes"
				for (i = 1; i <= NF; i++) {
					if ($i ~ /^#/ || !match($i, /^[A-Za-z-]+:/)) continue
					key = tolower(substr($i, 1, RLENGTH - 1)); val = substr($i, RLENGTH + 1)
					if (key == "types") types = val
					else if (key == "uris") uris = val
					else if (key == "enabled") enabled = val
				}
				if (types !~ /(^|[ \t])deb([ \t]|$)/ || enabled ~ /no/) next
				n = split(uris, u, /[ \t]+/)
				for (j = 1; j <= n; j++) if (u[j] != "") print u[j]
			}' "$f")
		else
			# one-line format: deb [options] URI suite components
			mapfile -t uris < <(awk '$1 == "deb" { i = 2
				if ($2 ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
				if (i <= NF) print $i }' "$f")
		fi
		for uri in "${uris[@]}"; do
			if [[ $uri == *security* ]]; then
				[[ -n $security_uri ]] || security_uri=$uri
			else
				[[ -n $main_uri ]] || main_uri=$uri
			fi
		done
		[[ -z $main_uri || -z $security_uri ]] && continue
		return 0
	done
	[[ -n $main_uri ]]
}

# True when apt's sandbox user _apt passes `test OP DIR` (apt drops to _apt for
# downloads when run as root; it cannot when the cache is under /root).
apt_user_can() {
	id _apt >/dev/null 2>&1 &&
		setpriv --reuid=_apt --regid="$(id -g _apt)" --clear-groups -- test "$1" "$2" 2>/dev/null
}

# Writes FILE from stdin unless it already has that content; true when changed.
write_if_changed() {
	local tmp
	tmp=$(mktemp "$1.XXXXXX")
	cat >"$tmp"
	if cmp -s "$tmp" "$1"; then
		rm -f -- "$tmp"
		return 1
	fi
	chmod 0644 "$tmp"
	mv -f -- "$tmp" "$1"
}

# Private apt configuration: every directory apt reads or writes lives under
# $apt_dir, so the machine's apt.conf.d, sources, preferences, lists, caches and
# dpkg status are never used or touched. Sources: the machine's mirrors, all
# suites any manifest entry names. Prints nothing; true when the sources changed.
write_apt_config() {
	local name suite changed=0
	local -a main_suites=() security_suites=()
	local -A seen=()
	machine_archives || die "/etc/apt: no Debian archive URI in sources.list.d/debian.sources or sources.list; configure the machine's apt sources first"
	[[ -r $keyring ]] || die "$keyring: missing; apt-get install debian-archive-keyring"
	local -a words=()
	local -a all_suites=()
	if [[ -n $apt_suites ]]; then
		all_suites+=("$apt_suites")
	elif ((${#names[@]} > 0)); then
		for name in "${names[@]}"; do
			all_suites+=("${field[$name/suites]}")
		done
	elif [[ -r $apt_dir/etc/sources.list.d/iterconf.sources ]]; then
		# unpack: keep the suites the last fetch wrote, so that it does not
		# change the sources (and update the lists) in between.
		all_suites+=("$(awk '/^Suites:/ { $1 = ""; s = s $0 } END { print s }' "$apt_dir/etc/sources.list.d/iterconf.sources")")
	fi
	all_suites+=("$toolchain_suites")
	for name in "${all_suites[@]}"; do
		read -ra words <<<"$name"
		for suite in "${words[@]}"; do
			[[ -z ${seen[$suite]+x} ]] || continue
			seen[$suite]=1
			if [[ $suite == *-security ]]; then
				security_suites+=("$suite")
			else
				main_suites+=("$suite")
			fi
		done
	done
	if ((${#security_suites[@]} > 0)) && [[ -z $security_uri ]]; then
		warn "/etc/apt: no security archive in the machine's sources; ignoring suites ${security_suites[*]}"
		security_suites=()
	fi
	mkdir -p "$apt_dir"/etc/{apt.conf.d,sources.list.d,preferences.d,trusted.gpg.d,auth.conf.d} \
		"$apt_dir"/state/lists/partial "$apt_dir"/cache/archives/partial "$apt_dir"/log
	[[ -e $apt_dir/state/status ]] || : >"$apt_dir/state/status"
	[[ -e $apt_dir/etc/sources.list ]] || : >"$apt_dir/etc/sources.list"
	{
		echo "# Generated by images/kernels.sh from the machine's apt sources and $manifest."
		if ((${#main_suites[@]} > 0)); then
			printf '%s\n' "Types: deb" "URIs: $main_uri" "Suites: ${main_suites[*]}" "Components: main" \
				"Architectures: amd64" "Signed-By: $keyring"
		fi
		if ((${#security_suites[@]} > 0)); then
			printf '%s\n' "" "Types: deb" "URIs: $security_uri" "Suites: ${security_suites[*]}" "Components: main" \
				"Architectures: amd64" "Signed-By: $keyring"
		fi
	} | write_if_changed "$apt_dir/etc/sources.list.d/iterconf.sources" && changed=1
	{
		cat <<EOF
// Generated by images/kernels.sh, which uses it only through APT_CONFIG. A
// private apt: every directory it reads or writes is below the one holding
// this file, so the machine's own apt configuration, sources, lists, caches
// and dpkg status are neither used nor modified.
Dir::Etc "$apt_dir/etc/";
Dir::Etc::main "$apt_dir/etc/apt.conf";
Dir::Etc::parts "$apt_dir/etc/apt.conf.d/";
Dir::Etc::sourcelist "$apt_dir/etc/sources.list";
Dir::Etc::sourceparts "$apt_dir/etc/sources.list.d/";
Dir::State "$apt_dir/state/";
Dir::State::lists "$apt_dir/state/lists/";
Dir::State::status "$apt_dir/state/status";
Dir::State::extended_states "$apt_dir/state/extended_states";
Dir::Cache "$apt_dir/cache/";
Dir::Cache::archives "$apt_dir/cache/archives/";
Dir::Cache::srcpkgcache "";
Dir::Log "$apt_dir/log/";
APT::Architecture "amd64";
APT::Architectures { "amd64"; };
Acquire::Languages "none";
Acquire::GzipIndexes "true";
// The mirror may be a dated snapshot: the Release files of fast-moving suites
// (sid, experimental) then carry a Valid-Until in the past. Only that expiry
// check is off; the InRelease signatures are still verified against Signed-By
// and every downloaded .deb against the hashes in the signed indexes.
Acquire::Check-Valid-Until "false";
EOF
		if ((EUID == 0)) && ! apt_user_can -x "$apt_dir/state/lists"; then
			cat <<EOF
// apt's download sandbox user (_apt) cannot reach this cache (e.g. it is under
// /root): download as root rather than have apt warn about it every time.
APT::Sandbox::User "root";
EOF
		fi
		# The machine's proxy settings are the one thing carried over.
		env -u APT_CONFIG apt-config dump Acquire::http::Proxy Acquire::https::Proxy \
			Acquire::http::Proxy-Auto-Detect Acquire::https::Proxy-Auto-Detect 2>/dev/null || true
	} | write_if_changed "$apt_conf" || true
	((changed))
}

# Under the apt lock: writes the private config and updates its lists unless a
# concurrent invocation did so moments ago. Run in a subshell: on failure prints
# apt's error text on stdout and exits 3.
prepare_apt() {
	local fd stamp=$apt_dir/state/updated err sources_changed=0
	exec {fd}>>"$cache_dir/apt.lock"
	flock -n "$fd" || {
		note "waiting for $cache_dir/apt.lock (another fetch is using apt)"
		flock "$fd"
	}
	write_apt_config && sources_changed=1
	if ((sources_changed == 0)) && [[ -n $(find "$stamp" -newermt "-$update_max_age seconds" 2>/dev/null) ]]; then
		return 0
	fi
	err=$(mktemp "$apt_dir/update.XXXXXX")
	if ! apt_q apt-get -qq update >/dev/null 2>"$err"; then
		printf 'apt-get update of the private lists failed: %s; check the network, the machine'"'"'s apt sources and the suites in %s, or set ITERCONF_OFFLINE=1 to use cached kernels' "$(apt_text "$err")" "$manifest"
		rm -f -- "$err" "$stamp"
		exit 3
	fi
	if [[ -s $err ]]; then
		# e.g. a mirror that could not be reached: apt keeps the old lists.
		apt_text "$err" >"$apt_dir/state/update-warnings"
		warn "apt-get update: $(<"$apt_dir/state/update-warnings")"
		rm -f -- "$err" "$stamp"
		return 0
	fi
	rm -f -- "$err" "$apt_dir/state/update-warnings"
	touch "$stamp"
}

# --- fetching one kernel ----------------------------------------------------------

in_series() { # VERSION SERIES: true when SERIES is empty or VERSION belongs to it
	local v=${1#*:}
	[[ -z $2 || $v == "$2" || $v == "$2".* || $v == "$2"[-~+]* ]]
}

# Newest version of PACKAGE among SUITES (and in SERIES): sets best_ver,
# best_suite; others = what the suites hold outside the series.
best_ver="" best_suite="" others=""
newest() {
	local pkg=$1 suites=" $2 " series=$3 out ver where suite
	best_ver="" best_suite="" others=""
	out=$(apt_q apt-cache madison "$pkg" 2>/dev/null) || true
	while IFS='|' read -r _ ver where; do
		ver=${ver//[[:space:]]/}
		read -r _ suite _ <<<"$where"
		suite=${suite%%/*} # madison prints "bookworm-security/main"
		[[ -n $ver && $suites == *" $suite "* ]] || continue
		if ! in_series "$ver" "$series"; then
			others+=" $ver ($suite)"
			continue
		fi
		if [[ -z $best_ver ]] || dpkg --compare-versions "$ver" gt "$best_ver"; then
			best_ver=$ver
			best_suite=$suite
		fi
	done <<<"$out"
}

# Exact-version dependencies "NAME VERSION" of PACKAGE=VERSION (first record).
pinned_deps() {
	apt_q apt-cache show "$1=$2" 2>/dev/null | awk '
		/^$/ { exit }
		/^(Pre-)?Depends:/ {
			sub(/^[^:]*:[ \t]*/, "")
			n = split($0, dep, /,[ \t]*/)
			for (i = 1; i <= n; i++) {
				if (dep[i] ~ /\|/ || !match(dep[i], /\(= *[^) ]+ *\)/)) continue
				ver = substr(dep[i], RSTART + 2, RLENGTH - 3); gsub(/ /, "", ver)
				pkg = dep[i]; sub(/[ (:].*/, "", pkg)
				print pkg, ver
			}
		}'
}

# Release string from the bzImage header (boot protocol: "HdrS" at 0x202, the
# kernel_version pointer at 0x20e); fails when FILE is not a bzImage.
bzimage_release() {
	local magic lo hi
	magic=$(dd if="$1" bs=1 skip=514 count=4 status=none) || return 1
	[[ $magic == HdrS ]] || return 1
	read -r lo hi < <(od -An -tu1 -j526 -N2 -- "$1")
	dd if="$1" bs=1 skip=$((lo + 256 * hi + 512)) count=128 status=none | tr '\0' '\n' | awk '{ print $1; exit }'
}

fetch_tmp=""
# Fetches one kernel; run in a subshell. Prints the bzImage path on stdout.
# Expected failures print one error line and exit 3.
fetch_one() {
	local name=$1 kdir=$kernels_dir/$1 fd dir
	fail() {
		kernel_error "$name" "$1"
		exit 3
	}
	# --pin: exactly this package version, and its bzImage's sha256.
	local pin=${pins[$name]:-} pin_pkg="" pin_ver="" pin_sha=""
	[[ -z $pin ]] || IFS='=' read -r pin_pkg pin_ver pin_sha <<<"$pin"
	pin_check() { # DIR: the published pinned version has the pinned bzImage
		local have
		have=$(meta_get "$1/meta" bzimage_sha256)
		[[ $have == "$pin_sha" ]] ||
			fail "pinned $pin_ver has bzImage sha256 ${have:0:12}…, the lock says ${pin_sha:0:12}… (the package changed under the same version); check it, then update the lock with 'iterconf kernels lock'"
	}
	if ((offline)); then
		if [[ -n $pin ]]; then
			dir=$kdir/${pin_pkg}_$pin_ver
			intact "$dir" ||
				fail "pinned $pin_ver is not cached and ITERCONF_OFFLINE=1; run 'iterconf kernels fetch --pin FILE $name' with network access"
			pin_check "$dir"
			exec {fd}>>"$kernels_dir/$name.lock"
			flock "$fd"
			drift "$name" "$dir"
			ln -s -- "${dir##*/}" "$kdir/.current.$BASHPID"
			mv -T -- "$kdir/.current.$BASHPID" "$kdir/current"
		else
			if ! dir=$(current_dir "$name") || ! intact "$dir"; then
				fail "not cached and ITERCONF_OFFLINE=1; run 'iterconf kernels fetch $name' with network access"
			fi
			drift "$name" "$dir"
		fi
		report "$name" "$dir" cached
		printf '%s\n' "$dir/bzImage"
		return 0
	fi

	mkdir -p "$kdir"
	exec {fd}>>"$kernels_dir/$name.lock"
	flock -n "$fd" || {
		note "$name: waiting for $kernels_dir/$name.lock (another fetch of it is running)"
		flock "$fd"
	}
	# Holding the kernel's lock: leftovers of an interrupted fetch are stale.
	rm -rf -- "$kdir"/.tmp.* "$kdir"/.current.*

	local apt_fd suites=${field[$name/suites]} meta_pkg=${field[$name/package]} series=${field[$name/series]:-}
	exec {apt_fd}>>"$cache_dir/apt.lock"
	flock -n "$apt_fd" || {
		note "$name: waiting for $cache_dir/apt.lock (another fetch is using apt)"
		flock "$apt_fd"
	}

	# Resolve: newest metapackage version, then the concrete image package it pins.
	local meta_ver="" suite="" pkg="" ver="" dep dver
	resolve_newest() {
		newest "$meta_pkg" "$suites" "$series"
		if [[ -z $best_ver ]]; then
			[[ -z $others ]] || fail "no $meta_pkg of series $series in $suites (found:$others); update 'series' in $manifest"
			[[ ! -s $apt_dir/state/update-warnings ]] ||
				fail "$meta_pkg not found in $suites, and the last apt-get update warned: $(<"$apt_dir/state/update-warnings"); check the network"
			fail "$meta_pkg not found in $suites; check 'suites' and 'package' in $manifest"
		fi
		meta_ver=$best_ver
		suite=$best_suite
		pkg=""
		while read -r dep dver; do
			if [[ $dep == linux-image-* && $dep != *-dbg ]]; then
				pkg=$dep
				ver=$dver
				break
			fi
		done < <(pinned_deps "$meta_pkg" "$meta_ver")
		if [[ -z $pkg ]]; then # the entry names a concrete image package itself
			pkg=$meta_pkg
			ver=$meta_ver
		fi
	}
	if [[ -z $pin ]]; then
		resolve_newest
	elif ! intact "$kdir/${pin_pkg}_$pin_ver"; then
		# Pinned and not cached: the archive must still have that version.
		local line
		line=$(apt_q apt-cache madison "$pin_pkg" 2>/dev/null | awk -F'|' -v v="$pin_ver" '
			{ gsub(/[ \t]/, "", $2) } $2 == v { split($3, w, " "); sub(/\/.*/, "", w[2]); print w[2]; exit }')
		if [[ -z $line ]]; then
			resolve_newest
			fail "pinned $pin_ver is no longer in the archive (newest $ver); update the lock with 'iterconf kernels fetch $name' and 'iterconf kernels lock'"
		fi
		pkg=$pin_pkg ver=$pin_ver suite=$line
	else
		pkg=$pin_pkg ver=$pin_ver
		suite=$(meta_get "$kdir/${pkg}_$ver/meta" suite)
	fi
	# Newer Debian packaging (7.x) splits the image package: vmlinuz is in
	# linux-binary-<abi>, config in linux-base-<abi>; modules are not needed.
	local -a want=("$pkg=$ver")
	while read -r dep dver; do
		if [[ $dep == linux-binary-* || $dep == linux-base-* ]]; then
			want+=("$dep=$dver")
		fi
	done < <(pinned_deps "$pkg" "$ver")

	dir=$kdir/${pkg}_$ver
	local state=cached
	[[ -z $pin ]] || ! intact "$dir" || pin_check "$dir"
	if ! intact "$dir"; then
		state=fetched
		fetch_tmp=$(mktemp -d "$kdir/.tmp.XXXXXX")
		local tmp=$fetch_tmp
		trap 'rm -rf -- "$fetch_tmp"' EXIT
		trap 'exit 130' INT
		trap 'exit 143' TERM
		mkdir "$tmp/dl" "$tmp/pub"
		local -a sandbox=()
		if ((EUID == 0)); then # let apt download as _apt where _apt can write
			chmod 0755 "$tmp"
			chown _apt "$tmp/dl" 2>/dev/null || true
			apt_user_can -w "$tmp/dl" || sandbox=(-o APT::Sandbox::User=root)
		fi
		# apt-get download checks the whole chain: InRelease signature ->
		# Packages hash -> .deb hash.
		if ! (cd "$tmp/dl" && apt_q apt-get -qq "${sandbox[@]}" download "${want[@]}") >/dev/null 2>"$tmp/err"; then
			fail "apt-get download ${want[*]} failed: $(apt_text "$tmp/err"); check the network, or rerun 'iterconf kernels fetch $name' (the lists may have moved on)"
		fi
		flock -u "$apt_fd"

		# Extract only the kernel files from each .deb: /boot/{vmlinuz,config,System.map}-REL
		# (up to 6.x) or /usr/lib/modules/REL/{vmlinuz,config,System.map} (7.x).
		local w deb i=0 re='^\./(boot/(vmlinuz|config|System\.map)-[^/]+|usr/lib/modules/[^/]+/(vmlinuz|config|System\.map))$'
		local -A deb_of=()
		for w in "${want[@]}"; do
			deb=$(find "$tmp/dl" -maxdepth 1 -name "${w%%=*}_*.deb" -print -quit)
			[[ -n $deb ]] || fail "apt-get download ${w} produced no .deb; rerun the fetch"
			i=$((i + 1))
			mkdir "$tmp/x$i"
			deb_of[$tmp/x$i]=$deb
			dpkg-deb --fsys-tarfile "$deb" | tar -t -f - >"$tmp/list" ||
				fail "${deb##*/}: not a readable .deb; rerun 'iterconf kernels fetch $name'"
			grep -E "$re" "$tmp/list" >"$tmp/members" || continue
			dpkg-deb --fsys-tarfile "$deb" | tar -x -f - -C "$tmp/x$i" -T "$tmp/members" ||
				fail "${deb##*/}: extracting the kernel failed; rerun 'iterconf kernels fetch $name'"
		done
		local -a found=()
		mapfile -t found < <(find "$tmp"/x* \( -path '*/boot/vmlinuz-*' -o -path '*/usr/lib/modules/*/vmlinuz' \) -type f)
		((${#found[@]} == 1)) || fail "expected one vmlinuz in ${want[*]}, found ${#found[@]}; Debian's kernel packaging changed, adapt images/kernels.sh"
		local vmlinuz=${found[0]} release root config sysmap
		root=${vmlinuz#"$tmp"/}
		root=$tmp/${root%%/*} # the x<N> directory of the .deb it came from
		if [[ $vmlinuz == */boot/vmlinuz-* ]]; then
			release=${vmlinuz##*/vmlinuz-}
		else
			release=${vmlinuz%/vmlinuz}
			release=${release##*/}
		fi
		local got
		got=$(bzimage_release "$vmlinuz") || fail "${vmlinuz##*/} from ${want[0]} is not an x86 bzImage; check the package"
		[[ $got == "$release" ]] || fail "bzImage reports release '$got' but the package installs it as '$release'; check the package"
		config=$(find "$tmp"/x* \( -path "*/boot/config-$release" -o -path "*/usr/lib/modules/$release/config" \) -type f -print -quit)
		[[ -n $config ]] || fail "no kernel config for $release in ${want[*]}; check the package"
		sysmap=$(find "$tmp"/x* \( -path "*/boot/System.map-$release" -o -path "*/usr/lib/modules/$release/System.map" \) -type f -print -quit)

		mv -- "$vmlinuz" "$tmp/pub/bzImage"
		mv -- "$config" "$tmp/pub/config"
		# Debian ships a one-line placeholder System.map (the real one is in -dbg).
		if [[ -n $sysmap ]] && ! grep -q 'The real System.map is in' "$sysmap"; then
			mv -- "$sysmap" "$tmp/pub/System.map"
		fi
		# A kernel with the virtio console as a module (6.1's cloud flavour):
		# that module and its transport, for the agent to load (the record
		# channel then leaves the slow second serial port).
		if grep -qx 'CONFIG_VIRTIO_CONSOLE=m' "$tmp/pub/config"; then
			virtio_modules "$release" "$tmp" "$tmp/pub/modules/$release" ||
				note "$name: virtio console modules not found in ${want[*]}; records use the serial port"
		fi
		deb=${deb_of[$root]}
		local deb_sha bz_sha
		deb_sha=$(sha256sum <"$deb")
		bz_sha=$(sha256sum <"$tmp/pub/bzImage")
		[[ -z $pin || ${bz_sha%% *} == "$pin_sha" ]] ||
			fail "pinned $pin_ver has bzImage sha256 ${bz_sha:0:12}…, the lock says ${pin_sha:0:12}… (the archive's package changed under the same version); check it, then update the lock with 'iterconf kernels lock'"
		cat >"$tmp/pub/meta" <<EOF
name=$name
suite=$suite
package=$pkg
version=$ver
meta_package=$meta_pkg
meta_version=$meta_ver
release=$release
deb=${deb##*/}
deb_sha256=${deb_sha%% *}
bzimage_sha256=${bz_sha%% *}
fetched=$(date -u +%Y-%m-%dT%H:%M:%SZ)
EOF
		chmod 0644 "$tmp"/pub/*
		chmod 0755 "$tmp/pub"
		# Publish atomically; a damaged earlier copy is moved aside first.
		[[ ! -e $dir ]] || mv -T -- "$dir" "$tmp/old"
		mv -T -- "$tmp/pub" "$dir"
		rm -rf -- "$tmp" # the .debs: keep the cache small
	fi
	flock -u "$apt_fd"

	drift "$name" "$dir"
	ln -s -- "${dir##*/}" "$kdir/.current.$BASHPID"
	mv -T -- "$kdir/.current.$BASHPID" "$kdir/current"
	report "$name" "$dir" "$state"
	printf '%s\n' "$dir/bzImage"
}

# virtio_modules RELEASE TMP OUT: extracts virtio_console and virtio_pci
# with every module they depend on (the depends= of each .ko's .modinfo)
# from the .debs downloaded under TMP (TMP/dl) into OUT, and writes
# OUT/order: the module names, each after those it depends on. Uncompressed
# modules only. Returns 1 (OUT removed) when one is missing.
virtio_modules() {
	local release=$1 tmp=$2 out=$3 deb m
	local -A member=() deb_of_mod=()
	for deb in "$tmp"/dl/*.deb; do
		while read -r m; do
			local base=${m##*/}
			base=${base%.ko}
			member[${base//-/_}]=$m
			deb_of_mod[${base//-/_}]=$deb
		done < <(dpkg-deb --fsys-tarfile "$deb" | tar -t -f - |
			grep -E "^\./(usr/)?lib/modules/$release/kernel/.*\.ko$")
	done
	mkdir -p "$out"
	local -a queue=(virtio_console virtio_pci) order=()
	local -A deps=() seen=()
	while ((${#queue[@]})); do
		m=${queue[0]}
		queue=("${queue[@]:1}")
		[[ -z ${seen[$m]:-} ]] || continue
		seen[$m]=1
		if [[ -z ${member[$m]:-} ]]; then
			rm -rf -- "$out"
			return 1
		fi
		dpkg-deb --fsys-tarfile "${deb_of_mod[$m]}" | tar -x -O -f - "${member[$m]}" >"$out/$m.ko" || {
			rm -rf -- "$out"
			return 1
		}
		deps[$m]=$(tr '\0' '\n' <"$out/$m.ko" | sed -n 's/^depends=//p' | head -n 1 | tr ',' ' ')
		local d
		for d in ${deps[$m]}; do queue+=("${d//-/_}"); done
	done
	# Each module after its dependencies (a handful: repeat until placed).
	local -A placed=()
	local progress=1
	while ((${#placed[@]} < ${#seen[@]} && progress)); do
		progress=0
		for m in "${!seen[@]}"; do
			[[ -z ${placed[$m]:-} ]] || continue
			local ready=1 d
			for d in ${deps[$m]}; do [[ -n ${placed[${d//-/_}]:-} ]] || ready=0; done
			((ready)) || continue
			placed[$m]=1
			order+=("$m")
			progress=1
		done
	done
	printf '%s\n' "${order[@]}" >"$out/order"
	chmod 0644 "$out"/*
	chmod 0755 "$out" "${out%/*}"
}

# prepare_apt with its error captured: a setup error (exit 2, already
# reported) exits 2; any other failure is one line "iterconf: error: WHERE:
# why" and returns 1. For callers that stop at the first failure (unpack,
# kbuild.sh's source); fetch reports it per kernel instead.
prepare_apt_checked() {
	local where=$1 err rc
	set +e
	err=$(
		set -e
		prepare_apt
	)
	rc=$?
	set -e
	((rc != 2)) || exit 2
	if ((rc != 0)); then
		printf 'iterconf: error: %s: %s\n' "$where" "${err:-preparing the private apt failed (exit $rc)}" >&2
		return 1
	fi
}

# Fetches the named kernels; prints NAME<TAB>PATH for each. Returns 1 when
# any kernel failed (each reported on its own line).
fetch_kernels() {
	local name path rc failed=0 update_error=""
	if ((offline == 0)); then
		mkdir -p "$kernels_dir"
		set +e
		update_error=$(
			set -e
			prepare_apt
		)
		rc=$?
		set -e
		((rc != 2)) || exit 2 # a setup error, already reported
		if ((rc != 0)) && [[ -z $update_error ]]; then
			update_error="preparing the private apt failed (exit $rc); this is a bug in images/kernels.sh, rerun with 'bash -x'"
		fi
	fi
	for name; do
		if [[ -n $update_error ]]; then
			kernel_error "$name" "$update_error"
			failed=1
			continue
		fi
		set +e
		path=$(
			set -e
			fetch_one "$name"
		)
		rc=$?
		set -e
		if ((rc == 0)); then
			printf '%s\t%s\n' "$name" "$path"
		else
			((rc == 3)) || kernel_error "$name" "fetch failed unexpectedly (exit $rc); this is a bug in images/kernels.sh, rerun with 'bash -x'"
			failed=1
		fi
	done
	return "$failed"
}

# --- commands -------------------------------------------------------------------

# Downloads and unpacks the newest PACKAGE among the toolchain suites; prints
# its root directory. Offline: the newest unpacked copy. Exit 1 on failure.
cmd_unpack() {
	local pkg=$1 dir tmp
	[[ $pkg =~ ^[a-z0-9][a-z0-9.+-]+$ ]] || die "unpack: '$pkg' is not a Debian package name"
	if ((offline)); then
		dir=$(find "$packages_dir" -maxdepth 1 -name "${pkg}_*" -type d 2>/dev/null | sort -V | tail -n 1)
		[[ -n $dir && -f $dir/.complete ]] || {
			printf "iterconf: error: package '%s': not unpacked and ITERCONF_OFFLINE=1; run 'images/kernels.sh unpack %s' with network access\n" "$pkg" "$pkg" >&2
			return 1
		}
		printf '%s\n' "$dir"
		return 0
	fi
	mkdir -p "$packages_dir"
	prepare_apt_checked "package '$pkg'" || return 1
	newest "$pkg" "$toolchain_suites" ""
	if [[ -z $best_ver ]]; then
		printf "iterconf: error: package '%s': not found in %s; check the network or the suite\n" "$pkg" "$toolchain_suites" >&2
		return 1
	fi
	dir=$packages_dir/${pkg}_${best_ver#*:}
	if [[ ! -f $dir/.complete ]]; then
		tmp=$(mktemp -d "$packages_dir/.tmp.XXXXXX")
		fetch_tmp=$tmp
		trap 'rm -rf -- "$fetch_tmp"' EXIT
		local -a sandbox=()
		if ((EUID == 0)); then
			chmod 0755 "$tmp"
			chown _apt "$tmp" 2>/dev/null || true
			apt_user_can -w "$tmp" || sandbox=(-o APT::Sandbox::User=root)
		fi
		if ! (cd "$tmp" && apt_q apt-get -qq "${sandbox[@]}" download "$pkg=$best_ver") >/dev/null 2>"$packages_dir/.err"; then
			printf "iterconf: error: package '%s': apt-get download failed: %s; check the network\n" "$pkg" "$(apt_text "$packages_dir/.err")" >&2
			return 1
		fi
		local deb
		deb=$(find "$tmp" -maxdepth 1 -name "${pkg}_*.deb" -print -quit)
		mkdir "$tmp/root"
		dpkg-deb -x "$deb" "$tmp/root" || {
			printf "iterconf: error: package '%s': %s is not a readable .deb; rerun\n" "$pkg" "${deb##*/}" >&2
			return 1
		}
		local sha
		sha=$(sha256sum <"$deb")
		printf 'package=%s\nversion=%s\nsuite=%s\ndeb_sha256=%s\n' "$pkg" "$best_ver" "$best_suite" "${sha%% *}" >"$tmp/root/.complete"
		rm -rf -- "$dir"
		mv -T -- "$tmp/root" "$dir"
		rm -rf -- "$tmp"
		note "$pkg: $best_ver from $best_suite (unpacked, sha256 ${sha:0:12}…)"
	fi
	printf '%s\n' "$dir"
}

main() {
	local cmd=${1:-}
	(($# == 0)) || shift
	case $cmd in
	-h | --help | help)
		usage
		return 0
		;;
	fetch)
		while (($# > 0)); do
			case $1 in
			--manifest)
				manifest=${2:?}
				shift 2
				;;
			--apt-suites)
				apt_suites=${2:?}
				shift 2
				;;
			--pin)
				add_pin "${2:?}"
				shift 2
				;;
			*)
				add_kernel "$1"
				shift
				;;
			esac
		done
		((${#names[@]} > 0)) || die "kernels.sh fetch: no kernel given; run 'iterconf kernels fetch [NAME...]', which reads the manifest"
		fetch_kernels "${names[@]}"
		;;
	unpack)
		(($# == 1)) || die "kernels.sh unpack: needs exactly one package name, e.g. libbpf-dev"
		cmd_unpack "$1"
		;;
	'') die "kernels.sh: no command; see 'images/kernels.sh --help'" ;;
	*) die "kernels.sh: unknown command '$cmd'; see 'images/kernels.sh --help'" ;;
	esac
}

# images/kbuild.sh loads this file as a library (ITERCONF_KERNELS_SH_LIB=1).
[[ ${ITERCONF_KERNELS_SH_LIB:-0} == 1 ]] || main "$@"
