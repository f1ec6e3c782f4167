#!/usr/bin/env bash
# Installs what iterconf needs, from Debian packages only. Idempotent: when
# everything is present it only checks and returns.
set -euo pipefail

packages=(
	cmake ninja-build g++ pkg-config      # host build
	clang-19 llvm-19                      # BPF target compiler for cases (>= 18: upstream selftests)
	libc6-dev-i386                        # gnu/stubs-32.h: <limits.h> etc. under -target bpf
	clang-14 llvm-14 libclang-rt-14-dev   # libFuzzer (fuzz/)
	libbpf-dev libelf-dev zlib1g-dev libzstd-dev  # loader (static-linkable for the guest agent)
	googletest libgtest-dev               # unit tests
	clang-format-14                       # format check
	util-linux                            # setpriv, for the no-permission test
	qemu-system-x86 busybox-static        # guests: QEMU, and the initramfs's shell
	apt dpkg ca-certificates              # kernel fetch (private apt configuration)
	make gcc bison flex bc dwarves cpio   # kernels built from source (images/kbuild.sh;
	libssl-dev xz-utils perl              #   dwarves: pahole for CONFIG_DEBUG_INFO_BTF)
	zstd lz4                              # kernel BTF out of a bzImage (iterconf kernels kinds; xz-utils above)
	chromium                              # headless browser for the HTML report's tests
	jq                                    # the tests of shards and the workflow (JSON)
	python3-yaml                          # the workflow's tests (cli.ci_workflow_*); python3 for ci/gh.sh base
)

# From bookworm-backports, unpacked (not installed) into the cache by the
# kernels' private apt (images/kernels.sh unpack); CMake finds them offline:
# libbpf-dev 1.4 (BPF headers), linux-libc-dev 6.12 (UAPI <linux/bpf.h>),
# bpftool 7.5 (vmlinux.h with kfunc prototypes).
unpack_toolchain() {
	local pkg
	for pkg in libbpf-dev linux-libc-dev bpftool; do
		ITERCONF_OFFLINE=1 "$(dirname "$0")/../images/kernels.sh" unpack "$pkg" >/dev/null 2>&1 ||
			"$(dirname "$0")/../images/kernels.sh" unpack "$pkg" >/dev/null
	done
}

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "install-deps: all ${#packages[@]} packages present"
	unpack_toolchain
	exit 0
fi
echo "install-deps: installing ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
	echo "iterconf: error: install-deps: packages missing (${missing[*]}) and not root; run 'sudo ci/install-deps.sh'" >&2
	exit 2
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
unpack_toolchain
echo "install-deps: done"
