// fuzz_plan: the guest plan, written by the host and read by the agent
// (qemu/plan: encode_plan, decode_plan).
//
// Input: plan text; the same bytes also describe a plan to write. Invariants:
//  - decode_plan never crashes: a plan reads back, or the error is one
//    printable line whose `where` is the plan's name;
//  - a plan that reads back, written again, reads back to the same plan,
//    and that text is a fixed point;
//  - any plan of any kind whose fields are not empty (the plan the bytes
//    describe: kind, items, values with any bytes, newlines and quotes
//    included) is written as text that reads back to the same plan.
#include "check.hpp"
#include "qemu/plan.hpp"

#include <cstdint>
#include <fuzzer/FuzzedDataProvider.h>
#include <string>

using namespace iterconf::fuzz;
using iterconf::qemu::Plan;

namespace {

// A non-empty value taken from the input.
std::string value(FuzzedDataProvider& in) {
    std::string s = in.ConsumeRandomLengthString(64);
    return s.empty() ? "x" : s;
}

// The plan the bytes describe: every field its kind takes, not empty.
Plan described(FuzzedDataProvider& in) {
    auto kind = static_cast<Plan::Kind>(
        in.ConsumeIntegralInRange<size_t>(0, iterconf::qemu::k_plan_kinds - 1));
    switch (kind) {
    case Plan::Kind::cases: {
        std::vector<Plan::Item> items(in.ConsumeIntegralInRange<size_t>(0, 8));
        for (auto& it : items) {
            it.object = value(in);
            it.case_id = value(in);
            it.program = value(in);
        }
        return Plan::for_cases(std::move(items));
    }
    case Plan::Kind::generated: {
        std::string bound = value(in);
        return Plan::for_generated(bound, value(in));
    }
    case Plan::Kind::inputs: {
        std::string dir = value(in);
        return Plan::for_inputs(dir, value(in));
    }
    case Plan::Kind::bounds:
        return Plan::for_bounds(value(in));
    }
    return Plan();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string text(reinterpret_cast<const char*>(data), size);
    auto p = iterconf::qemu::decode_plan(text, "plan");
    if (!p) {
        check_error_line(p.error(), "decode_plan");
        PARSERS_CHECK(p.error().where == "plan", "the error does not name the plan");
    } else {
        std::string written = iterconf::qemu::encode_plan(*p);
        auto back = iterconf::qemu::decode_plan(written, "plan");
        PARSERS_CHECK(back.ok(), "written plan does not read back: " +
                                     (back ? std::string() : back.error().message()));
        PARSERS_CHECK(*back == *p, "written plan reads back to another plan: " + written);
        PARSERS_CHECK(iterconf::qemu::encode_plan(*back) == written,
                      "not a fixed point: " + written);
    }

    FuzzedDataProvider in(data, size);
    Plan want = described(in);
    std::string written = iterconf::qemu::encode_plan(want);
    auto back = iterconf::qemu::decode_plan(written, "plan");
    PARSERS_CHECK(back.ok(),
                  "a plan of kind " + std::string(iterconf::qemu::to_string(want.kind)) +
                      " does not read back: " + (back ? std::string() : back.error().message()));
    PARSERS_CHECK(*back == want, "a plan reads back to another plan: " + written);
    return 0;
}
