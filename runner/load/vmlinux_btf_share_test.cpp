// Host tests of runner/load/vmlinux_btf_share.cpp, linked into this binary as
// into iterconf: the running kernel's BTF is parsed once per process, and
// btf__find_by_name_kind() on it answers from the index exactly as libbpf's
// linear scan does. Skipped, with the reason, without a readable kernel BTF.
#include <bpf/btf.h>
#include <cerrno>
#include <cstring>
#include <gtest/gtest.h>
#include <map>
#include <string>
#include <utility>

extern "C" int iterconf_vmlinux_btf_shared();

namespace {

struct btf* vmlinux_or_skip() {
    return btf__load_vmlinux_btf();
}

TEST(VmlinuxBtfShare, OneParseForTheProcess) {
    struct btf* a = vmlinux_or_skip();
    if (!a)
        GTEST_SKIP() << "kernel BTF unreadable: " << std::strerror(errno);
    ASSERT_EQ(iterconf_vmlinux_btf_shared(), 1);
    struct btf* b = btf__load_vmlinux_btf();
    EXPECT_EQ(a, b) << "a second call parsed the kernel BTF again";
    btf__free(a); // a no-op for the shared BTF: it stays usable
    EXPECT_GT(btf__type_cnt(b), 1u);
    EXPECT_EQ(btf__load_vmlinux_btf(), a);
}

// Every named type of every kind: the index's answer is the first id of that
// name and kind, as a scan from id 1 finds it; unknown names are -ENOENT with
// errno set; "void" and BTF_KIND_UNKN are 0.
TEST(VmlinuxBtfShare, LookupsAnswerAsLibbpfsScan) {
    struct btf* b = vmlinux_or_skip();
    if (!b)
        GTEST_SKIP() << "kernel BTF unreadable: " << std::strerror(errno);
    std::map<std::pair<std::string, __u32>, __s32> first; // the scan's answers
    const __u32 n = btf__type_cnt(b);
    for (__u32 id = 1; id < n; id++) {
        const struct btf_type* t = btf__type_by_id(b, id);
        const char* name = btf__name_by_offset(b, t->name_off);
        if (name && *name)
            first.emplace(std::make_pair(std::string(name), btf_kind(t)), static_cast<__s32>(id));
    }
    ASSERT_GT(first.size(), 1000u);
    size_t wrong = 0;
    for (const auto& e : first) {
        __s32 got = btf__find_by_name_kind(b, e.first.first.c_str(), e.first.second);
        if (got != e.second && ++wrong <= 5)
            ADD_FAILURE() << e.first.first << " (kind " << e.first.second << "): index " << got
                          << ", scan " << e.second;
    }
    EXPECT_EQ(wrong, 0u) << "of " << first.size() << " names";
    errno = 0;
    EXPECT_EQ(btf__find_by_name_kind(b, "iterconf_no_such_type", BTF_KIND_FUNC), -ENOENT);
    EXPECT_EQ(errno, ENOENT);
    EXPECT_EQ(btf__find_by_name_kind(b, "void", BTF_KIND_STRUCT), 0);
    EXPECT_EQ(btf__find_by_name_kind(b, "task_struct", BTF_KIND_UNKN), 0);
    // A kind of the right name but another kind is not found.
    EXPECT_EQ(btf__find_by_name_kind(b, "bpf_iter_num_new", BTF_KIND_STRUCT), -ENOENT);
    EXPECT_GT(btf__find_by_name_kind(b, "bpf_iter_num_new", BTF_KIND_FUNC), 0);
}

// A BTF that is not the shared one goes to libbpf's own lookup.
TEST(VmlinuxBtfShare, OtherBtfsUseLibbpf) {
    struct btf* own = btf__new_empty();
    ASSERT_TRUE(own);
    int i = btf__add_int(own, "iterconf_int", 4, BTF_INT_SIGNED);
    ASSERT_GT(i, 0);
    EXPECT_EQ(btf__find_by_name_kind(own, "iterconf_int", BTF_KIND_INT), i);
    EXPECT_LT(btf__find_by_name_kind(own, "task_struct", BTF_KIND_STRUCT), 0);
    btf__free(own);
}

} // namespace
