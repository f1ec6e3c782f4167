// The replay's support decision: `unsupported` (a match) only when the
// walker says, by type, that the kernel has no task_vma kfuncs.
#include "oracle/replay.hpp"

#include <gtest/gtest.h>

using namespace iterconf;

TEST(OracleSupport, NoKfuncIsUnsupportedAndMatches) {
    record::Record r;
    r.expected = record::Verdict::accept;
    oracle::judge_unavailable(
        r, make_error(ErrorKind::infra, "kernel", "kernel has no bpf_iter_task_vma_new"),
        oracle::Support::no_kfunc);
    EXPECT_EQ(r.verdict, record::Verdict::unsupported);
    EXPECT_EQ(r.expected, record::Verdict::unsupported);
    EXPECT_TRUE(r.match);
    EXPECT_EQ(r.missing_kfuncs, std::vector<std::string>{"bpf_iter_task_vma_new"});
}

TEST(OracleSupport, UnreadableBtfIsALoadErrorNotUnsupported) {
    // The walker's words for this start like the unsupported case's
    // ("kernel has no ..."): only the type decides.
    record::Record r;
    r.expected = record::Verdict::accept;
    oracle::judge_unavailable(r,
                              make_error(ErrorKind::infra, "kernel", "kernel has no readable BTF",
                                         "CONFIG_DEBUG_INFO_BTF is needed"),
                              oracle::Support::no_btf);
    EXPECT_EQ(r.verdict, record::Verdict::load_error);
    EXPECT_EQ(r.expected, record::Verdict::accept);
    EXPECT_FALSE(r.match);
    EXPECT_NE(r.reason.find("kernel has no readable BTF"), std::string::npos);
}

TEST(OracleSupport, NoPermissionIsNotUnsupported) {
    record::Record r;
    r.expected = record::Verdict::accept;
    oracle::judge_unavailable(r,
                              make_error(ErrorKind::infra, "walk", "bpf() not permitted (EPERM)"),
                              oracle::Support::no_permission);
    EXPECT_EQ(r.verdict, record::Verdict::load_error);
    EXPECT_FALSE(r.match);
}

TEST(OracleSupport, OnlyNoKfuncIsAVerdict) {
    // Every other reason is the harness's: a load_error, never a match.
    for (auto s :
         {oracle::Support::no_btf, oracle::Support::no_permission, oracle::Support::fault}) {
        record::Record r;
        r.expected = record::Verdict::accept;
        oracle::judge_unavailable(r, make_error(ErrorKind::infra, "kernel", "kernel has no walk"),
                                  s);
        EXPECT_EQ(r.verdict, record::Verdict::load_error) << oracle::to_string(s);
        EXPECT_FALSE(r.match) << oracle::to_string(s);
    }
}
