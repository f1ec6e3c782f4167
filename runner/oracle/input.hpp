// The oracle's input format: what bytes mean as a layout and walks to check.
// Any bytes are an input (the fuzz target's, and the corpus files replayed
// by `iterconf run --bounds-corpus` and the guest agent):
//   scenario   layout (61 of 64 values), or the special ones: an exited task
//              (zombie), a kernel thread, a contended mmap lock (hammer)
//   ops        up to 48 layout commands in the layout process's arena: mmap
//              (anon, file, memfd; private or shared), munmap, mprotect,
//              mremap, madvise, many one-page VMAs (up to 4000), populate,
//              stack growth
//   queries    1..8 of (start address, limit); addresses are chosen relative
//              to the layout (a VMA's start/end, +-1, a gap, after the last
//              VMA, the arena) or from edge values (0, last user page,
//              kernel half, [vsyscall], ~0) or raw
#pragma once

#include "oracle/compare.hpp"
#include "oracle/layout_abi.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace iterconf::oracle {

// How values are read: each is an integer in [min, max] taken from the END
// of the input, most significant byte first, in as few bytes as the span
// max - min needs (none when min == max), then reduced modulo span + 1; an
// exhausted input reads as min. That is libFuzzer's
// FuzzedDataProvider::ConsumeIntegralInRange, which defined the format
// first; it is written out here so the corpus keeps its meaning without the
// fuzzing library (fuzz/iter_bounds/make_seeds.py writes the same way).
class InputReader {
  public:
    InputReader(const uint8_t* data, size_t size) : m_data(data), m_left(size) {}
    uint64_t range(uint64_t min, uint64_t max);
    bool flag() { return range(0, 255) & 1; } // the low bit of one byte
    template <typename T, size_t N> T pick(const std::array<T, N>& values) {
        return values[range(0, N - 1)];
    }
    size_t remaining() const { return m_left; }

  private:
    const uint8_t* m_data;
    size_t m_left;
};

enum class Scenario { layout, zombie, kthread, contended };

struct AddrSel {
    uint8_t kind = 0;
    uint32_t index = 0;
    uint64_t delta = 0;
    uint64_t raw = 0;
};

struct QuerySpec {
    AddrSel addr;
    uint32_t limit = 0;
};

struct Input {
    Scenario scenario = Scenario::layout;
    std::vector<layout_cmd> ops;
    std::vector<QuerySpec> queries;
};

Input decode(const uint8_t* data, size_t size);

// The input as readable text (for reproducers).
std::string describe(const Input& in);

// The address a selector names in this layout (`maps` without [vsyscall]).
uint64_t resolve(const AddrSel& sel, const std::vector<MapsEntry>& maps, uint64_t arena);

} // namespace iterconf::oracle
