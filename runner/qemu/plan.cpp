#include "qemu/plan.hpp"

#include "record/json.hpp"
#include "record/record.hpp"

#include <array>

namespace iterconf::qemu {

namespace {

constexpr std::string_view k_header = "iterconf-plan 1";

struct Field {
    const char* key;
    std::string Plan::*member;
};

// One row per kind, in Kind order: its name and what it takes.
struct KindSpec {
    Plan::Kind kind;
    const char* name;
    bool items;
    std::vector<Field> fields;
};

const std::array<KindSpec, k_plan_kinds>& kinds() {
    static const std::array<KindSpec, k_plan_kinds> k = {{
        {Plan::Kind::cases, "cases", true, {}},
        {Plan::Kind::generated,
         "generated",
         false,
         {{"bound", &Plan::bound}, {"shard", &Plan::shard}}},
        {Plan::Kind::inputs, "inputs", false, {{"dir", &Plan::dir}, {"source", &Plan::source}}},
        {Plan::Kind::bounds, "bounds", false, {{"dir", &Plan::dir}}},
    }};
    return k;
}

const KindSpec& spec(Plan::Kind kind) {
    return kinds()[static_cast<size_t>(kind)];
}

// Every field key any kind takes (a key outside this list is unknown; one
// in it but not taken by the plan's kind is misplaced).
bool known_field(std::string_view key) {
    for (const auto& k : kinds())
        for (const auto& f : k.fields)
            if (key == f.key)
                return true;
    return false;
}

} // namespace

Plan Plan::for_cases(std::vector<Item> items) {
    Plan p;
    p.kind = Kind::cases;
    p.items = std::move(items);
    return p;
}

Plan Plan::for_generated(std::string bound, std::string shard) {
    Plan p;
    p.kind = Kind::generated;
    p.bound = std::move(bound);
    p.shard = std::move(shard);
    return p;
}

Plan Plan::for_inputs(std::string dir, std::string source) {
    Plan p;
    p.kind = Kind::inputs;
    p.dir = std::move(dir);
    p.source = std::move(source);
    return p;
}

Plan Plan::for_bounds(std::string dir) {
    Plan p;
    p.kind = Kind::bounds;
    p.dir = std::move(dir);
    return p;
}

const char* to_string(Plan::Kind kind) {
    return spec(kind).name;
}

std::string encode_plan(const Plan& p) {
    using record::json_quote;
    const KindSpec& k = spec(p.kind);
    std::string out = std::string(k_header) + "\nkind " + json_quote(k.name) + "\n";
    if (k.items)
        for (const auto& it : p.items)
            out += "item [" + json_quote(it.object) + "," + json_quote(it.case_id) + "," +
                   json_quote(it.program) + "]\n";
    for (const auto& f : k.fields)
        out += std::string(f.key) + " " + json_quote(p.*f.member) + "\n";
    return out + "end\n";
}

Result<Plan> decode_plan(std::string_view text, const std::string& name) {
    auto lines = split_lines(text);
    size_t n = 0; // the line being read, from 1
    auto bad = [&](const std::string& what) {
        return make_error(ErrorKind::infra, name,
                          (n ? "line " + std::to_string(n) + ": " : std::string()) + what,
                          "the host and the agent read different plan formats; rebuild both "
                          "(iterconf and iterconf-agent) from one tree");
    };
    auto quoted = [](std::string_view s) {
        return "'" + printable(s.size() > 60 ? s.substr(0, 60) : s) +
               (s.size() > 60 ? "...'" : "'");
    };
    if (lines.empty())
        return bad("empty plan; the first line is '" + std::string(k_header) + "'");
    n = 1;
    if (lines[0] != k_header) {
        if (lines[0].starts_with("iterconf-plan "))
            return bad("plan format " + quoted(lines[0]) + "; this build reads '" +
                       std::string(k_header) + "'");
        return bad("not a plan: " + quoted(lines[0]) + " where '" + std::string(k_header) +
                   "' belongs");
    }

    Plan p;
    const KindSpec* k = nullptr;
    std::vector<bool> seen;
    bool ended = false;
    for (size_t i = 1; i < lines.size(); i++) {
        n = i + 1;
        std::string_view line = lines[i];
        if (ended)
            return bad("text after 'end': " + quoted(line));
        if (line == "end") {
            if (!k)
                return bad("'end' before the 'kind' line");
            ended = true;
            continue;
        }
        size_t sp = line.find(' ');
        std::string_view key = line.substr(0, sp);
        if (sp == std::string_view::npos)
            return bad("no value after " + quoted(key));
        auto v = record::json::parse(std::string(line.substr(sp + 1)));
        if (!v)
            return bad(quoted(key) + ": " + v.error().what);

        if (key == "kind") {
            if (k)
                return bad("a second 'kind' line");
            const std::string* s = v->as_string();
            for (const auto& row : kinds())
                if (s && *s == row.name)
                    k = &row;
            if (!k) {
                std::string names;
                for (const auto& row : kinds())
                    names += std::string(names.empty() ? "" : ", ") + row.name;
                return bad("unknown kind " + (s ? quoted(*s) : std::string("(not a string)")) +
                           "; the kinds are " + names);
            }
            p.kind = k->kind;
            seen.assign(k->fields.size(), false);
            continue;
        }
        if (!k)
            return bad("the second line is the 'kind' line, not " + quoted(key));

        if (key == "item") {
            if (!k->items)
                return bad("'" + std::string(k->name) + "' plans have no items");
            const record::json::Array* a = v->as_array();
            if (!a || a->size() != 3)
                return bad("an item is [object, case, program]");
            Plan::Item item;
            std::string* parts[] = {&item.object, &item.case_id, &item.program};
            for (size_t j = 0; j < 3; j++) {
                const std::string* s = (*a)[j].as_string();
                if (!s || s->empty())
                    return bad("an item is [object, case, program], three non-empty strings");
                *parts[j] = *s;
            }
            p.items.push_back(std::move(item));
            continue;
        }

        size_t f = 0;
        while (f < k->fields.size() && key != k->fields[f].key)
            f++;
        if (f == k->fields.size())
            return bad(known_field(key)
                           ? "'" + std::string(k->name) + "' plans have no " + quoted(key)
                           : "unknown field " + quoted(key));
        if (seen[f])
            return bad("a second " + quoted(key));
        const std::string* s = v->as_string();
        if (!s || s->empty())
            return bad(quoted(key) + " is a non-empty JSON string");
        seen[f] = true;
        p.*(k->fields[f].member) = *s;
    }
    if (!ended) {
        n = 0;
        return bad(k ? "no 'end' line (the plan was cut short)" : "no 'kind' line");
    }
    for (size_t f = 0; f < k->fields.size(); f++)
        if (!seen[f]) {
            n = 0;
            return bad("'" + std::string(k->name) + "' plans need '" + k->fields[f].key + "'");
        }
    return p;
}

} // namespace iterconf::qemu
