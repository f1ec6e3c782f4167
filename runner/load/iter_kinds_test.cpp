// Discovery of iterator kinds on hand-built BTF (no kernel needed).
#include "gen/kinds.hpp"
#include "load/iter_kinds.hpp"

#include <bpf/btf.h>
#include <gtest/gtest.h>
#include <memory>

namespace iterconf::load {
namespace {

struct BtfDeleter {
    void operator()(struct btf* b) const { btf__free(b); }
};
using BtfPtr = std::unique_ptr<struct btf, BtfDeleter>;

// A small vmlinux-like BTF: `struct bpf_iter_<kind>` of `size` bytes and
// the kfuncs of `roles` ("new", "next", "destroy", "new_impl").
class Builder {
  public:
    Builder() : m_btf(btf__new_empty()) {
        m_int = btf__add_int(m_btf.get(), "int", 4, BTF_INT_SIGNED);
        m_u64 = btf__add_int(m_btf.get(), "u64", 8, 0);
    }
    void kind(const std::string& name, uint32_t size, std::initializer_list<const char*> roles) {
        struct btf* b = m_btf.get();
        int st = btf__add_struct(b, ("bpf_iter_" + name).c_str(), size);
        ASSERT_GT(st, 0);
        ASSERT_EQ(btf__add_field(b, "__opaque", m_u64, 0, 0), 0);
        int ptr = btf__add_ptr(b, st);
        for (const char* role : roles) {
            int proto = btf__add_func_proto(b, std::string(role) == "destroy" ? 0 : m_int);
            ASSERT_GT(proto, 0);
            ASSERT_EQ(btf__add_func_param(b, "it", ptr), 0);
            std::string fn = "bpf_iter_" + name + "_" + role;
            ASSERT_GT(btf__add_func(b, fn.c_str(), BTF_FUNC_GLOBAL, proto), 0);
        }
    }
    // A bpf_iter_* function that is not an iterator kfunc (no iterator arg).
    void unrelated(const char* fn) {
        int proto = btf__add_func_proto(m_btf.get(), m_int);
        btf__add_func_param(m_btf.get(), "x", m_int);
        btf__add_func(m_btf.get(), fn, BTF_FUNC_GLOBAL, proto);
    }
    const struct btf* get() const { return m_btf.get(); }

