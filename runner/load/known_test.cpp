#include "load/known.hpp"

#include <bpf/btf.h>
#include <gtest/gtest.h>
#include <memory>

using namespace iterconf::load;

TEST(Known, BuiltInListsHaveTheIteratorKfuncsAndLsmHooks) {
    ASSERT_FALSE(known_kfuncs().empty());
    for (const char* k :
         {"bpf_iter_task_vma_new", "bpf_iter_task_vma_next", "bpf_iter_task_vma_destroy",
          "bpf_iter_num_new", "bpf_iter_bits_new", "bpf_iter_testmod_seq_new"})
        EXPECT_NE(find_known_kfunc(k), nullptr) << k;
    EXPECT_EQ(find_known_kfunc("bpf_iter_task_vam_new"), nullptr);
    EXPECT_NE(find_known_kfunc("file_open", known_lsm_hooks()), nullptr);
    EXPECT_EQ(find_known_kfunc("iterconf_no_such_hook", known_lsm_hooks()), nullptr);
}

TEST(Known, ParsesTheListFormat) {
    auto r = parse_kfunc_list("# comment\n\nbpf_b <=6.1\nbpf_a 6.1-6.12 7.2 # dropped\n"
                              "bpf_t module:bpf_testmod\n",
                              "kfuncs.txt");
    ASSERT_TRUE(r.ok()) << r.error().message();
    ASSERT_EQ(r->size(), 3u);
    EXPECT_EQ((*r)[0].name, "bpf_a"); // sorted
    EXPECT_EQ((*r)[0].last, "7.2");
    EXPECT_EQ(known_kfunc_span((*r)[0]),
              "a known kfunc, added after 6.1 (present in 6.12), not in the vmlinux of kernels "
              "after 7.2");
    EXPECT_EQ(known_kfunc_span((*r)[1]), "a known kfunc, present in 6.1 or earlier");
    EXPECT_EQ(known_kfunc_span((*r)[2]), "a known kfunc, in module bpf_testmod");
    auto bad = parse_kfunc_list("bpf_a\n", "kfuncs.txt");
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().where, "kfuncs.txt:1");
    EXPECT_FALSE(parse_kfunc_list("bpf-a 6.1\n", "k").ok());
    EXPECT_FALSE(parse_kfunc_list("bpf_a 6.1\nbpf_a 6.2\n", "k").ok());
}

TEST(Known, EditDistanceCountsASwapOnce) {
    EXPECT_EQ(edit_distance("bpf_iter_task_vam_new", "bpf_iter_task_vma_new"), 1u);
    EXPECT_EQ(edit_distance("abc", "abc"), 0u);
    EXPECT_EQ(edit_distance("", "abc"), 3u);
    EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
}

TEST(Known, MisspelledKfuncIsAnErrorWithTheClosestName) {
    auto e = check_kfunc_known("bpf_iter_task_vam_new", "cases/x.bpf.c: prog 'p'");
    ASSERT_FALSE(e.ok());
    EXPECT_EQ(e.error().message(), "cases/x.bpf.c: prog 'p': kfunc 'bpf_iter_task_vam_new' is "
                                   "known to no kernel; did you mean 'bpf_iter_task_vma_new'?");
    EXPECT_TRUE(check_kfunc_known("bpf_iter_task_vma_new", "w").ok());
    // far from every known name: no suggestion
    EXPECT_EQ(closest_kfunc("iterconf_no_such_kfunc_anywhere"), "");
    auto far = check_kfunc_known("iterconf_no_such_kfunc_anywhere", "w");
    ASSERT_FALSE(far.ok());
    EXPECT_EQ(far.error().hint.find("did you mean"), std::string::npos);
    // short names need a closer match
    EXPECT_EQ(closest_kfunc("bpf_x"), "");
}

namespace {

using BtfPtr = std::unique_ptr<struct btf, void (*)(struct btf*)>;

// A kernel BTF with the given FUNCs (void f(void)) and tracepoint typedefs.
BtfPtr make_btf(const std::vector<std::string>& funcs,
                const std::vector<std::string>& typedefs = {}) {
    BtfPtr b(btf__new_empty(), btf__free);
    int proto = btf__add_func_proto(b.get(), 0);
    for (const auto& f : funcs)
        btf__add_func(b.get(), f.c_str(), BTF_FUNC_GLOBAL, proto);
    for (const auto& t : typedefs)
        btf__add_typedef(b.get(), t.c_str(), proto);
    return b;
}

const std::vector<KnownKfunc> k_hooks = {{"bprm_check_security", "<=6.1", ""},
                                         {"file_open", "<=6.1", ""},
                                         {"inode_new_hook", "6.12-7.2", ""}};

} // namespace

