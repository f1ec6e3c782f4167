// iterconf: conformance and fuzz suite for the BPF verifier's open-coded
// iterators. One file per subcommand (cmd_*.cpp).
#include "cli/common.hpp"

#include <cstdio>
#include <cstring>
#include <string>

namespace iterconf::cli {
// `iterconf export --selftest ...` (cmd_export.cpp).
int cmd_export(int argc, char** argv);
// `iterconf diff BASE NEW` (cmd_diff.cpp).
int cmd_diff(int argc, char** argv);
// `iterconf mutate ...` (cmd_mutate.cpp).
int cmd_mutate(int argc, char** argv);
// `iterconf report OUT` (cmd_report.cpp).
int cmd_report(int argc, char** argv);
// `iterconf merge SHARD_OUT...` (cmd_merge.cpp).
int cmd_merge(int argc, char** argv);
} // namespace iterconf::cli

namespace {

constexpr const char* k_usage = R"(usage: iterconf <command> [options]

commands:
  run            judge case programs on a kernel (default: the running one)
  merge          join the outputs of 'run --shard I/N' into one run's output
  diff           what changed between two runs, or two kernels of one run
  list           list case programs and their expectations
  check-cases    check case sources against the house rules
  kernels        the kernel manifest: list, fetch, path, meta
  gen            write the enumerated generated corpus (BPF C or bytecode)
  export         write a finding as a kernel selftest (progs/<name>.c)
  mutate         the mutation score: kernel mutants built, booted and judged
  report         one self-contained HTML page of a run or a mutation campaign
  help           this text

'iterconf <command> --help' describes each command.
)";

} // namespace

int main(int argc, char** argv) {
    using namespace iterconf::cli;
    if (argc < 2) {
        std::fputs(k_usage, stderr);
        return 2;
    }
    set_self_path(argv[0]);
    std::string cmd = argv[1];
    try {
        if (cmd == "run")
            return cmd_run(argc - 2, argv + 2);
        if (cmd == "list")
            return cmd_list(argc - 2, argv + 2);
        if (cmd == "check-cases")
            return cmd_check_cases(argc - 2, argv + 2);
        if (cmd == "kernels")
            return cmd_kernels(argc - 2, argv + 2);
        if (cmd == "gen")
            return cmd_gen(argc - 2, argv + 2);
        if (cmd == "export")
            return cmd_export(argc - 2, argv + 2);
        if (cmd == "diff")
            return cmd_diff(argc - 2, argv + 2);
        if (cmd == "mutate")
            return cmd_mutate(argc - 2, argv + 2);
        if (cmd == "report")
            return cmd_report(argc - 2, argv + 2);
        if (cmd == "merge")
            return cmd_merge(argc - 2, argv + 2);
        if (cmd == "help" || cmd == "-h" || cmd == "--help") {
            std::fputs(k_usage, stdout);
            return 0;
        }
        if (cmd == "--version") {
            std::printf("iterconf %s\n", ITERCONF_VERSION);
            return 0;
        }
        throw UsageError{"unknown command '" + cmd + "'"};
    } catch (const UsageError& e) {
        std::fprintf(stderr, "iterconf: error: %s; see 'iterconf %s--help'\n", e.what.c_str(),
                     cmd == "run" || cmd == "list" || cmd == "check-cases" || cmd == "export" ||
                             cmd == "diff" || cmd == "mutate" || cmd == "report" || cmd == "merge"
                         ? (cmd + " ").c_str()
                         : "");
        return 2;
    }
}
