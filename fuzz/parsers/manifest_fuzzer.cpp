// fuzz_manifest: the kernel manifest (images/kernels.toml). Its only parser
// is images/kernels.sh (bash); iterconf reads back what the script prints
// (cli/manifest: parse_manifest_names, parse_meta). This target runs the
// real script on each input as the manifest and checks both sides. It runs
// bash once per input, so it is slow (hundreds of inputs per second) and
// libFuzzer sees coverage of the C++ side only.
//
// Invariants:
//  - `kernels.sh names` exits 0 or 2;
//  - on 0: nothing on stderr, the names parse on the C++ side (valid table
//    names, no duplicates, at least one), and each is a [table] of the input;
//  - on 2: nothing on stdout, and stderr is one line
//    "iterconf: error: <manifest>[:<line>]: ..." with a line that exists;
//  - parse_meta (the same text read as a meta record) keeps the first value
//    of each key, and no value spans lines.
#include "check.hpp"
#include "cli/manifest.hpp"

#include <cstdint>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <spawn.h>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

using namespace iterconf::fuzz;

namespace {

std::string g_dir, g_manifest;

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// Runs `bash kernels.sh names`; returns its exit status (-1: not run).
int run_names(std::string& out, std::string& err) {
    std::string o = g_dir + "/out", e = g_dir + "/err";
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, o.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&fa, 2, e.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    std::string script = ITERCONF_SOURCE_DIR "/images/kernels.sh";
    char bash[] = "bash", names[] = "names";
    char* argv[] = {bash, script.data(), names, nullptr};
    pid_t pid;
    int rc = posix_spawnp(&pid, "bash", &fa, nullptr, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0)
        return -1;
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        ;
    out = slurp(o);
    err = slurp(e);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// The number of lines bash's `read` loop sees: a last line without '\n'
// counts too.
size_t line_count(const std::string& s) {
    size_t n = 0;
    for (char c : s)
        n += c == '\n';
    return n + (!s.empty() && s.back() != '\n');
}

void check_meta(const std::string& text) {
    auto meta = iterconf::cli::parse_meta(text);
    for (const auto& [k, v] : meta) {
        PARSERS_CHECK(v.find('\n') == std::string::npos && k.find('\n') == std::string::npos,
                      "meta key or value spans lines");
        // The first line "k=..." holds v.
        std::string first;
        size_t b = 0;
        bool found = false;
        while (b <= text.size() && !found) {
            size_t e = text.find('\n', b);
            if (e == std::string::npos)
                e = text.size();
            std::string l = text.substr(b, e - b);
            if (l.find('=') != std::string::npos && l.substr(0, l.find('=')) == k) {
                first = l.substr(l.find('=') + 1);
                found = true;
            }
            b = e + 1;
        }
        PARSERS_CHECK(found && first == v, "meta '" + k + "' is not its first value");
    }
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    char tmpl[] = "/tmp/iterconf-fuzz-manifest.XXXXXX";
    if (!mkdtemp(tmpl)) {
        std::perror("mkdtemp");
        std::exit(2);
    }
    g_dir = tmpl;
    g_manifest = g_dir + "/kernels.toml";
    setenv("ITERCONF_KERNELS_MANIFEST", g_manifest.c_str(), 1);
    setenv("ITERCONF_CACHE_DIR", (g_dir + "/cache").c_str(), 1);
    setenv("LC_ALL", "C", 1);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size > 8192)
        return 0; // bash reads it line by line: keep each run short
    std::string text(reinterpret_cast<const char*>(data), size);
    check_meta(text);
    {
        std::ofstream f(g_manifest, std::ios::binary | std::ios::trunc);
        f.write(text.data(), static_cast<std::streamsize>(text.size()));
    }
    std::string out, err;
    int rc = run_names(out, err);
    PARSERS_CHECK(rc == 0 || rc == 2,
                  "kernels.sh names exited " + std::to_string(rc) + "; stderr: " + err);
    if (rc == 0) {
        PARSERS_CHECK(err.empty(), "stderr on success: " + err);
        auto names = iterconf::cli::parse_manifest_names(out);
        PARSERS_CHECK(names.ok(), "iterconf refuses what kernels.sh printed: " +
                                      (names ? std::string() : names.error().message()));
        PARSERS_CHECK(!names->empty(), "no kernels, exit 0");
        for (const auto& n : *names)
            PARSERS_CHECK(text.find("[" + n + "]") != std::string::npos,
                          "name '" + n + "' is no table of the manifest");
        return 0;
    }
    PARSERS_CHECK(out.empty(), "stdout on failure: " + out);
    const std::string prefix = "iterconf: error: " + g_manifest;
    PARSERS_CHECK(err.rfind(prefix, 0) == 0, "error does not name the manifest: " + err);
    PARSERS_CHECK(!err.empty() && err.back() == '\n' && err.find('\n') == err.size() - 1,
                  "error is not one line: " + err);
    for (unsigned char c : err.substr(0, err.size() - 1))
        PARSERS_CHECK(c >= 0x20 && c != 0x7f, "control character in error: " + err);
    if (err.size() > prefix.size() + 1 && err[prefix.size()] == ':' &&
        err[prefix.size() + 1] >= '0' && err[prefix.size() + 1] <= '9') {
        long line = std::strtol(err.c_str() + prefix.size() + 1, nullptr, 10);
        PARSERS_CHECK(line >= 1 && static_cast<size_t>(line) <= line_count(text),
                      "error names a line that does not exist: " + err);
    }
    return 0;
}
