// `iterconf run --bounds-corpus DIR`: fuzz_iter_bounds' inputs
// replayed on each kernel: in-process on the host, by the guest
// agent ("@bounds" plan) under QEMU. One record per (input, kernel).
#pragma once

namespace iterconf::cli {

// Called by cmd_run with its arguments when --bounds-corpus is among them.
int run_bounds(int argc, char** argv);

} // namespace iterconf::cli
