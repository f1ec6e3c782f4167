// fuzz_protocol's parts that need no kernel: the protocol mutator and the
// finding's case file.
#include "gen/decode.hpp"
#include "protocol/finding.hpp"
#include "protocol/mutate.hpp"

#include <gtest/gtest.h>
#include <random>
#include <set>

using namespace iterconf;

TEST(FuzzProtocol, MutationsStayValidEncodableAndDeterministic) {
    std::mt19937 rng(3), again(3);
    gen::Program p, q;
    std::set<std::string> seen;
    for (int i = 0; i < 25000; i++) {
        fuzz::mutate(p, rng);
        fuzz::mutate(q, again);
        ASSERT_EQ(p, q);
        ASSERT_EQ(p.validate(), "") << p.text();
        ASSERT_LE(gen::op_count(p.ops), static_cast<size_t>(gen::k_max_ops));
        ASSERT_LE(gen::nesting(p.ops), gen::k_max_depth);
        ASSERT_EQ(gen::decode(gen::encode(p)), p) << p.text();
        seen.insert(p.text());
        if (i % 500 == 499) // start over now and then, as a corpus would
            p = q = gen::Program{};
    }
    EXPECT_GT(seen.size(), 4000u);
}

// The mutator reaches every kind of the table in both slots, and a mutated
// program of any kind survives its own input format (format 2).
TEST(FuzzProtocol, MutationsCoverEveryKind) {
    std::mt19937 rng(5);
    gen::Program p;
    std::set<int> slot0, slot1;
    for (int i = 0; i < 5000; i++) {
        fuzz::mutate(p, rng);
        slot0.insert(static_cast<int>(p.kinds[0]));
        slot1.insert(static_cast<int>(p.kinds[1]));
        ASSERT_EQ(gen::decode(gen::encode(p)), p) << p.text();
    }
    EXPECT_EQ(slot0.size(), gen::kinds().size());
    EXPECT_EQ(slot1.size(), gen::kinds().size());
}

TEST(FuzzProtocol, MessagePatternBlanksNumbers) {
    EXPECT_EQ(protocol::msg_pattern("Unreleased reference id=3 alloc_insn=12"),
              "Unreleased reference id={{[0-9]+}} alloc_insn={{[0-9]+}}");
    EXPECT_EQ(protocol::msg_pattern("R6 invalid mem access 'scalar'"),
              "R{{[0-9]+}} invalid mem access 'scalar'");
}

TEST(FuzzProtocol, CaseFileCarriesTheKernelsBehaviour) {
    protocol::Finding f;
    f.minimal = gen::decode(std::vector<uint8_t>{0, 0, 1}); // new0: leaks the reference
    f.original = f.minimal;
    f.release = "6.18.44-test";
    f.input = "fuzz-out/fuzz_protocol/findings/x.input";
    f.judged.e.accept = true; // pretend the model accepted it
    f.judged.r.verdict = record::Verdict::reject;
    f.judged.r.message = "Unreleased reference id=2 alloc_insn=5";
    f.judged.r.reason = "expected accept, got reject";
    f.judged.cls = protocol::class_of(f.judged);
    EXPECT_EQ(f.judged.cls, "model accept -> kernel reject");
    std::string c = protocol::case_text(f);
    EXPECT_EQ(c.rfind("// SPDX-License-Identifier: GPL-2.0\n", 0), 0u) << c;
    EXPECT_NE(c.find(" * Contract: the reference model (runner/model) predicts accept;"),
              std::string::npos)
        << c;
    EXPECT_NE(c.find("__failure\n__msg(\"Unreleased reference id={{[0-9]+}} "
                     "alloc_insn={{[0-9]+}}\")\nint model_accept_kernel_reject_" +
                     f.minimal.name() + "(void *ctx)"),
              std::string::npos)
        << c;
    EXPECT_EQ(c.find("DO NOT EDIT"), std::string::npos);
}
