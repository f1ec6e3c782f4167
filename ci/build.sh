#!/usr/bin/env bash
# Configures and builds iterconf (host tools and the BPF case corpus).
#   ci/build.sh            -> build/        (RelWithDebInfo, -Werror)
#   ci/build.sh --sanitize -> build-asan/   (host code under ASan+UBSan)
#   ci/build.sh --fuzz     -> build-fuzz/   (clang: libFuzzer targets, ASan+UBSan;
#                                            only the fuzz targets and iterconf)
# Incremental: quick when nothing changed.
set -euo pipefail
cd "$(dirname "$0")/.."

dir=build
extra=()
if [ "${1:-}" = "--sanitize" ]; then
	dir=build-asan
	extra=(-DCMAKE_BUILD_TYPE=Debug "-DITERCONF_SANITIZE=address;undefined")
fi
targets=()
if [ "${1:-}" = "--fuzz" ]; then
	dir=build-fuzz
	extra=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang-14
		-DCMAKE_CXX_COMPILER=clang++-14 -DITERCONF_FUZZ=ON "-DITERCONF_SANITIZE=address;undefined")
	targets=(--target fuzzers iterconf)
fi
if [ ! -f "$dir/build.ninja" ]; then
	cmake -S . -B "$dir" -G Ninja "${extra[@]}" >/dev/null
fi
cmake --build "$dir" "${targets[@]}" -- -j"$(nproc)"
