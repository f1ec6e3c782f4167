#include "gen/corpus.hpp"

#include "gen/decode.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace fs = std::filesystem;

namespace iterconf::gen {

Result<std::vector<CorpusInput>> read_corpus(const std::string& dir) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
        return make_error(ErrorKind::input, dir, "not a directory",
                          "pass a directory of fuzz_protocol inputs, e.g. "
                          "fuzz-out/fuzz_protocol/accepted or fuzz/corpus/fuzz_protocol");
    std::vector<CorpusInput> out;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        std::string name = it->path().filename().string();
        if (name.starts_with(".") || !it->is_regular_file(ec))
            continue;
        std::ifstream in(it->path(), std::ios::binary);
        CorpusInput i;
        i.name = name;
        i.bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
        if (in.bad())
            return make_error(ErrorKind::io, it->path().string(), "cannot read",
                              "check the file's permissions");
        out.push_back(std::move(i));
    }
    if (ec)
        return make_error(ErrorKind::io, dir, "cannot list: " + ec.message(),
                          "check the directory's permissions");
    if (out.empty())
        return make_error(ErrorKind::input, dir, "no input files",
                          "run a fuzz_protocol campaign first, or pass fuzz/corpus/fuzz_protocol");
    std::sort(out.begin(), out.end(),
              [](const CorpusInput& a, const CorpusInput& b) { return a.name < b.name; });
    for (auto& i : out)
        i.program = decode(i.bytes);
    return out;
}

} // namespace iterconf::gen
