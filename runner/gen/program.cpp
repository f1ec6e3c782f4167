#include "gen/program.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <utility>

namespace iterconf::gen {

const char* to_string(Kind k) {
    return info(k).token;
}

const char* to_string(Prog p) {
    return p == Prog::syscall ? "syscall" : "tp_btf";
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
    case Where::other:
        return "@other";
    case Where::outside:
        return "@outside";
    case Where::above:
        return "@above";
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
    case Op::Code::call:
        return "call";
    case Op::Code::bpfloop:
        return "bpfloop";
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

// `callee`: the slot whose pointer a subprogram received, -1 in the main program.
std::string check(const std::vector<Op>& ops, int loops, int callee) {
    for (const auto& o : ops) {
        if (o.slot > 1)
            return "slot out of range";
        bool slotted =
            o.code != Op::Code::branch && o.code != Op::Code::brk && o.code != Op::Code::ret;
        bool sub = o.code == Op::Code::call || o.code == Op::Code::bpfloop;
        if (callee >= 0 && sub)
            return "call inside a subprogram";
        if (callee >= 0 && slotted && o.slot != callee)
            return "a subprogram uses only the slot it was passed";
        if (callee >= 0 && o.where != Where::slot && o.where != Where::misaligned)
            return "a subprogram takes only the pointer it was passed (or +4)";
        if (o.code == Op::Code::brk && loops == 0)
            return "brk outside a loop";
        bool has_body = o.code == Op::Code::guard || o.code == Op::Code::loop ||
                        o.code == Op::Code::branch || sub;
        if (!has_body && (!o.body.empty() || !o.orelse.empty()))
            return std::string(to_string(o.code)) + " cannot have a body";
        if (o.code != Op::Code::branch && !o.orelse.empty())
            return "only branch has an else";
        if (o.where != Where::slot && o.code != Op::Code::new_ && o.code != Op::Code::next &&
            o.code != Op::Code::destroy)
            return std::string(to_string(o.code)) + " takes no address";
        if (sub) {
            if (auto e = check(o.body, 0, o.slot); !e.empty())
                return e;
            continue;
        }
        if (auto e = check(o.body, loops + (o.code == Op::Code::loop), callee); !e.empty())
            return e;
        if (auto e = check(o.orelse, loops, callee); !e.empty())
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
        if (o.code == Op::Code::guard || o.code == Op::Code::loop || o.code == Op::Code::branch ||
            o.code == Op::Code::call || o.code == Op::Code::bpfloop) {
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

class Parser {
  public:
    explicit Parser(const std::string& s) : m_s(s) {}

    std::string run(std::vector<Op>& out) {
        out = seq();
        if (m_err.empty() && m_i != m_s.size())
            m_err = "unexpected '" + m_s.substr(m_i, 1) + "' at " + std::to_string(m_i);
        return m_err;
    }

  private:
    std::vector<Op> seq() {
        std::vector<Op> ops;
        while (m_err.empty()) {
            while (m_i < m_s.size() && m_s[m_i] == ' ')
                m_i++;
            if (m_i == m_s.size() || m_s[m_i] == '}')
                break;
            ops.push_back(op());
        }
        return ops;
    }

    Op op() {
        Op o;
        std::string word;
        while (m_i < m_s.size() && m_s[m_i] >= 'a' && m_s[m_i] <= 'z')
            word += m_s[m_i++];
        bool found = false;
        for (int c = 0; c <= static_cast<int>(Op::Code::bpfloop); c++)
            if (word == to_string(static_cast<Op::Code>(c))) {
                o.code = static_cast<Op::Code>(c);
                found = true;
            }
        if (!found) {
            m_err = "unknown op '" + word + "' at " + std::to_string(m_i);
            return o;
        }
        if (m_i < m_s.size() && (m_s[m_i] == '0' || m_s[m_i] == '1'))
            o.slot = static_cast<uint8_t>(m_s[m_i++] - '0');
        for (int w = static_cast<int>(Where::above); w > 0; w--) {
            std::string t = to_string(static_cast<Where>(w));
            if (m_s.compare(m_i, t.size(), t) == 0 &&
                (m_i + t.size() == m_s.size() ||
                 !std::isalpha(static_cast<unsigned char>(m_s[m_i + t.size()])))) {
                o.where = static_cast<Where>(w);
                m_i += t.size();
                break;
            }
        }
        if (o.code == Op::Code::guard || o.code == Op::Code::loop || o.code == Op::Code::branch ||
            o.code == Op::Code::call || o.code == Op::Code::bpfloop) {
            o.body = block();
            if (o.code == Op::Code::branch)
                o.orelse = block();
        }
        return o;
    }

    std::vector<Op> block() {
        if (m_i >= m_s.size() || m_s[m_i] != '{') {
            if (m_err.empty())
                m_err = "expected '{' at " + std::to_string(m_i);
            return {};
        }
        m_i++;
        auto ops = seq();
        if (m_i >= m_s.size() || m_s[m_i] != '}') {
            if (m_err.empty())
                m_err = "expected '}' at " + std::to_string(m_i);
            return ops;
        }
        m_i++;
        return ops;
    }

    const std::string& m_s;
    size_t m_i = 0;
    std::string m_err;
};

} // namespace

std::string parse_ops(const std::string& text, std::vector<Op>& out) {
    return Parser(text).run(out);
}

bool Program::uses_slot1() const {
    return uses1(ops);
}

bool Program::needs_css() const {
    return info(kinds[0]).takes_css() || info(kinds[1]).takes_css();
}

namespace {

// A placed iterator (Program::at) is slot 0; addresses are the frame's (a
// slot's own, +4, the other slot's).
bool own_addresses(const std::vector<Op>& ops) {
    for (const auto& o : ops)
        if ((o.where != Where::slot && o.where != Where::misaligned && o.where != Where::other) ||
            !own_addresses(o.body) || !own_addresses(o.orelse))
            return false;
    return true;
}

} // namespace

std::string Program::validate() const {
    if (at && !own_addresses(ops))
        return "a placed iterator (at=) takes only the frame's addresses (own, +4, other)";
    return check(ops, 0, -1);
}

std::string Program::text() const {
    std::string out = prog == Prog::tp_btf ? "" : std::string("prog=") + to_string(prog) + " ";
    out += std::string("task=") + to_string(task) + " kinds=" + to_string(kinds[0]);
    if (uses_slot1())
        out += std::string(",") + to_string(kinds[1]);
    if (at)
        out += " at=" + std::to_string(*at);
    out += " | ";
    text_of(ops, out);
    return out;
}

Frame Program::frame() const {
    int s = std::max(info(kinds[0]).size, info(kinds[1]).size);
    if (!at)
        return Frame{{static_cast<int16_t>(-s), static_cast<int16_t>(-2 * s)},
                     static_cast<int16_t>(-2 * s - 8),
                     static_cast<int16_t>(-2 * s - 16)};
    // Slot 0 at fp + at; slot 1, the scratch u64 and the key, in that
    // order, each at the highest aligned place of the frame clear of the
    // ones before and of [at, at + size + 4) (+4: the misaligned address's
    // reach). Slot 1 is fp-size when at >= 0.
    int size = info(kinds[0]).size;
    std::vector<std::pair<int, int>> taken{{*at, *at + size + 4}};
    auto place = [&](int len) {
        for (int o = -len; o >= -512; o -= 8) {
            bool clear = true;
            for (auto [lo, hi] : taken)
                clear = clear && (o + len <= lo || o >= hi);
            if (clear) {
                taken.push_back({o, o + len});
                return static_cast<int16_t>(o);
            }
        }
        return static_cast<int16_t>(-512);
    };
    int16_t s1 = place(info(kinds[1]).size);
    int16_t scratch = place(8);
    int16_t key = place(8);
    return Frame{{*at, s1}, scratch, key};
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
