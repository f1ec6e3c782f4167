#!/usr/bin/env bash
# Installs what iterconf needs, from Debian packages only. Idempotent: when
# everything is present it only checks and returns.
set -euo pipefail

packages=(
	cmake ninja-build g++ pkg-config      # host build
	clang-19 llvm-19                      # BPF target compiler for cases (>= 18: upstream selftests)
	bpftool linux-libc-dev                # vmlinux.h from kernel BTF; <linux/...> for BPF C
	clang-14 llvm-14 libclang-rt-14-dev   # libFuzzer (fuzz/)
	libbpf-dev libelf-dev zlib1g-dev libzstd-dev  # loader (static-linkable for the guest agent)
	googletest libgtest-dev               # unit tests
	clang-format-14                       # format check
	util-linux                            # setpriv, for the no-permission test
	qemu-system-x86 busybox-static        # guests: QEMU, and the initramfs's shell
	apt dpkg ca-certificates              # kernel fetch (private apt configuration)
)

# libbpf >= 1.4's BPF headers (bpf_helpers.h etc.) from bookworm-backports,
# unpacked (not installed) into the cache by the kernels' private apt; CMake
# finds them with `images/kernels.sh unpack libbpf-dev` offline.
unpack_libbpf_headers() {
	if ITERCONF_OFFLINE=1 "$(dirname "$0")/../images/kernels.sh" unpack libbpf-dev >/dev/null 2>&1; then
		return 0
	fi
	"$(dirname "$0")/../images/kernels.sh" unpack libbpf-dev >/dev/null
}

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "install-deps: all ${#packages[@]} packages present"
	unpack_libbpf_headers
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
unpack_libbpf_headers
echo "install-deps: done"
