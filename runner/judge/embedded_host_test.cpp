// Host test: generated programs with the state-embedding oracle's checks
// embedded (gen/beliefs.hpp) loaded — verified only, never attached — on
// the running kernel. Skipped, with the reason, when bpf() is not permitted.
#include "gen/emit_bpf.hpp"
#include "gen/enumerate.hpp"
#include "load/loader.hpp"
#include "load/raw_load.hpp"
#include "model/model.hpp"

#include <gtest/gtest.h>

namespace iterconf::judge {
namespace {

using gen::Program;
using record::Verdict;

// The state-embedding oracle's checks (gen/beliefs.hpp) must not change
// what the verifier says: every program of the default corpus that the
// kernel accepts is accepted with its beliefs embedded (the checks only
// store to a map and count), and so with a falsified belief (the oracle's
// fault injection). Loaded only; they run in guests.
TEST(EmbeddedBeliefs, KeepTheVerdict) {
    auto loader = load::RawLoader::open();
    if (!loader)
        GTEST_SKIP() << loader.error().message();
    model::KernelFeatures k;
    auto release = load::HostKernel::open();
    ASSERT_TRUE(release);
    ASSERT_TRUE(model::KernelFeatures::from_release(release->release(), k));
    size_t accepted = 0, checked_points = 0;
    gen::Bound bound;
    bound.addrs = gen::Addrs::none;
    gen::enumerate(bound, [&](const Program& p) {
        if (!model::expect(p, k).accept) // (the corpus's 0 disagreements: run --generated)
            return true;
        auto plain = loader->load(gen::emit_bpf(p), load::RawOptions{.log_size = 0});
        if (plain.result.verdict != Verdict::accept)
            return true;
        accepted++;
        gen::Beliefs b = model::beliefs(p, k);
        checked_points += gen::embedded_points(b);
        auto with = loader->load(gen::emit_bpf(p, &b));
        EXPECT_EQ(to_string(with.result.verdict), std::string("accept"))
            << p.text() << "\n"
            << gen::disasm(gen::emit_bpf(p, &b)) << with.log;
        if (gen::falsify_first(b)) {
            auto wrong = loader->load(gen::emit_bpf(p, &b), load::RawOptions{.log_size = 0});
            EXPECT_EQ(to_string(wrong.result.verdict), std::string("accept")) << p.text();
        }
        return !HasFailure();
    });
    EXPECT_GT(accepted, 1000u);
    EXPECT_GT(checked_points, accepted / 2);
}

} // namespace
} // namespace iterconf::judge
