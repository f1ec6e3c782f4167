// Generated programs: `iterconf gen` writes the enumerated corpus
// as BPF C or bytecode; `iterconf run --generated` judges it on the running
// kernel through the bytecode path, each record expecting what the
// reference model predicts, and lists the disagreements by class with the
// shortest program of each.
#pragma once

namespace iterconf::cli {

int cmd_gen(int argc, char** argv);
// `iterconf run --generated ...` (called by cmd_run with its arguments).
int run_generated(int argc, char** argv);

} // namespace iterconf::cli
