#include "common/shard.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <numeric>

namespace iterconf {

std::string parse_shard(const std::string& text, Shard& out) {
    auto slash = text.find('/');
    auto number = [](const std::string& s, size_t& v) {
        if (s.empty() || s.size() > 9 ||
            !std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); }))
            return false;
        v = std::stoul(s);
        return true;
    };
    Shard s;
    if (slash == std::string::npos || !number(text.substr(0, slash), s.index) ||
        !number(text.substr(slash + 1), s.count) || s.count < 1 || s.index < 1 || s.index > s.count)
        return "takes I/N with 1 <= I <= N (e.g. 2/4), not '" + text + "'";
    out = s;
    return "";
}

std::vector<size_t> split_shards(const std::vector<std::string>& ids,
                                 const std::vector<uint64_t>& weights, size_t count) {
    std::vector<size_t> order(ids.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
        if (weights[a] != weights[b])
            return weights[a] > weights[b];
        return ids[a] < ids[b];
    });
    std::vector<uint64_t> load(std::max<size_t>(count, 1), 0);
    std::vector<size_t> out(ids.size(), 0);
    for (size_t i : order) {
        size_t lightest = static_cast<size_t>(std::min_element(load.begin(), load.end()) -
                                              load.begin()); // the first among equals
        out[i] = lightest;
        load[lightest] += weights[i];
    }
    return out;
}

std::vector<size_t> shard_items(const std::vector<std::string>& ids,
                                const std::vector<uint64_t>& weights, const Shard& shard) {
    std::vector<size_t> out;
    auto of = split_shards(ids, weights, shard.count);
    for (size_t i = 0; i < of.size(); i++)
        if (of[i] == shard.index - 1)
            out.push_back(i);
    return out;
}

std::string corpus_hash(std::vector<std::string> ids, const std::string& salt) {
    std::sort(ids.begin(), ids.end());
    uint64_t h = 14695981039346656037ull;
    auto feed = [&](const std::string& s) {
        for (unsigned char c : s) {
            h ^= c;
            h *= 1099511628211ull;
        }
        h ^= '\n';
        h *= 1099511628211ull;
    };
    feed(salt);
    for (const auto& id : ids)
        feed(id);
    char buf[17];
    std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(h));
    return buf;
}

} // namespace iterconf
