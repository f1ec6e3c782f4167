// iterconf kernels: the kernel manifest and its cache (contract 3). The
// work is done by images/kernels.sh (private apt configuration, flock'd
// cache); this command is its front door.
#include "cli/common.hpp"
#include "cli/kernels.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <unistd.h>
#include <vector>

namespace iterconf::cli {

namespace {

constexpr const char* k_usage =
    R"(usage: iterconf kernels <list|fetch [NAME...]|path NAME|meta NAME>

  list              the manifest (images/kernels.toml) and what is cached
  fetch [NAME...]   resolve each kernel to the newest matching Debian package
                    with a private apt configuration, download it with apt
                    (signatures checked), cache bzImage + config + meta
                    (default: every manifest kernel)
  path NAME         the cached bzImage of NAME (fetched first when missing)
  meta NAME         package, version and sha256 of the cached NAME

cache: $ITERCONF_CACHE_DIR, else $XDG_CACHE_HOME/iterconf, else ~/.cache/iterconf
exit: 0 ok, 1 a kernel could not be fetched, 2 usage error.
)";

} // namespace

int cmd_kernels(int argc, char** argv) {
    if (argc < 1 || !std::strcmp(argv[0], "-h") || !std::strcmp(argv[0], "--help")) {
        std::fputs(k_usage, argc < 1 ? stderr : stdout);
        return argc < 1 ? 2 : 0;
    }
    std::string script = kernels_script();
    if (access(script.c_str(), R_OK) != 0)
        return report_error(make_error(ErrorKind::infra, script,
                                       std::string("cannot read: ") + std::strerror(errno),
                                       "set ITERCONF_SOURCE_DIR to the iterconf source tree"),
                            false);
    std::vector<std::string> args = {"bash", script};
    for (int i = 0; i < argc; i++)
        args.push_back(argv[i]);
    std::vector<char*> cargs;
    for (auto& a : args)
        cargs.push_back(a.data());
    cargs.push_back(nullptr);
    execvp("bash", cargs.data());
    return report_error(
        make_error(ErrorKind::infra, "bash", std::string("cannot run: ") + std::strerror(errno)),
        false);
}

} // namespace iterconf::cli
