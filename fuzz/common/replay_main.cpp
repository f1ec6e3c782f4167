// The replay driver for builds without libFuzzer (the plain and ASan builds
// of ci/test.sh): runs LLVMFuzzerTestOneInput once on every input it is
// given, a file or every file under a directory (sorted), so a checked-in
// corpus is re-checked by ctest. Arguments starting with '-' (libFuzzer
// flags) are ignored. Exit 0 when every input ran; a finding aborts, as it
// would under libFuzzer.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int* argc, char*** argv);

int main(int argc, char** argv) {
    namespace fs = std::filesystem;
    if (LLVMFuzzerInitialize)
        LLVMFuzzerInitialize(&argc, &argv);
    std::vector<fs::path> inputs;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a.starts_with("-"))
            continue;
        std::error_code ec;
        if (fs::is_directory(a, ec)) {
            std::vector<fs::path> here;
            for (const auto& e : fs::recursive_directory_iterator(a))
                if (e.is_regular_file())
                    here.push_back(e.path());
            std::sort(here.begin(), here.end());
            inputs.insert(inputs.end(), here.begin(), here.end());
        } else if (fs::is_regular_file(a, ec)) {
            inputs.emplace_back(a);
        } else {
            std::fprintf(stderr, "iterconf: error: %s: no such input file or directory\n",
                         a.c_str());
            return 2;
        }
    }
    for (const auto& p : inputs) {
        std::ifstream in(p, std::ios::binary);
        std::vector<uint8_t> data((std::istreambuf_iterator<char>(in)),
                                  std::istreambuf_iterator<char>());
        if (!in.good() && !in.eof()) {
            std::fprintf(stderr, "iterconf: error: %s: cannot read\n", p.c_str());
            return 2;
        }
        std::fprintf(stderr, "replay: %s\n", p.c_str());
        LLVMFuzzerTestOneInput(data.data(), data.size());
    }
    std::printf("replay: %zu inputs, no finding\n", inputs.size());
    return 0;
}
