#include "cli/targets.hpp"

#include "cli/common.hpp"
#include "target/qemu.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <spawn.h>
#include <sys/select.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace fs = std::filesystem;

namespace iterconf::cli {

std::string kernels_script() {
    return source_dir() + "/images/kernels.sh";
}

std::string agent_path() {
    if (const char* s = std::getenv("ITERCONF_AGENT"))
        return s;
    return ITERCONF_AGENT_DEFAULT;
}

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

namespace {

std::string first_line(const std::string& s) {
    std::string l = s.substr(0, s.find('\n'));
    const std::string prefix = "iterconf: error: ";
    if (l.rfind(prefix, 0) == 0)
        l = l.substr(prefix.size());
    return l;
}

Result<std::vector<std::string>> manifest_names() {
    std::string out, err;
    int rc = run_capture({"bash", kernels_script(), "names"}, out, err);
    if (rc != 0)
        return make_error(ErrorKind::infra, kernels_script(),
                          "cannot read the kernel manifest: " + first_line(err),
                          "check images/kernels.toml");
    std::vector<std::string> names;
    size_t b = 0;
    while (b < out.size()) {
        size_t e = out.find('\n', b);
        if (e == std::string::npos)
            e = out.size();
        if (e > b)
            names.push_back(out.substr(b, e - b));
        b = e + 1;
    }
    return names;
}

std::string label_for_path(const std::string& path) {
    std::string l = fs::path(path).filename().string();
    for (char& c : l)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_')
            c = '_';
    return l.empty() ? "kernel" : l;
}

} // namespace

Result<std::vector<Target>> resolve_targets(const std::vector<std::string>& specs, bool verbose) {
    std::vector<std::string> items;
    for (const auto& s : specs) {
        size_t b = 0;
        while (b <= s.size()) {
            size_t e = s.find(',', b);
            if (e == std::string::npos)
                e = s.size();
            if (e > b)
                items.push_back(s.substr(b, e - b));
            b = e + 1;
        }
    }
    if (items.empty())
        items.push_back("host");
    std::optional<std::vector<std::string>> names;
    auto get_names = [&]() -> Result<void> {
        if (!names) {
            ITERCONF_TRY_ASSIGN(auto n, manifest_names());
            names = std::move(n);
        }
        return {};
    };
    std::vector<std::string> expanded;
    for (const auto& it : items) {
        if (it == "all") {
            ITERCONF_TRY(get_names());
            expanded.push_back("host");
            for (const auto& n : *names)
                expanded.push_back(n);
        } else {
            expanded.push_back(it);
        }
    }
    std::vector<Target> targets;
    for (const auto& it : expanded) {
        if (std::any_of(targets.begin(), targets.end(),
                        [&](const Target& t) { return t.source == it; }))
            continue;
        Target t;
        t.source = it;
        if (it == "host") {
            t.host = true;
            t.label = "host";
            targets.push_back(t);
            continue;
        }
        bool is_path = it.find('/') != std::string::npos || fs::exists(it);
        if (!is_path) {
            ITERCONF_TRY(get_names());
            if (std::find(names->begin(), names->end(), it) == names->end()) {
                std::string known;
                for (const auto& n : *names)
                    known += (known.empty() ? "" : ", ") + n;
                return make_error(ErrorKind::usage, "kernel '" + it + "'",
                                  "not 'host', 'all', a manifest name or an existing file",
                                  "manifest kernels: " + known);
            }
            t.label = it;
            if (verbose)
                std::fprintf(stderr, "iterconf: kernel '%s': resolving (images/kernels.sh)\n",
                             it.c_str());
            std::string out, err;
            int rc = run_capture({"bash", kernels_script(), "path", it}, out, err);
            while (!out.empty() && (out.back() == '\n' || out.back() == ' '))
                out.pop_back();
            if (rc != 0 || out.empty()) {
                std::string what = first_line(err);
                std::string prefix = "kernel '" + it + "': ";
                if (what.rfind(prefix, 0) == 0)
                    what = what.substr(prefix.size());
                t.error = make_error(ErrorKind::infra, "kernel '" + it + "'",
                                     what.empty() ? "cannot be fetched" : what);
                t.error_exit = 1;
            } else {
                t.image = out;
                std::string mout, merr;
                if (run_capture({"bash", kernels_script(), "meta", it}, mout, merr) == 0) {
                    std::string pkg, ver;
                    size_t b = 0;
                    while (b < mout.size()) {
                        size_t e = mout.find('\n', b);
                        if (e == std::string::npos)
                            e = mout.size();
                        std::string l = mout.substr(b, e - b);
                        if (l.rfind("package=", 0) == 0)
                            pkg = l.substr(8);
                        else if (l.rfind("version=", 0) == 0)
                            ver = l.substr(8);
                        b = e + 1;
                    }
                    t.package = pkg + " " + ver;
                }
            }
        } else {
            t.image = it;
            t.label = label_for_path(it);
        }
        // Labels name output directories: keep them unique.
        for (std::string base = t.label;
             std::any_of(targets.begin(), targets.end(),
                         [&](const Target& o) { return o.label == t.label; });)
            t.label = base + "-" + std::to_string(targets.size());
        if (!t.error) {
            if (auto c = target::check_kernel_image(t.image); !c) {
                t.error = c.error();
                t.error_exit = 2;
            }
        }
        targets.push_back(t);
    }
    return targets;
}

} // namespace iterconf::cli
