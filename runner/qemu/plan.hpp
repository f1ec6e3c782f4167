// The guest plan: what the agent in an initramfs judges. The host writes it
// to /iterconf/plan (cli/guests) and the agent reads it back (agent/main),
// both through encode_plan()/decode_plan() below.
//
// Format, version 1: text, one field per line, "<key> <JSON value>", after
// a header line and before an end line:
//   iterconf-plan 1
//   kind "cases"                      always the second line; one of the kinds below
//   item ["<object>","<case>","<program>"]   cases: one line per program, in plan order
//   bound "<gen::Bound text>"         generated: the enumerated corpus of that bound
//   shard "<I/N>"                     generated: shard I of N of it (common/shard.hpp; 1/1: all)
//   dir "<guest directory>"           inputs, bounds: where the input files are
//   source "<host directory>"         inputs: the directory the records name
//   end
// The kinds and the fields each one takes are one table in plan.cpp (a new
// kind is a row there, a handler in the agent's table and a workload on the
// host). Values are JSON strings, so any text round-trips; every field a
// kind takes is present once and not empty, and no other field is. A plan
// without its `end` line was cut short and is refused.
#pragma once

#include "common/result.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace iterconf::qemu {

struct Plan {
    enum class Kind {
        cases,     // case programs: items
        generated, // the enumerated corpus: bound
        inputs,    // programs decoded from fuzz_protocol inputs: dir, source
        bounds,    // fuzz_iter_bounds inputs replayed by the runtime oracle: dir
    };
    struct Item {
        std::string object;  // the case object in the guest
        std::string case_id; // as in the record's `case`
        std::string program;
        bool operator==(const Item&) const = default;
    };

    Kind kind = Kind::cases;
    std::vector<Item> items;
    std::string bound;
    std::string shard = "1/1";
    std::string dir;
    std::string source;

    static Plan for_cases(std::vector<Item> items);
    static Plan for_generated(std::string bound, std::string shard = "1/1");
    static Plan for_inputs(std::string dir, std::string source);
    static Plan for_bounds(std::string dir);

    bool operator==(const Plan&) const = default;
};

// The number of plan kinds (the rows of plan.cpp's table); Kind values are
// 0 .. k_plan_kinds - 1.
inline constexpr size_t k_plan_kinds = 4;

// "cases", "generated", "inputs", "bounds": the name in the `kind` line.
const char* to_string(Plan::Kind kind);

// The plan as text (decode_plan() reads it back to `p`). A field that the
// kind takes and that is empty is written as is, and decode_plan() refuses it.
std::string encode_plan(const Plan& p);

// Reads a plan; an error is one line whose `where` is `name` (the plan's
// path) and whose `what` names the line.
Result<Plan> decode_plan(std::string_view text, const std::string& name);

} // namespace iterconf::qemu
