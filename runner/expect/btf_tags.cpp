#include "expect/btf_tags.hpp"

#include <bpf/btf.h>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <linux/btf.h>

namespace iterconf::expect {

namespace {

// Collects the tags of one parsed BTF and frees it.
FuncTags collect(struct btf* btf) {
    FuncTags out;
    __u32 n = btf__type_cnt(btf);
    for (__u32 id = 1; id < n; id++) {
        const struct btf_type* t = btf__type_by_id(btf, id);
        if (!t || btf_kind(t) != BTF_KIND_DECL_TAG)
            continue;
        if (btf_decl_tag(t)->component_idx != -1)
            continue;
        const struct btf_type* target = btf__type_by_id(btf, t->type);
        if (!target || btf_kind(target) != BTF_KIND_FUNC)
            continue;
        const char* fname = btf__name_by_offset(btf, target->name_off);
        const char* tag = btf__name_by_offset(btf, t->name_off);
        if (fname && tag)
            out[fname].push_back(tag);
    }
    btf__free(btf);
    return out;
}

} // namespace

Result<FuncTags> read_func_tags(const std::string& object) {
    struct btf* btf = btf__parse_elf(object.c_str(), nullptr);
    if (!btf) {
        int err = errno;
        return make_error(ErrorKind::input, object,
                          std::string("cannot read BTF: ") + std::strerror(err),
                          "compile the case with -g so that it carries BTF");
    }
    return collect(btf);
}

Result<FuncTags> read_func_tags_from_btf(const void* data, size_t size, const std::string& where) {
    // libbpf 1.x returns NULL and sets errno when the blob is malformed.
    errno = 0;
    struct btf* btf = nullptr;
    if (size > 0 && size <= UINT32_MAX)
        btf = btf__new(data, static_cast<__u32>(size));
    if (!btf) {
        int err = errno;
        return make_error(ErrorKind::input, where,
                          std::string("cannot parse BTF: ") +
                              (err ? std::strerror(err) : "empty or too large"),
                          "give the object's .BTF section");
    }
    return collect(btf);
}

} // namespace iterconf::expect