TEST(Known, LsmHookAbsentWithoutBpfLsmIsUnsupported) {
    // a kernel without CONFIG_BPF_LSM: no bpf_lsm_* function at all
    auto no_lsm = make_btf({"security_file_open", "bpf_fentry_test1"});
    auto c = check_attach_target(no_lsm.get(), "lsm/file_open", k_hooks);
    EXPECT_EQ(c.state, AttachTarget::absent_known);
    EXPECT_EQ(c.reason, "attach target bpf_lsm_file_open absent from kernel BTF (CONFIG_BPF_LSM?)");
    EXPECT_EQ(check_attach_target(no_lsm.get(), "lsm.s/file_open", k_hooks).state,
              AttachTarget::absent_known);
    EXPECT_EQ(check_attach_target(no_lsm.get(), "?lsm/file_open", k_hooks).state,
              AttachTarget::absent_known);
    // a hook no kernel has stays a load_error (a mismatch), BPF LSM or not
    EXPECT_EQ(check_attach_target(no_lsm.get(), "lsm/file_opne", k_hooks).state,
              AttachTarget::absent_unknown);
    EXPECT_EQ(check_attach_target(no_lsm.get(), "lsm/iterconf_no_such_hook").state,
              AttachTarget::absent_unknown);
}

TEST(Known, LsmHookOfOtherKernelsIsUnsupportedUnknownIsNot) {
    auto lsm = make_btf({"bpf_lsm_file_open", "bpf_lsm_bprm_check_security"});
    EXPECT_EQ(check_attach_target(lsm.get(), "lsm/file_open", k_hooks).state,
              AttachTarget::present);
    auto newer = check_attach_target(lsm.get(), "lsm/inode_new_hook", k_hooks);
    EXPECT_EQ(newer.state, AttachTarget::absent_known);
    EXPECT_EQ(newer.reason, "attach target bpf_lsm_inode_new_hook absent from kernel BTF (a "
                            "known LSM hook, added after 6.12 (present in 7.2))");
    EXPECT_EQ(check_attach_target(lsm.get(), "lsm/file_opne", k_hooks).state,
              AttachTarget::absent_unknown);
}

TEST(Known, OtherAttachTargetsAreNeverKnownWhenAbsent) {
    auto b = make_btf({"bpf_fentry_test1"}, {"btf_trace_sys_enter"});
    EXPECT_EQ(check_attach_target(b.get(), "fentry/bpf_fentry_test1").state, AttachTarget::present);
    EXPECT_EQ(check_attach_target(b.get(), "fentry/bpf_fentry_tset1").state,
              AttachTarget::absent_unknown);
    EXPECT_EQ(check_attach_target(b.get(), "tp_btf/sys_enter").state, AttachTarget::present);
    EXPECT_EQ(check_attach_target(b.get(), "tp_btf/sys_entr").state, AttachTarget::absent_unknown);
    EXPECT_EQ(check_attach_target(b.get(), "raw_tp/sys_enter").state, AttachTarget::none);
    EXPECT_EQ(check_attach_target(b.get(), "syscall").state, AttachTarget::none);
    EXPECT_EQ(check_attach_target(b.get(), "fentry/bpf_testmod:func").state, AttachTarget::none);
}

TEST(Known, SplitSectionDropsTheNoAutoloadPrefix) {
    auto a = iterconf::load::split_section("?lsm.s/file_open");
    EXPECT_EQ(a.kind, "lsm.s");
    EXPECT_EQ(a.target, "file_open");
    auto b = iterconf::load::split_section("raw_tp");
    EXPECT_EQ(b.kind, "raw_tp");
    EXPECT_EQ(b.target, "");
    auto c = iterconf::load::split_section("fentry/bpf_fentry_test1");
    EXPECT_EQ(c.kind, "fentry");
    EXPECT_EQ(c.target, "bpf_fentry_test1");
}
