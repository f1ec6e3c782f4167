// What the iterconf subcommands share: finding and compiling cases, option
// parsing helpers, and printing errors.
#pragma once

#include "common/result.hpp"
#include "load/loader.hpp"

#include <string>
#include <vector>

namespace iterconf::cli {

// Raised by argument parsing; main() prints it and exits 2.
struct UsageError {
    std::string what;
};

// Prints "iterconf: error: <where>: <what>; <hint>" (or the --json form on
// stdout) and returns 2.
int report_error(const Error& e, bool json);
void warn(const std::string& msg);

struct CaseInput {
    std::string path; // .bpf.c or .bpf.o
    std::string id;   // "task_vma/double_new"
    bool is_source = false;
};

// Expands --cases arguments (files or directories, recursively) into case
// inputs. With no argument, the corpus this binary was built with.
Result<std::vector<CaseInput>> discover_cases(const std::vector<std::string>& paths);

struct CompileOptions {
    std::vector<std::string> include_dirs; // searched before ours (-I)
    std::vector<std::string> defines;      // -D NAME[=VALUE]
    std::string out_dir;                   // where objects go
    bool verbose = false;
    bool werror = false;
};

// Runs a command with stdin from /dev/null, capturing stdout and stderr;
// returns its exit status (128 + signal when killed), or -1 when it could
// not start (then `err` says why).
int run_capture(const std::vector<std::string>& argv, std::string& out, std::string& err);

// Compiles a .bpf.c with clang -target bpf; returns the object path.
Result<std::string> compile_case(const CaseInput& in, const CompileOptions& opts);

// The clang command line that compiles `src` to `obj`: the build's BPF flags
// (ITERCONF_BPF_CFLAGS in CMakeLists.txt), the user's -I dirs, then ours.
std::vector<std::string> bpf_compile_command(const std::string& src, const std::string& obj,
                                             const CompileOptions& opts);

// discover + compile + open_case for every input. With `file_errors`, a file
// that does not compile or has bad annotations is collected there and the
// others still load (an error only when none does); without, it is the error.
Result<std::vector<load::CaseObject>> load_cases(const std::vector<std::string>& paths,
                                                 const CompileOptions& opts,
                                                 std::vector<Error>* file_errors = nullptr);

// test_progs-style selection: a program is selected when it matches some
// allow glob (or there are none) and no deny glob. Globs match the id
// "<case>/<program>" or the case id alone.
bool selected(const std::string& case_id, const std::string& prog,
              const std::vector<std::string>& allow, const std::vector<std::string>& deny);

std::string clang_path();
// argv[0] as iterconf was invoked (set by main), for reproduce lines.
std::string self_path();
void set_self_path(const char* argv0);
// `s` quoted for a POSIX shell when it needs it.
std::string shell_quote(const std::string& s);
std::string default_cases_dir();
std::string source_dir();

// Small helper for argument parsing: "--opt VALUE" or "--opt=VALUE".
class Args {
  public:
    Args(int argc, char** argv) : m_args(argv, argv + argc) {}
    bool done() const { return m_i >= m_args.size(); }
    const std::string& peek() const { return m_args[m_i]; }
    // true when the current argument is `name` or `name=...`; then `value`
    // takes its value (the next argument when not given with '=')
    bool option(const char* name, std::string& value);
    bool option(const char* name, const char* alias, std::string& value) {
        return option(name, value) || (alias && option(alias, value));
    }
    bool flag(const char* name, const char* alias = nullptr);
    std::string next() { return m_args[m_i++]; }

  private:
    std::vector<std::string> m_args;
    size_t m_i = 0;
};

// The case-selection options `run` and `list` share: --cases, -I/--include,
// -a/--allow/--filter, -d/--deny, --out.
struct CaseSelection {
    std::vector<std::string> cases, includes, defines, allow, deny;
    std::string out_dir = "out";
    // Consumes the current argument when it is one of these options.
    bool parse(Args& args);
};

int cmd_run(int argc, char** argv);
int cmd_list(int argc, char** argv);
int cmd_check_cases(int argc, char** argv);
int cmd_kernels(int argc, char** argv);
int cmd_gen(int argc, char** argv);

} // namespace iterconf::cli
