#include "cli/common.hpp"

#include "bpf_flags.hpp"
#include "record/record.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fnmatch.h>
#include <fstream>
#include <spawn.h>
#include <sys/select.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace fs = std::filesystem;

namespace iterconf::cli {

namespace {

bool ends_with(const std::string& s, const char* suffix) {
    size_t n = std::strlen(suffix);
    return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
}

std::string strip_suffix(const std::string& s) {
    for (const char* suf : {".bpf.c", ".bpf.o", ".o", ".c"})
        if (ends_with(s, suf))
            return s.substr(0, s.size() - std::strlen(suf));
    return s;
}

// Id of a case file: relative to the nearest ancestor directory named
// "cases" (so build/cases/x/y.bpf.o and cases/x/y.bpf.c agree), else to
// `root` (the directory given), else the file's stem.
std::string case_id(const fs::path& file, const fs::path& root) {
    fs::path abs = fs::absolute(file).lexically_normal();
    for (fs::path p = abs.parent_path(); p.has_relative_path(); p = p.parent_path()) {
        if (p.filename() == "cases")
            return strip_suffix(abs.lexically_relative(p).generic_string());
        if (p == p.parent_path())
            break;
    }
    if (!root.empty()) {
        fs::path r = fs::absolute(root).lexically_normal();
        return strip_suffix(abs.lexically_relative(r).generic_string());
    }
    return strip_suffix(abs.filename().string());
}

} // namespace

int run_capture(const std::vector<std::string>& argv_s, std::string& out, std::string& err) {
    int po[2], pe[2];
    if (pipe2(po, O_CLOEXEC) != 0)
        return -1;
    if (pipe2(pe, O_CLOEXEC) != 0) {
        close(po[0]);
        close(po[1]);
        return -1;
    }
    std::vector<std::string> copy = argv_s;
    std::vector<char*> argv;
    for (auto& a : copy)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, po[1], 1);
    posix_spawn_file_actions_adddup2(&fa, pe[1], 2);
    pid_t pid;
    int rc = posix_spawnp(&pid, argv[0], &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    close(po[1]);
    close(pe[1]);
    if (rc != 0) {
        close(po[0]);
        close(pe[0]);
        err = std::string("cannot run ") + argv_s[0] + ": " + std::strerror(rc);
        return -1;
    }
    // Read both pipes without deadlocking on a full one.
    int fds[2] = {po[0], pe[0]};
    std::string* dst[2] = {&out, &err};
    bool open_[2] = {true, true};
    char buf[4096];
    while (open_[0] || open_[1]) {
        fd_set set;
        FD_ZERO(&set);
        int maxfd = -1;
        for (int i = 0; i < 2; i++)
            if (open_[i]) {
                FD_SET(fds[i], &set);
                maxfd = std::max(maxfd, fds[i]);
            }
        if (select(maxfd + 1, &set, nullptr, nullptr, nullptr) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        for (int i = 0; i < 2; i++) {
            if (!open_[i] || !FD_ISSET(fds[i], &set))
                continue;
            ssize_t n = read(fds[i], buf, sizeof(buf));
            if (n <= 0) {
                open_[i] = false;
                close(fds[i]);
            } else {
                dst[i]->append(buf, static_cast<size_t>(n));
            }
        }
    }
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

int report_error(const Error& e, bool json) {
    if (json) {
        std::printf("{\"error\":{\"kind\":%s,\"where\":%s,\"message\":%s}}\n",
                    record::json_quote(to_string(e.kind)).c_str(),
                    record::json_quote(e.where).c_str(),
                    record::json_quote(e.what + (e.hint.empty() ? "" : "; " + e.hint)).c_str());
        std::fflush(stdout);
    }
    std::fprintf(stderr, "iterconf: error: %s\n", e.message().c_str());
    return 2;
}

void warn(const std::string& msg) {
    std::fprintf(stderr, "iterconf: warning: %s\n", msg.c_str());
}

std::string source_dir() {
    if (const char* s = std::getenv("ITERCONF_SOURCE_DIR"))
        return s;
    return ITERCONF_SOURCE_DIR_DEFAULT;
}

std::string clang_path() {
    if (const char* s = std::getenv("ITERCONF_CLANG"))
        return s;
    return ITERCONF_CLANG_DEFAULT;
}

namespace {
std::string g_self = "iterconf";
} // namespace

std::string self_path() {
    return g_self;
}

void set_self_path(const char* argv0) {
    if (argv0 && *argv0)
        g_self = argv0;
}

std::string shell_quote(const std::string& s) {
    bool plain =
        !s.empty() && s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTU"
                                          "VWXYZ0123456789_-+=./,:@%") == std::string::npos;
    if (plain)
        return s;
    std::string q = "'";
    for (char c : s)
        q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

std::vector<std::string> bpf_compile_command(const std::string& src, const std::string& obj,
                                             const CompileOptions& opts) {
    std::vector<std::string> argv = {clang_path()};
    for (const char* f : k_ITERCONF_BPF_CFLAGS)
        argv.push_back(f);
    if (opts.werror)
        argv.push_back("-Werror");
    for (const auto& d : opts.defines)
        argv.push_back("-D" + d);
    for (const auto& d : opts.include_dirs)
        argv.push_back("-I" + d);
    for (const char* f : k_ITERCONF_BPF_INCLUDES)
        argv.push_back(f);
    argv.insert(argv.end(), {"-c", src, "-o", obj});
    return argv;
}

std::string default_cases_dir() {
    if (const char* s = std::getenv("ITERCONF_CASES_DIR"))
        return s;
    return ITERCONF_CASES_DIR_DEFAULT;
}

bool Args::option(const char* name, std::string& value) {
    if (done())
        return false;
    const std::string& a = m_args[m_i];
    size_t n = std::strlen(name);
    if (a == name) {
        if (m_i + 1 >= m_args.size())
            throw UsageError{std::string("option ") + name + " needs a value"};
        value = m_args[m_i + 1];
        m_i += 2;
        return true;
    }
    if (a.size() > n && a.compare(0, n, name) == 0 && a[n] == '=') {
        value = a.substr(n + 1);
        m_i++;
        return true;
    }
    return false;
}

bool Args::flag(const char* name, const char* alias) {
    if (done())
        return false;
    if (m_args[m_i] == name || (alias && m_args[m_i] == alias)) {
        m_i++;
        return true;
    }
    return false;
}

bool CaseSelection::parse(Args& args) {
    std::string v;
    if (args.option("--cases", v))
        cases.push_back(v);
    else if (args.option("--include", "-I", v))
        includes.push_back(v);
    else if (args.option("--define", "-D", v))
        defines.push_back(v);
    else if (args.option("--allow", "-a", v) || args.option("--filter", v))
        allow.push_back(v);
    else if (args.option("--deny", "-d", v))
        deny.push_back(v);
    else if (args.option("--out", v))
        out_dir = v;
    else
        return false;
    return true;
}

Result<std::vector<CaseInput>> discover_cases(const std::vector<std::string>& paths_in) {
    std::vector<std::string> paths = paths_in;
    if (paths.empty()) {
        std::string d = default_cases_dir();
        std::error_code ec;
        if (!fs::is_directory(d, ec))
            return make_error(ErrorKind::input, d, "no compiled cases here",
                              "build first (ci/build.sh) or pass --cases PATH");
        paths.push_back(d);
    }
    std::vector<CaseInput> out;
    auto add_file = [&](const fs::path& f, const fs::path& root) -> Result<void> {
        std::string s = f.string();
        CaseInput in;
        in.path = s;
        in.id = case_id(f, root);
        if (ends_with(s, ".c"))
            in.is_source = true;
        else if (!ends_with(s, ".o"))
            return make_error(ErrorKind::input, s, "not a case file",
                              "give a BPF C source (.c, .bpf.c), a .bpf.o object or a directory "
                              "of them");
        out.push_back(std::move(in));
        return {};
    };
    for (const auto& p : paths) {
        std::error_code ec;
        fs::file_status st = fs::status(p, ec);
        if (ec || !fs::exists(st))
            return make_error(ErrorKind::input, p, "no such file or directory", "check the path");
        if (fs::is_directory(st)) {
            std::vector<fs::path> files;
            for (auto it = fs::recursive_directory_iterator(p, ec);
                 !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
                if (it->is_directory() && it->path().filename() == "include") {
                    it.disable_recursion_pending();
                    continue;
                }
                // BPF C sources (ours are *.bpf.c, upstream's progs/ are *.c)
                // and prebuilt *.bpf.o objects.
                std::string name = it->path().filename().string();
                if (it->is_regular_file() && (ends_with(name, ".c") || ends_with(name, ".bpf.o")))
                    files.push_back(it->path());
            }
            if (ec)
                return make_error(ErrorKind::io, p, "cannot read directory: " + ec.message());
            std::sort(files.begin(), files.end());
            size_t before = out.size();
            for (const auto& f : files) {
                // a source wins over an object of the same name beside it
                std::string s = f.string();
                if (ends_with(s, ".bpf.o") &&
                    std::find(files.begin(), files.end(),
                              fs::path(s.substr(0, s.size() - 2) + ".c")) != files.end())
                    continue;
                ITERCONF_TRY(add_file(f, p));
            }
            if (out.size() == before)
                return make_error(ErrorKind::input, p, "no .c or .bpf.o files in this directory",
                                  "point --cases at case files");
        } else {
            ITERCONF_TRY(add_file(p, {}));
        }
    }
    std::vector<std::string> ids;
    for (const auto& in : out) {
        if (std::find(ids.begin(), ids.end(), in.id) != ids.end())
            return make_error(ErrorKind::input, in.path, "case id '" + in.id + "' given twice",
                              "pass each case once");
        ids.push_back(in.id);
    }
    return out;
}

Result<std::string> compile_case(const CaseInput& in, const CompileOptions& opts) {
    if (!in.is_source)
        return in.path;
    fs::path obj = fs::path(opts.out_dir) / "objs" / (in.id + ".bpf.o");
    std::error_code ec;
    fs::create_directories(obj.parent_path(), ec);
    if (ec)
        return make_error(ErrorKind::io, obj.parent_path().string(),
                          "cannot create directory: " + ec.message());
    fs::path errfile = obj;
    errfile += ".stderr";
    std::vector<std::string> argv = bpf_compile_command(in.path, obj.string(), opts);

    std::string out, diag;
    int rc = run_capture(argv, out, diag);
    if (rc < 0)
        return make_error(ErrorKind::infra, in.path, diag,
                          "install clang (ci/install-deps.sh) or set ITERCONF_CLANG");
    diag = out + diag;
    std::ofstream(errfile, std::ios::trunc) << diag;
    if (opts.verbose && !diag.empty())
        std::fputs(diag.c_str(), stderr);
    if (rc != 0) {
        std::string first;
        size_t pos = diag.find("error:");
        if (pos != std::string::npos) {
            size_t bol = diag.rfind('\n', pos);
            bol = bol == std::string::npos ? 0 : bol + 1;
            first = diag.substr(bol, diag.find('\n', pos) - bol);
        }
        return make_error(ErrorKind::input, in.path,
                          "does not compile" + (first.empty() ? "" : " (" + first + ")"),
                          "fix the case; clang's full output is in " + errfile.string());
    }
    return obj.string();
}

Result<std::vector<load::CaseObject>> load_cases(const std::vector<std::string>& paths,
                                                 const CompileOptions& opts,
                                                 std::vector<Error>* file_errors) {
    ITERCONF_TRY_ASSIGN(auto inputs, discover_cases(paths));
    std::vector<load::CaseObject> out;
    for (const auto& in : inputs) {
        auto obj = compile_case(in, opts);
        auto c =
            obj ? load::open_case(*obj, in.id, in.path) : Result<load::CaseObject>(obj.error());
        if (c) {
            out.push_back(std::move(*c));
        } else if (file_errors && c.error().kind == ErrorKind::input) {
            file_errors->push_back(c.error());
        } else {
            return c.error();
        }
    }
    if (out.empty() && file_errors && !file_errors->empty()) {
        Error e = file_errors->back();
        file_errors->pop_back();
        return e;
    }
    return out;
}

bool selected(const std::string& case_id, const std::string& prog,
              const std::vector<std::string>& allow, const std::vector<std::string>& deny) {
    std::string id = case_id + "/" + prog;
    auto hit = [&](const std::string& g) {
        return fnmatch(g.c_str(), id.c_str(), 0) == 0 ||
               fnmatch(g.c_str(), case_id.c_str(), 0) == 0;
    };
    if (!allow.empty() && std::none_of(allow.begin(), allow.end(), hit))
        return false;
    return std::none_of(deny.begin(), deny.end(), hit);
}

} // namespace iterconf::cli
