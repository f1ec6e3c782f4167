// fuzz_protocol's custom mutator (libFuzzer builds only): two times in three
// a protocol-level edit of the decoded program (protocol/mutate), written
// back in canonical form; otherwise libFuzzer's own byte mutations, which
// also reach raw start addresses and non-canonical bytes.
#include "gen/decode.hpp"
#include "protocol/mutate.hpp"

#include <cstdint>
#include <cstring>
#include <random>

extern "C" size_t LLVMFuzzerMutate(uint8_t* data, size_t size, size_t max_size);

extern "C" size_t LLVMFuzzerCustomMutator(uint8_t* data, size_t size, size_t max_size,
                                          unsigned int seed) {
    std::mt19937 rng(seed);
    if (rng() % 3 == 0)
        return LLVMFuzzerMutate(data, size, max_size);
    auto p = iterconf::gen::decode(data, size);
    iterconf::fuzz::mutate(p, rng);
    auto bytes = iterconf::gen::encode(p);
    if (bytes.size() > max_size)
        return LLVMFuzzerMutate(data, size, max_size);
    std::memcpy(data, bytes.data(), bytes.size());
    return bytes.size();
}
