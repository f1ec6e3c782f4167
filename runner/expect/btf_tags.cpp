#include "expect/btf_tags.hpp"

#include <bpf/btf.h>
#include <cerrno>
#include <cstring>
#include <linux/btf.h>

namespace iterconf::expect {

Result<std::map<std::string, std::vector<std::string>>> read_func_tags(const std::string& object) {
    struct btf* btf = btf__parse_elf(object.c_str(), nullptr);
    if (!btf) {
        int err = errno;
        return make_error(ErrorKind::input, object,
                          std::string("cannot read BTF: ") + std::strerror(err),
                          "compile the case with -g so that it carries BTF");
    }
    std::map<std::string, std::vector<std::string>> out;
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

} // namespace iterconf::expect
