#include "common/fuzz_common.hpp"

#include <cstdio>
#include <cstdlib>
#include <filesystem>

namespace iterconf::fuzz {

void skip(const std::string& need, const std::string& reason) {
    const char* req = std::getenv("ITERCONF_REQUIRE");
    std::string list = "," + std::string(req ? req : "") + ",";
    if (list.find("," + need + ",") != std::string::npos) {
        std::fprintf(stderr, "iterconf: error: %s (required: ITERCONF_REQUIRE=%s)\n",
                     reason.c_str(), req);
        std::fflush(nullptr);
        std::_Exit(1);
    }
    std::printf("SKIP: %s\n", reason.c_str());
    std::fflush(nullptr);
    std::_Exit(77);
}

std::string out_dir(const std::string& target) {
    const char* env = std::getenv("ITERCONF_FUZZ_OUT");
    std::filesystem::path dir =
        std::filesystem::path(env && *env ? env : "fuzz-out") / target;
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    return dir.string();
}

} // namespace iterconf::fuzz
