#include "gen/program.hpp"

#include <cstdio>

namespace iterconf::gen {

const char* to_string(Kind k) {
    return k == Kind::task_vma ? "vma" : "num";
}

const char* to_string(Task t) {
    switch (t) {
    case Task::current_btf:
        return "current_btf";
    case Task::pid_checked:
        return "pid_checked";
    case Task::pid_unchecked:
        return "pid_unchecked";
    case Task::current_scalar:
        return "current_scalar";
    case Task::walked:
        return "walked";
    case Task::null:
        return "null";
    }
    return "?";
}

const char* to_string(Where w) {
    switch (w) {
    case Where::slot:
        return "";
    case Where::misaligned:
        return "@mis";
    case Where::global:
        return "@global";
    case Where::map_value:
        return "@map";
    }
    return "?";
}

const char* to_string(Op::Code c) {
    switch (c) {
    case Op::Code::new_:
        return "new";
    case Op::Code::next:
        return "next";
    case Op::Code::destroy:
        return "destroy";
    case Op::Code::guard:
        return "guard";
    case Op::Code::read:
        return "read";
    case Op::Code::write:
        return "write";
    case Op::Code::clobber:
        return "clobber";
    case Op::Code::copy:
        return "copy";
    case Op::Code::loop:
        return "loop";
    case Op::Code::branch:
        return "branch";
    case Op::Code::brk:
        return "brk";
    case Op::Code::ret:
        return "ret";
    }
    return "?";
}

namespace {

bool uses1(const std::vector<Op>& ops) {
    for (const auto& o : ops) {
        bool slotted =
            o.code != Op::Code::branch && o.code != Op::Code::brk && o.code != Op::Code::ret;
        if ((slotted && o.slot == 1) || uses1(o.body) || uses1(o.orelse))
            return true;
    }
    return false;
}

std::string check(const std::vector<Op>& ops, int loops) {
    for (const auto& o : ops) {
        if (o.slot > 1)
            return "slot out of range";
        if (o.code == Op::Code::brk && loops == 0)
            return "brk outside a loop";
        bool has_body =
            o.code == Op::Code::guard || o.code == Op::Code::loop || o.code == Op::Code::branch;
        if (!has_body && (!o.body.empty() || !o.orelse.empty()))
            return std::string(to_string(o.code)) + " cannot have a body";
        if (o.code != Op::Code::branch && !o.orelse.empty())
            return "only branch has an else";
        if (o.where != Where::slot && o.code != Op::Code::new_ && o.code != Op::Code::next &&
            o.code != Op::Code::destroy)
            return std::string(to_string(o.code)) + " takes no address";
        if (auto e = check(o.body, loops + (o.code == Op::Code::loop)); !e.empty())
            return e;
        if (auto e = check(o.orelse, loops); !e.empty())
            return e;
    }
    return "";
}

void text_of(const std::vector<Op>& ops, std::string& out) {
    bool first = true;
    for (const auto& o : ops) {
        if (!first)
            out += ' ';
        first = false;
        out += to_string(o.code);
        bool slotted =
            o.code != Op::Code::branch && o.code != Op::Code::brk && o.code != Op::Code::ret;
        if (slotted)
            out += std::to_string(o.slot);
        out += to_string(o.where);
        if (o.code == Op::Code::new_ && o.start) {
            char buf[32];
            std::snprintf(buf, sizeof(buf), "(0x%llx)", static_cast<unsigned long long>(o.start));
            out += buf;
        }
        if (o.code == Op::Code::guard || o.code == Op::Code::loop || o.code == Op::Code::branch) {
            out += '{';
            text_of(o.body, out);
            out += '}';
            if (o.code == Op::Code::branch) {
                out += '{';
                text_of(o.orelse, out);
                out += '}';
            }
        }
    }
}

} // namespace

bool Program::uses_slot1() const {
    return uses1(ops);
}

std::string Program::validate() const {
    return check(ops, 0);
}

std::string Program::text() const {
    std::string out = std::string("task=") + to_string(task) + " kinds=" + to_string(kinds[0]);
    if (uses_slot1())
        out += std::string(",") + to_string(kinds[1]);
    out += " | ";
    text_of(ops, out);
    return out;
}

std::string Program::name() const {
    uint64_t h = 1469598103934665603ull;
    for (unsigned char c : text()) {
        h ^= c;
        h *= 1099511628211ull;
    }
    char buf[24];
    std::snprintf(buf, sizeof(buf), "g%016llx", static_cast<unsigned long long>(h));
    return buf;
}

} // namespace iterconf::gen
