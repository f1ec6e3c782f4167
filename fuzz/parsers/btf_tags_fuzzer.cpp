// fuzz_btf_tags: a BTF blob -> the annotation decl tags of its FUNCs
// (expect/btf_tags: read_func_tags_from_btf, the code read_func_tags uses
// for objects), then each program's tags -> expectations (expect/spec).
//
// Input: a raw .BTF section. Invariants:
//  - a blob libbpf refuses is one printable error line naming the blob;
//  - for a blob libbpf accepts, the tags found are exactly those a separate,
//    minimal walk of the BTF type section finds here (decl tags with
//    component_idx -1 on a FUNC, names within the string section);
//  - parse_program_tags on each program's tags succeeds or fails with one
//    printable line naming the program.
#include "check.hpp"
#include "expect/btf_tags.hpp"
#include "expect/spec.hpp"

#include <bpf/libbpf.h>
#include <cstdarg>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>

using namespace iterconf::fuzz;
using iterconf::expect::FuncTags;

namespace {

uint32_t u32(const uint8_t* p) {
    uint32_t v;
    std::memcpy(&v, p, 4);
    return v;
}

// The bytes of each BTF kind after its 12-byte btf_type (include/uapi/linux/btf.h).
std::optional<size_t> extra(uint32_t kind, uint32_t vlen) {
    switch (kind) {
    case 2:  // PTR
    case 7:  // FWD
    case 8:  // TYPEDEF
    case 9:  // VOLATILE
    case 10: // CONST
    case 11: // RESTRICT
    case 12: // FUNC
    case 16: // FLOAT
    case 18: // TYPE_TAG
        return 0;
    case 1:  // INT
    case 14: // VAR
    case 17: // DECL_TAG
        return 4;
    case 3: // ARRAY
        return 12;
    case 4:  // STRUCT
    case 5:  // UNION
    case 15: // DATASEC
    case 19: // ENUM64
        return size_t{vlen} * 12;
    case 6:  // ENUM
    case 13: // FUNC_PROTO
        return size_t{vlen} * 8;
    default:
        return std::nullopt;
    }
}

// Our own reading of a native-endian blob that libbpf accepted; nullopt
// when it is outside what this walk handles (then nothing is compared).
std::optional<FuncTags> walk(const uint8_t* d, size_t size) {
    if (size < 24 || d[0] != 0x9f || d[1] != 0xeb)
        return std::nullopt;
    uint32_t hdr_len = u32(d + 4), type_off = u32(d + 8), type_len = u32(d + 12);
    uint32_t str_off = u32(d + 16), str_len = u32(d + 20);
    uint64_t types = uint64_t{hdr_len} + type_off, strs = uint64_t{hdr_len} + str_off;
    if (types + type_len > size || strs + str_len > size)
        return std::nullopt;
    struct T {
        uint32_t name, kind, type;
        int32_t component = 0;
    };
    std::vector<T> ts(1); // id 0 is void
    for (uint64_t p = types; p < types + type_len;) {
        if (p + 12 > types + type_len)
            return std::nullopt;
        uint32_t info = u32(d + p + 4);
        T t{u32(d + p), (info >> 24) & 0x1f, u32(d + p + 8)};
        auto n = extra(t.kind, info & 0xffff);
        if (!n || p + 12 + *n > types + type_len)
            return std::nullopt;
        if (t.kind == 17)
            t.component = static_cast<int32_t>(u32(d + p + 12));
        ts.push_back(t);
        p += 12 + *n;
    }
    auto name = [&](uint32_t off) -> std::optional<std::string> {
        if (off >= str_len)
            return std::nullopt;
        const char* s = reinterpret_cast<const char*>(d + strs + off);
        size_t len = strnlen(s, str_len - off);
        if (len == str_len - off)
            return std::nullopt;
        return std::string(s, len);
    };
    FuncTags out;
    for (const T& t : ts) {
        if (t.kind != 17 || t.component != -1 || t.type >= ts.size() || ts[t.type].kind != 12)
            continue;
        auto f = name(ts[t.type].name), tag = name(t.name);
        if (f && tag)
            out[*f].push_back(*tag);
    }
    return out;
}

int quiet(enum libbpf_print_level, const char*, va_list) {
    return 0;
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    libbpf_set_print(quiet);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string where = "fuzz.bpf.o";
    auto tags = iterconf::expect::read_func_tags_from_btf(data, size, where);
    if (!tags) {
        check_error_line(tags.error(), "read_func_tags_from_btf");
        PARSERS_CHECK(tags.error().where == where, tags.error().message());
        return 0;
    }
    if (auto mine = walk(data, size))
        PARSERS_CHECK(*mine == *tags, "libbpf and the raw walk found different tags");
    for (const auto& [func, list] : *tags) {
        std::string prog_where = where + ": prog '" + iterconf::printable(func) + "'";
        auto spec = iterconf::expect::parse_program_tags(func, list, prog_where);
        if (!spec)
            check_error_line(spec.error(), "parse_program_tags");
    }
    return 0;
}