  private:
    BtfPtr m_btf;
    int m_int = 0, m_u64 = 0;
};

TEST(IterKinds, KnownUnknownPartialAndWrongSize) {
    Builder b;
    b.kind("task_vma", 8, {"new", "next", "destroy"}); // known, right size
    b.kind("bits", 24, {"new", "next", "destroy"});    // known, table says 16
    b.kind("foo", 16, {"new", "next", "destroy"});     // unknown to the table
    b.kind("half", 8, {"new", "next"});                // partial: no destroy
    b.unrelated("bpf_iter_run_prog_next");             // not an iterator kfunc
    KindReport r = discover_kinds(b.get());

    ASSERT_EQ(r.found.size(), 4u);
    const FoundKind* vma = r.find("task_vma");
    ASSERT_NE(vma, nullptr);
    EXPECT_TRUE(vma->complete());
    ASSERT_NE(vma->known, nullptr);
    EXPECT_EQ(vma->size, 8);
    EXPECT_FALSE(vma->size_mismatch());

    const FoundKind* bits = r.find("bits");
    ASSERT_NE(bits, nullptr);
    EXPECT_TRUE(bits->size_mismatch());

    const FoundKind* foo = r.find("foo");
    ASSERT_NE(foo, nullptr);
    EXPECT_EQ(foo->known, nullptr);
    EXPECT_EQ(foo->size, 16);
    ASSERT_EQ(r.unknown().size(), 1u);
    EXPECT_EQ(r.unknown()[0]->name, "foo");

    const FoundKind* half = r.find("half");
    ASSERT_NE(half, nullptr);
    EXPECT_FALSE(half->complete());
    EXPECT_EQ(half->missing(), "destroy");
    EXPECT_EQ(r.find("run_prog"), nullptr);

    // Every other known kind is absent, by name.
    EXPECT_EQ(r.absent.size(), gen::known_kinds().size() - 2);
    bool css_absent = false;
    for (const auto* k : r.absent)
        css_absent |= std::string(k->name) == "css";
    EXPECT_TRUE(css_absent);

    auto w = kind_warnings(r, "host");
    ASSERT_EQ(w.size(), 3u);
    EXPECT_EQ(w[0], "kernel 'host': iterator kind 'bits' is 24 bytes, the kind table says 16");
    EXPECT_EQ(w[1], "kernel 'host': iterator kind 'foo' (bpf_iter_foo_new/next/destroy, 16 bytes) "
                    "is unknown to the kind table");
    EXPECT_EQ(w[2], "kernel 'host': iterator kind 'half' is partial: bpf_iter_half_new/next "
                    "without destroy");
}

TEST(IterKinds, NewImplCountsAsNew) {
    Builder b;
    b.kind("scx_dsq", 48, {"new_impl", "next", "destroy"});
    KindReport r = discover_kinds(b.get());
    const FoundKind* f = r.find("scx_dsq");
    ASSERT_NE(f, nullptr);
    EXPECT_TRUE(f->complete());
    EXPECT_FALSE(f->size_mismatch());
    EXPECT_TRUE(kind_warnings(r, "k").empty());
}

TEST(IterKinds, KindOfKfunc) {
    ASSERT_NE(kind_of_kfunc("bpf_iter_css_task_new"), nullptr);
    EXPECT_STREQ(kind_of_kfunc("bpf_iter_css_task_new")->name, "css_task");
    EXPECT_STREQ(kind_of_kfunc("bpf_iter_css_next")->name, "css");
    EXPECT_STREQ(kind_of_kfunc("bpf_iter_scx_dsq_new_impl")->name, "scx_dsq");
    EXPECT_EQ(kind_of_kfunc("bpf_iter_foo_new"), nullptr);
    EXPECT_EQ(kind_of_kfunc("bpf_cgroup_release"), nullptr);
}

TEST(IterKinds, MissingKindsReason) {
    auto none = [](const std::string&) { return false; };
    // All of a kind's kfuncs absent: the kind is named with its release.
    EXPECT_EQ(missing_kinds_reason({"bpf_iter_css_task_new", "bpf_iter_css_task_next",
                                    "bpf_iter_css_task_destroy", "bpf_cgroup_from_id"},
                                   none),
              "iterator kind css_task missing from kernel BTF (since 6.7)");
    EXPECT_EQ(missing_kinds_reason({"bpf_iter_testmod_seq_new", "bpf_iter_num_new"}, none),
              "iterator kind testmod_seq missing from kernel BTF (module bpf_testmod); "
              "iterator kind num missing from kernel BTF (since 6.4)");
    // The kernel has some of the kind: not a missing kind (a kfunc is).
    auto has_next = [](const std::string& f) { return f == "bpf_iter_bits_next"; };
    EXPECT_EQ(missing_kinds_reason({"bpf_iter_bits_new"}, has_next), "");
    // scx_dsq on 7.2: only bpf_iter_scx_dsq_new_impl left is still the kind.
    auto impl = [](const std::string& f) { return f == "bpf_iter_scx_dsq_new_impl"; };
    EXPECT_EQ(missing_kinds_reason({"bpf_iter_scx_dsq_new"}, impl), "");
    // Unknown kinds and other kfuncs: nothing to say.
    EXPECT_EQ(missing_kinds_reason({"bpf_iter_foo_new", "bpf_cgroup_release"}, none), "");
}

TEST(KindTable, EveryReferenceKind) {
    for (const char* k : {"num", "task_vma", "task", "css", "css_task", "bits", "kmem_cache",
                          "dmabuf", "scx_dsq", "testmod_seq"})
        EXPECT_NE(gen::find_known_kind(k), nullptr) << k;
    EXPECT_EQ(gen::known_kinds().size(), 10u);
    EXPECT_EQ(gen::find_known_kind("task")->slots(), 3);
    EXPECT_TRUE(gen::find_known_kind("kmem_cache")->sleepable());
    EXPECT_EQ(gen::flags_str(gen::find_known_kind("task_vma")->new_flags), "KF_RCU|KF_ITER_NEW");
}

TEST(KindTable, GeneratorRowsAgree) {
    EXPECT_TRUE(gen::kinds_agree_with_known_kinds());
}

} // namespace
} // namespace iterconf::load
