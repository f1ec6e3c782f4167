// The bounds replay's support decision: `unsupported` (a match) only when
// the oracle says, by type, that the kernel has no task_vma iterator.
#include "agent/bounds.hpp"
#include "iter_bounds/oracle.hpp"

#include <gtest/gtest.h>

using namespace iterconf;

TEST(BoundsSupport, NoIteratorIsUnsupportedAndMatches) {
    record::Record r;
    r.expected = record::Verdict::accept;
    agent::judge_unavailable(
        r, make_error(ErrorKind::infra, "kernel", "kernel has no bpf_iter_task_vma_new"),
        bounds::Support::no_iterator);
    EXPECT_EQ(r.verdict, record::Verdict::unsupported);
    EXPECT_EQ(r.expected, record::Verdict::unsupported);
    EXPECT_TRUE(r.match);
    EXPECT_EQ(r.missing_kfuncs, std::vector<std::string>{"bpf_iter_task_vma_new"});
}

TEST(BoundsSupport, UnreadableBtfIsALoadErrorNotUnsupported) {
    // The oracle's words for this start like the unsupported case's did
    // ("kernel has no ..."): only the type decides.
    record::Record r;
    r.expected = record::Verdict::accept;
    agent::judge_unavailable(r,
                             make_error(ErrorKind::infra, "kernel", "kernel has no readable BTF",
                                        "CONFIG_DEBUG_INFO_BTF is needed"),
                             bounds::Support::available);
    EXPECT_EQ(r.verdict, record::Verdict::load_error);
    EXPECT_EQ(r.expected, record::Verdict::accept);
    EXPECT_FALSE(r.match);
    EXPECT_NE(r.reason.find("kernel has no readable BTF"), std::string::npos);
}

TEST(BoundsSupport, NotPermittedIsNotUnsupported) {
    record::Record r;
    r.expected = record::Verdict::accept;
    agent::judge_unavailable(r, make_error(ErrorKind::infra, "walk", "bpf() not permitted (EPERM)"),
                             bounds::Support::not_permitted);
    EXPECT_EQ(r.verdict, record::Verdict::load_error);
    EXPECT_FALSE(r.match);
}
