// Shards: `iterconf run --shard I/N` judges shard I of N of the selected
// items, so that N machines (a CI job matrix) judge one corpus between them
// and `iterconf merge` puts the records back together.
//
// The split depends only on the items' ids and weights, never on their
// order, the time or the machine: the items are sorted by (weight
// descending, id), and each in turn goes to the shard that is lightest so
// far (the lowest index among equals). Every item lands in exactly one
// shard, and the heaviest and the lightest shard differ by at most the
// weight of one item (the last item put on the heaviest shard went to the
// lightest one). Equal weights deal the sorted ids round-robin.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace iterconf {

struct Shard {
    size_t index = 1; // 1-based
    size_t count = 1;
    bool whole() const { return count == 1; }
    std::string text() const { return std::to_string(index) + "/" + std::to_string(count); }
    bool operator==(const Shard&) const = default;
};

// "I/N" with 1 <= I <= N; the error text ("" when it parses) otherwise.
std::string parse_shard(const std::string& text, Shard& out);

// The shard (0-based) of each item; ids are unique, weights >= 1.
std::vector<size_t> split_shards(const std::vector<std::string>& ids,
                                 const std::vector<uint64_t>& weights, size_t count);

// The indices of the items in `shard`, ascending (the workload's order).
std::vector<size_t> shard_items(const std::vector<std::string>& ids,
                                const std::vector<uint64_t>& weights, const Shard& shard);

// The identity of a corpus (not a guard against tampering): a 64-bit
// FNV-1a over `salt` (e.g. the bound) and the sorted ids, one per line, as
// 16 hex digits; the same items give the same text on every machine.
std::string corpus_hash(std::vector<std::string> ids, const std::string& salt);

} // namespace iterconf
