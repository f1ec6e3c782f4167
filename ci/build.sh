#!/usr/bin/env bash
# Configures and builds iterconf (host tools and the BPF case corpus).
#   ci/build.sh            -> build/        (RelWithDebInfo, -Werror)
#   ci/build.sh --sanitize -> build-asan/   (host code under ASan+UBSan)
# Incremental: quick when nothing changed.
set -euo pipefail
cd "$(dirname "$0")/.."

dir=build
extra=()
if [ "${1:-}" = "--sanitize" ]; then
	dir=build-asan
	extra=(-DCMAKE_BUILD_TYPE=Debug "-DITERCONF_SANITIZE=address;undefined")
fi
if [ ! -f "$dir/build.ninja" ]; then
	cmake -S . -B "$dir" -G Ninja "${extra[@]}" >/dev/null
fi
cmake --build "$dir" -- -j"$(nproc)"
