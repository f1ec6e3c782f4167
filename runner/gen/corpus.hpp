// Fuzz inputs as a corpus of generated programs: `iterconf run --generated
// --inputs DIR` judges the programs that the files of DIR decode to
// (gen/decode), e.g. the accepted programs a fuzz_protocol campaign saved,
// on the host (verify only) and in guests (load and run). Read by the CLI
// and by the guest agent.
#pragma once

#include "common/result.hpp"
#include "gen/program.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace iterconf::gen {

struct CorpusInput {
    std::string name; // file name in the directory
    std::vector<uint8_t> bytes;
    Program program; // decode(bytes)
};

// The regular files directly in `dir` (not hidden ones), sorted by name, each
// decoded. An input error when `dir` is not a readable directory or holds no
// input.
Result<std::vector<CorpusInput>> read_corpus(const std::string& dir);

} // namespace iterconf::gen
