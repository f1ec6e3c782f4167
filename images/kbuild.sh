#!/usr/bin/env bash
# Kernels built from source (issue 13): `iterconf kernels source` fetches and
# extracts a Debian linux-source-X.Y package, `iterconf kernels build` builds
# a minimal bootable bzImage from it or from any kernel checkout, out of tree:
# base config (tinyconfig) + the fragment images/config/iterconf.config,
# olddefconfig, a check that every fragment line survived, make bzImage.
# The private apt configuration, its lists and locks are images/kernels.sh's
# (sourced here as a library: ITERCONF_KERNELS_SH holds its text when iterconf
# runs this, else it is read next to this file). images/README.md has the
# cache layout and the figures.
# Exit: 0 ok, 1 a source could not be fetched or the build failed, 2 usage,
# setup or fragment error.
set -euo pipefail

kbuild_usage() {
	cat <<'EOF'
usage: iterconf kernels source debian-src:X.Y
       iterconf kernels build SRC [--out DIR] [--jobs N] [--fragment FILE]
                              [--base tinyconfig|defconfig] [--config-only]

source debian-src:X.Y
    Resolve Debian's linux-source-X.Y to its newest version in the suites of
    the kernel manifest (private apt configuration, signatures checked by
    apt), download it, record its version and sha256, extract the tree once
    into <cache>/src/linux-source-X.Y_<version>/ and print that directory.
    ITERCONF_OFFLINE=1: the newest tree already extracted, never the network.

build SRC
    SRC: a kernel source directory (a maintainer's checkout; it must be clean,
    kbuild refuses out-of-tree builds from a tree with an in-tree .config), or
    debian-src:X.Y (fetched as by 'source'). Out of tree, ARCH=x86_64:
      1. unless OUT/.config exists and was made from the same base and
         fragment: make BASE; merge_config.sh -m FRAGMENT; make olddefconfig;
         then every fragment line (CONFIG_X=v, '# CONFIG_X is not set') must
         be in OUT/.config, else one error line names each lost option;
      2. make -jN bzImage (output in OUT/build.log);
      3. OUT/iterconf-build.toml records source, version, package sha256,
         base, fragment sha256, build seconds and date.
    The last stdout line is the bzImage's absolute path.
  --out DIR          build directory (default <cache>/builds/NAME: debian-src-X.Y,
                     or the source directory's name and a hash of its path)
  --jobs N           make -jN (default: nproc)
  --fragment FILE    config fragment (default: images/config/iterconf.config,
                     built into iterconf)
  --base NAME        tinyconfig (default) or defconfig
  --config-only      stop after step 1 (no compile); prints OUT/.config

Build tools: make gcc bison flex bc pahole (dwarves) cpio libssl-dev
libelf-dev; ci/install-deps.sh installs them.
cache: $ITERCONF_CACHE_DIR, else $XDG_CACHE_HOME/iterconf, else ~/.cache/iterconf
exit: 0 ok, 1 the source could not be fetched or make failed, 2 usage error,
      missing tools, an unclean SRC, or fragment options that did not survive.
EOF
}

# --- images/kernels.sh as a library: cache_dir, offline, prepare_apt, newest,
# apt_q, apt_text, apt_user_can, bzimage_release, note, warn, die -----------
kbuild_self=$0
if [[ -n ${ITERCONF_KERNELS_SH:-} ]]; then
	ITERCONF_KERNELS_SH_LIB=1 eval "$ITERCONF_KERNELS_SH"
else
	kernels_sh=$(dirname -- "${BASH_SOURCE[0]}")/kernels.sh
	[[ -r $kernels_sh ]] || {
		printf 'iterconf: error: %s: missing; run this through iterconf kernels\n' "$kernels_sh" >&2
		exit 2
	}
	# shellcheck source=kernels.sh
	ITERCONF_KERNELS_SH_LIB=1 source "$kernels_sh"
fi
# Kept as shell variables, not passed on to make and the compilers.
export -n ITERCONF_KERNELS_SH ITERCONF_FRAGMENT_TEXT 2>/dev/null || true
[[ $(type -t prepare_apt) == function ]] || {
	printf 'iterconf: error: images/kernels.sh did not load as a library; this is a bug in images/kbuild.sh\n' >&2
	exit 2
}
kbuild_note() { printf 'kbuild: %s\n' "$*" >&2; }
src_root=$cache_dir/src
builds_root=$cache_dir/builds

# --- source debian-src:X.Y ---------------------------------------------------

# VALUE of KEY in our TOML subset FILE (key = "value"; no escapes needed here).
toml_get() { sed -n "s/^$2 = \"\\(.*\\)\"\$/\\1/p" "$1" | head -n 1; }

# The newest complete extracted tree of PACKAGE, or nothing.
newest_extracted() {
	local d best="" bestv="" v
	for d in "$src_root/$1"_*; do
		[[ -f $d.toml && -f $d/Makefile ]] || continue
		v=$(toml_get "$d.toml" version)
		if [[ -z $best ]] || dpkg --compare-versions "$v" gt "$bestv"; then
			best=$d
			bestv=$v
		fi
	done
	[[ -n $best ]] && printf '%s\n' "$best"
}

# Prints the tree of linux-source-X.Y for "debian-src:X.Y"; exit 1 when it
# cannot be had, 2 on a malformed name. Runs in a subshell (traps, locks).
source_tree() {
	local spec=$1 series pkg
	series=${spec#debian-src:}
	[[ $spec == debian-src:* && $series =~ ^[0-9]+\.[0-9]+$ ]] ||
		die "kernels source: '$spec' is not debian-src:X.Y (e.g. debian-src:7.2, the package linux-source-7.2)"
	pkg=linux-source-$series
	mkdir -p "$src_root"
	local fd dir
	if ((offline)); then
		dir=$(newest_extracted "$pkg") || {
			printf "iterconf: error: %s: not extracted in %s and ITERCONF_OFFLINE=1; run 'iterconf kernels source %s' with network access\n" "$spec" "$src_root" "$spec" >&2
			exit 1
		}
		kbuild_note "$pkg $(toml_get "$dir.toml" version) (cached)"
		printf '%s\n' "$dir"
		return 0
	fi
	prepare_apt_checked "$spec" || exit 1
	local suites
	suites=$(awk '/^Suites:/ { $1 = ""; s = s $0 } END { print s }' "$apt_dir/etc/sources.list.d/iterconf.sources")
	newest "$pkg" "$suites" ""
	if [[ -z $best_ver ]]; then
		printf "iterconf: error: %s: package %s not found in the suites%s; check the name (Debian ships linux-source-X.Y for its current kernels) or the network\n" "$spec" "$pkg" "$suites" >&2
		exit 1
	fi
	exec {fd}>>"$src_root/$pkg.lock"
	flock -n "$fd" || {
		kbuild_note "waiting for $src_root/$pkg.lock (another 'kernels source $spec' is running)"
		flock "$fd"
	}
	dir=$src_root/${pkg}_${best_ver#*:}
	if [[ -f $dir.toml && -f $dir/Makefile ]]; then
		kbuild_note "$pkg $best_ver from $best_suite (cached, sha256 $(toml_get "$dir.toml" deb_sha256 | cut -c1-12)…)"
		printf '%s\n' "$dir"
		return 0
	fi
	# Holding the package lock: leftovers of an interrupted extraction are stale.
	rm -rf -- "$src_root/.tmp.$pkg".* "$dir" "$dir.toml"
	fetch_tmp=$(mktemp -d "$src_root/.tmp.$pkg.XXXXXX")
	local tmp=$fetch_tmp
	trap 'rm -rf -- "$fetch_tmp"' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	mkdir "$tmp/dl"
	local -a sandbox=()
	if ((EUID == 0)); then
		chmod 0755 "$tmp"
		chown _apt "$tmp/dl" 2>/dev/null || true
		apt_user_can -w "$tmp/dl" || sandbox=(-o APT::Sandbox::User=root)
	fi
	kbuild_note "$pkg $best_ver from $best_suite: downloading"
	local apt_fd
	exec {apt_fd}>>"$cache_dir/apt.lock"
	flock "$apt_fd"
	# apt-get download checks InRelease signature -> Packages hash -> .deb hash.
	if ! (cd "$tmp/dl" && apt_q apt-get -qq "${sandbox[@]}" download "$pkg=$best_ver") >/dev/null 2>"$tmp/err"; then
		printf 'iterconf: error: %s: apt-get download %s=%s failed: %s; check the network\n' "$spec" "$pkg" "$best_ver" "$(apt_text "$tmp/err")" >&2
		exit 1
	fi
	flock -u "$apt_fd"
	local deb sha t0=$SECONDS
	deb=$(find "$tmp/dl" -maxdepth 1 -name "${pkg}_*.deb" -print -quit)
	[[ -n $deb ]] || {
		printf 'iterconf: error: %s: apt-get download produced no .deb; rerun\n' "$spec" >&2
		exit 1
	}
	sha=$(sha256sum <"$deb")
	sha=${sha%% *}
	kbuild_note "$pkg $best_ver: extracting (sha256 ${sha:0:12}…)"
	mkdir "$tmp/root" "$tmp/tree"
	local tarball=$tmp/root/usr/src/$pkg.tar.xz
	if ! dpkg-deb -x "$deb" "$tmp/root" || [[ ! -f $tarball ]]; then
		printf 'iterconf: error: %s: %s has no usr/src/%s.tar.xz; Debian changed the package, adapt images/kbuild.sh\n' "$spec" "${deb##*/}" "$pkg" >&2
		exit 1
	fi
	rm -f -- "$deb"
	if ! tar -xf "$tarball" -C "$tmp/tree" --strip-components=1 2>"$tmp/err" || [[ ! -f $tmp/tree/Makefile ]]; then
		printf 'iterconf: error: %s: extracting %s failed: %s; check the disk space under %s\n' "$spec" "${tarball##*/}" "$(head -c 300 "$tmp/err")" "$src_root" >&2
		exit 1
	fi
	mv -T -- "$tmp/tree" "$dir"
	cat >"$tmp/toml" <<EOF
# Written by iterconf kernels source: the Debian package this tree came from.
[source]
spec = "$spec"
package = "$pkg"
version = "$best_ver"
suite = "$best_suite"
deb = "${deb##*/}"
deb_sha256 = "$sha"
fetched = "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
EOF
	mv -T -- "$tmp/toml" "$dir.toml" # the tree is complete once this exists
	rm -rf -- "$tmp"
	kbuild_note "$pkg $best_ver: extracted in $((SECONDS - t0)) s"
	printf '%s\n' "$dir"
}

cmd_source() {
	(($# == 1)) || die "kernels source: needs exactly one argument, debian-src:X.Y; see 'iterconf kernels source --help'"
	[[ $1 != -h && $1 != --help ]] || {
		kbuild_usage
		return 0
	}
	source_tree "$1"
}

# --- build SRC ----------------------------------------------------------------

# One line naming every missing build tool (and its Debian package); exit 2.
check_tools() {
	local -a missing=()
	local t pkg
	for t in make:make gcc:gcc bison:bison flex:flex bc:bc pahole:dwarves cpio:cpio \
		perl:perl xz:xz-utils; do
		command -v "${t%%:*}" >/dev/null 2>&1 || missing+=("${t%%:*} (${t#*:})")
	done
	if command -v gcc >/dev/null 2>&1; then
		for t in openssl/opensslv.h:libssl-dev libelf.h:libelf-dev; do
			pkg=${t#*:}
			printf '#include <%s>\n' "${t%%:*}" | gcc -E -x c - >/dev/null 2>&1 ||
				missing+=("<${t%%:*}> ($pkg)")
		done
	fi
	((${#missing[@]} == 0)) ||
		die "kernels build: missing build tools: ${missing[*]}; run ci/install-deps.sh"
}

# The kernel version of source tree DIR from its Makefile (e.g. 7.2.13).
tree_version() {
	awk -F'[ \t]*=[ \t]*' '$1 == "VERSION" { v = $2 } $1 == "PATCHLEVEL" { p = $2 }
		$1 == "SUBLEVEL" { s = $2 } $1 == "EXTRAVERSION" { e = $2 }
		/^NAME/ { exit } END { printf "%s.%s.%s%s\n", v, p, s, e }' "$1/Makefile"
}

# The last lines of LOG that say why make failed (else its last lines),
# indented, at most 8.
error_lines() {
	local lines
	lines=$(grep -E '(error|Error|ERROR|not clean|No rule to make)' "$1" | tail -n 8)
	[[ -n $lines ]] || lines=$(grep -v '^[[:space:]]*$' "$1" | tail -n 5)
	sed 's/^/  /' <<<"$lines"
}

# make in SRC for OUT with ARCH=x86_64; output appended to the log.
kmake() { make -C "$src" O="$out" ARCH=x86_64 "$@" >>"$log" 2>&1; }

# A make step failed: the kbuild refusal of an unclean tree is a usage error
# (exit 2, one line), anything else exit 1 with the log's error lines.
make_failed() {
	local what=$1 rc=$2 line
	line=$(grep -m1 -E 'is not clean, please run' "$log" || true)
	if [[ -n $line ]]; then
		line=$(sed 's/^[[:space:]]*\*\{0,3\}[[:space:]]*//' <<<"$line")
		die "kernels build: $src: kbuild refuses to build out of tree: $line (in $src: an in-tree build left its .config or include/config there), or build from a clean copy"
	fi
	printf 'iterconf: error: kernels build: %s failed (make exit %s); full log: %s\n' "$what" "$rc" "$log" >&2
	error_lines "$log" >&2 || true
	exit 1
}

# Every fragment line must be in OUT/.config after olddefconfig; else one
# error line naming each lost option with what it became; exit 2.
check_survival() {
	local frag=$1 config=$2 lost
	lost=$(awk '
		FNR == NR {
			if (match($0, /^CONFIG_[A-Za-z0-9_]+=/)) have[substr($0, 1, RLENGTH - 1)] = substr($0, RLENGTH + 1)
			else if (match($0, /^# CONFIG_[A-Za-z0-9_]+ is not set$/)) have[$2] = "n"
			next
		}
		{ sub(/[ \t]+$/, "") }
		/^CONFIG_[A-Za-z0-9_]+=/ {
			key = substr($0, 1, index($0, "=") - 1); want = substr($0, index($0, "=") + 1)
		}
		/^# CONFIG_[A-Za-z0-9_]+ is not set$/ { key = $2; want = "n" }
		key != "" {
			got = (key in have) ? have[key] : "n"
			if (got != want) {
				shown = (key in have) ? (got == "n" ? "is not set" : "=" got) : "absent"
				printf "%s%s=%s (now %s)", sep, key, want, shown; sep = ", "
			}
			key = ""
		}' "$config" "$frag")
	[[ -z $lost ]] ||
		die "kernels build: fragment $frag_name: options lost in olddefconfig on base $base: $lost; add their dependencies to the fragment or check that this kernel has them (full log: $log)"
}

cmd_build() {
	local spec="" jobs="" frag="" config_only=0
	out="" base=tinyconfig
	while (($# > 0)); do
		case $1 in
		-h | --help)
			kbuild_usage
			return 0
			;;
		--out | --jobs | --fragment | --base)
			(($# >= 2)) && [[ -n $2 ]] || die "kernels build: $1 needs a value; see 'iterconf kernels build --help'"
			case $1 in
			--out) out=$2 ;;
			--jobs) jobs=$2 ;;
			--fragment) frag=$2 ;;
			--base) base=$2 ;;
			esac
			shift 2
			;;
		--config-only)
			config_only=1
			shift
			;;
		-*) die "kernels build: unknown option '$1'; see 'iterconf kernels build --help'" ;;
		*)
			[[ -z $spec ]] || die "kernels build: more than one SRC ('$spec', '$1'); see 'iterconf kernels build --help'"
			spec=$1
			shift
			;;
		esac
	done
	[[ -n $spec ]] || die "kernels build: no SRC; give a kernel source directory or debian-src:X.Y"
	[[ $base == tinyconfig || $base == defconfig ]] ||
		die "kernels build: --base '$base': expected tinyconfig or defconfig"
	[[ -z $jobs || $jobs =~ ^[1-9][0-9]{0,2}$ ]] || die "kernels build: --jobs '$jobs': expected a number from 1 to 999"
	jobs=${jobs:-$(nproc)}
	if [[ -n $frag ]]; then
		[[ -f $frag && -r $frag ]] || die "kernels build: --fragment $frag: no such readable file"
		frag_name=$frag
	elif [[ -n ${ITERCONF_FRAGMENT_TEXT+x} ]]; then
		frag_name="images/config/iterconf.config (built in)"
	else
		frag=$(dirname -- "${BASH_SOURCE[0]}")/config/iterconf.config
		[[ -r $frag ]] || die "kernels build: $frag: missing; give --fragment FILE"
		frag_name=$frag
	fi
	# SRC: debian-src:X.Y or a kernel source directory.
	local name pkg_toml=""
	if [[ $spec == debian-src:* ]]; then
		[[ ${spec#debian-src:} =~ ^[0-9]+\.[0-9]+$ ]] ||
			die "kernels build: SRC '$spec' is not debian-src:X.Y (e.g. debian-src:7.2)"
		check_tools
		local rc=0
		src=$(source_tree "$spec") || rc=$?
		((rc == 0)) || exit "$rc"
		pkg_toml=$src.toml
		name=debian-src-${spec#debian-src:}
	else
		[[ -d $spec ]] || die "kernels build: SRC '$spec': no such directory; give a kernel source directory or debian-src:X.Y"
		src=$(cd -- "$spec" && pwd -P)
		[[ -f $src/Makefile && -f $src/Kconfig && -f $src/scripts/kconfig/merge_config.sh ]] ||
			die "kernels build: SRC '$spec': not a kernel source tree (no Makefile, Kconfig and scripts/kconfig/merge_config.sh); give a kernel source directory or debian-src:X.Y"
		check_tools
		local h
		h=$(printf '%s' "$src" | sha256sum)
		name=$(basename -- "$src")-${h:0:8}
	fi
	out=${out:-$builds_root/$name}
	mkdir -p -- "$out" || die "kernels build: --out $out: cannot create it"
	out=$(cd -- "$out" && pwd -P)
	[[ $out != "$src" ]] || die "kernels build: --out is the source directory; builds are out of tree, give another --out"
	log=$out/build.log
	local fd
	exec {fd}>>"$out/.iterconf-build.lock"
	flock -n "$fd" || {
		kbuild_note "waiting for $out/.iterconf-build.lock (another build into $out is running)"
		flock "$fd"
	}
	: >"$log"
	# The fragment as built: a copy in OUT, so that the stamp, the record and a
	# rebuild see the same text.
	if [[ -n $frag ]]; then
		cp -- "$frag" "$out/.iterconf-fragment.tmp"
	else
		printf '%s' "$ITERCONF_FRAGMENT_TEXT" >"$out/.iterconf-fragment.tmp"
	fi
	mv -f -- "$out/.iterconf-fragment.tmp" "$out/iterconf.config"
	local frag_sha stamp_want stamp_file=$out/.iterconf-config-stamp t0=$SECONDS config_step=skipped
	frag_sha=$(sha256sum <"$out/iterconf.config")
	frag_sha=${frag_sha%% *}
	stamp_want="base=$base fragment_sha256=$frag_sha"
	if [[ ! -f $out/.config || ! -f $stamp_file || $(<"$stamp_file") != "$stamp_want" ]]; then
		config_step=ran
		rm -f -- "$stamp_file"
		kbuild_note "configuring $out: $base + $frag_name"
		# Configured into a new file (KCONFIG_CONFIG): OUT/.config is replaced
		# only when the result differs, as a rewritten .config makes kbuild
		# regenerate autoconf.h and so recompile everything.
		local new=$out/.iterconf-config.new
		rm -f -- "$new"
		kmake KCONFIG_CONFIG="$new" "$base" || make_failed "make $base" $?
		# merge_config.sh prints its override notes; they go to the log.
		(cd "$out" && KCONFIG_CONFIG=$new bash "$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$new" "$out/iterconf.config") >>"$log" 2>&1 ||
			make_failed "scripts/kconfig/merge_config.sh" $?
		kmake KCONFIG_CONFIG="$new" olddefconfig || make_failed "make olddefconfig" $?
		check_survival "$out/iterconf.config" "$new"
		if cmp -s -- "$new" "$out/.config"; then
			rm -f -- "$new" "$new.old"
		else
			mv -f -- "$new" "$out/.config"
			rm -f -- "$new.old"
		fi
		printf '%s\n' "$stamp_want" >"$stamp_file"
	else
		kbuild_note "config of $out unchanged ($base + fragment sha256 ${frag_sha:0:12}…): incremental build"
	fi
	if ((config_only)); then
		kbuild_note "config checked in $((SECONDS - t0)) s: every fragment option survived"
		printf '%s\n' "$out/.config"
		return 0
	fi
	kbuild_note "make -j$jobs bzImage in $out (log: $log)"
	kmake -j"$jobs" bzImage || make_failed "make bzImage" $?
	local secs=$((SECONDS - t0)) bz=$out/arch/x86/boot/bzImage
	[[ -f $bz ]] || {
		printf 'iterconf: error: kernels build: make bzImage succeeded but %s is missing; full log: %s\n' "$bz" "$log" >&2
		exit 1
	}
	local bz_sha release version
	bz_sha=$(sha256sum <"$bz")
	release=$(bzimage_release "$bz" 2>/dev/null || true)
	version=$(tree_version "$src")
	{
		echo "# Written by iterconf kernels build: what $bz was built from."
		echo "[build]"
		echo "source = \"$spec\""
		echo "source_dir = \"$src\""
		echo "version = \"$version\""
		echo "release = \"$release\""
		if [[ -n $pkg_toml ]]; then
			echo "package = \"$(toml_get "$pkg_toml" package)\""
			echo "package_version = \"$(toml_get "$pkg_toml" version)\""
			echo "package_suite = \"$(toml_get "$pkg_toml" suite)\""
			echo "package_sha256 = \"$(toml_get "$pkg_toml" deb_sha256)\""
		fi
		echo "base = \"$base\""
		echo "fragment = \"$frag_name\""
		echo "fragment_sha256 = \"$frag_sha\""
		echo "config_step = \"$config_step\""
		echo "jobs = \"$jobs\""
		echo "build_seconds = \"$secs\""
		echo "date = \"$(date -u +%Y-%m-%dT%H:%M:%SZ)\""
		echo "bzimage = \"$bz\""
		echo "bzimage_sha256 = \"${bz_sha%% *}\""
	} >"$out/iterconf-build.toml.tmp"
	mv -f -- "$out/iterconf-build.toml.tmp" "$out/iterconf-build.toml"
	kbuild_note "built $version ($release) in $secs s (config step: $config_step); record: $out/iterconf-build.toml"
	printf '%s\n' "$bz"
}

kbuild_main() {
	local cmd=${1:-}
	(($# == 0)) || shift
	case $cmd in
	-h | --help | help) kbuild_usage ;;
	--apt-suites)
		# iterconf passes every manifest suite, so that the private apt sources
		# stay what 'kernels fetch' writes (no list update in between).
		apt_suites=${1:?}
		shift
		kbuild_main "$@"
		;;
	source) cmd_source "$@" ;;
	build) cmd_build "$@" ;;
	'') die "kbuild.sh: no command; see 'iterconf kernels build --help'" ;;
	*) die "kbuild.sh: unknown command '$cmd'; see 'iterconf kernels build --help'" ;;
	esac
}

kbuild_main "$@"
