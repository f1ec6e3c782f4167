#include "gen/enumerate.hpp"

#include <set>
#include <sstream>

namespace iterconf::gen {

std::string Bound::text() const {
    return "ops=" + std::to_string(ops) + ",depth=" + std::to_string(depth) +
           ",slots=" + std::to_string(slots) + ",tasks=" + (tasks ? "1" : "0") +
           ",wheres=" + (wheres ? "1" : "0") + ",calls=" + (calls ? "1" : "0");
}

std::string parse_bound(const std::string& s, Bound& out) {
    std::istringstream in(s);
    std::string part;
    while (std::getline(in, part, ',')) {
        size_t eq = part.find('=');
        if (eq == std::string::npos)
            return "'" + part + "' is not key=value";
        std::string k = part.substr(0, eq), v = part.substr(eq + 1);
        char* end = nullptr;
        long n = std::strtol(v.c_str(), &end, 10);
        if (v.empty() || *end || n < 0)
            return "'" + part + "': value must be a number";
        if (k == "ops" && n >= 1 && n <= 8)
            out.ops = static_cast<int>(n);
        else if (k == "depth" && n <= 4)
            out.depth = static_cast<int>(n);
        else if (k == "slots" && (n == 1 || n == 2))
            out.slots = static_cast<int>(n);
        else if (k == "tasks" && n <= 1)
            out.tasks = n;
        else if (k == "wheres" && n <= 1)
            out.wheres = n;
        else if (k == "calls" && n <= 1)
            out.calls = n;
        else
            return "'" + part +
                   "': keys are ops (1-8), depth (0-4), slots (1-2), tasks (0-1), "
                   "wheres (0-1), calls (0-1)";
    }
    return "";
}

namespace {

using Seq = std::vector<Op>;

// All operation sequences of exactly `n` ops (bodies counted), at nesting
// `depth_left`, `in_loop` when brk is allowed.
class Gen {
  public:
    explicit Gen(const Bound& b) : m_b(b) {}

    void seqs(int n, int depth_left, bool in_loop, const std::function<void(const Seq&)>& f) {
        if (n == 0) {
            f({});
            return;
        }
        // first op uses k ops (1..n), the rest n-k
        for (int k = 1; k <= n; k++)
            ops(k, depth_left, in_loop, [&](const Op& first) {
                seqs(n - k, depth_left, in_loop, [&](const Seq& rest) {
                    Seq s;
                    s.reserve(rest.size() + 1);
                    s.push_back(first);
                    s.insert(s.end(), rest.begin(), rest.end());
                    f(s);
                });
            });
    }

    // All single ops of exactly `n` ops in size.
    void ops(int n, int depth_left, bool in_loop, const std::function<void(const Op&)>& f) {
        using C = Op::Code;
        if (n == 1) {
            for (int s = 0; s < m_b.slots; s++) {
                auto slot = static_cast<uint8_t>(s);
                f(Op{C::new_, slot, Where::slot});
                if (m_b.wheres) {
                    f(Op{C::new_, slot, Where::misaligned});
                    f(Op{C::new_, slot, Where::global});
                    f(Op{C::new_, slot, Where::map_value});
                    f(Op{C::new_, slot, Where::other});
                    f(Op{C::new_, slot, Where::outside});
                    f(Op{C::new_, slot, Where::above});
                }
                f(Op{C::next, slot});
                if (m_b.wheres) {
                    f(Op{C::next, slot, Where::global});
                    f(Op{C::next, slot, Where::other});
                }
                f(Op{C::destroy, slot});
                if (m_b.wheres)
                    f(Op{C::destroy, slot, Where::outside});
                f(Op{C::read, slot});
                f(Op{C::write, slot});
                f(Op{C::clobber, slot});
                f(Op{C::copy, slot});
            }
            if (in_loop)
                f(Op{C::brk});
            f(Op{C::ret});
            return;
        }
        if (depth_left == 0)
            return;
        // compound: 1 for itself + bodies of n-1 ops
        for (int s = 0; s < m_b.slots; s++) {
            auto slot = static_cast<uint8_t>(s);
            seqs(n - 1, depth_left - 1, in_loop, [&](const Seq& body) {
                Op g{C::guard, slot};
                g.body = body;
                f(g);
            });
            seqs(n - 1, depth_left - 1, true, [&](const Seq& body) {
                Op l{C::loop, slot};
                l.body = body;
                f(l);
            });
            // A subprogram or bpf_loop callback body uses only its own slot,
            // at the pointer it got (or +4), and calls nothing (validate()).
            if (m_b.calls && !m_in_call) {
                m_in_call = true;
                seqs(n - 1, depth_left - 1, false, [&](const Seq& body) {
                    if (!in_body(body, slot))
                        return;
                    for (C code : {C::call, C::bpfloop}) {
                        Op c{code, slot};
                        c.body = body;
                        f(c);
                    }
                });
                m_in_call = false;
            }
        }
        for (int k = 0; k <= n - 1; k++)
            seqs(k, depth_left - 1, in_loop, [&](const Seq& body) {
                seqs(n - 1 - k, depth_left - 1, in_loop, [&](const Seq& orelse) {
                    if (body.empty() && orelse.empty())
                        return;
                    Op b{C::branch};
                    b.body = body;
                    b.orelse = orelse;
                    f(b);
                });
            });
    }

  private:
    static bool in_body(const Seq& ops, uint8_t slot) {
        for (const auto& o : ops) {
            bool slotted =
                o.code != Op::Code::branch && o.code != Op::Code::brk && o.code != Op::Code::ret;
            if ((slotted && o.slot != slot) ||
                (o.where != Where::slot && o.where != Where::misaligned) ||
                !in_body(o.body, slot) || !in_body(o.orelse, slot))
                return false;
        }
        return true;
    }

    const Bound& m_b;
    bool m_in_call = false; // generating a subprogram's body
};

// Whether the program's task can matter: a task_vma new() outside a
// bpf_loop callback (which has its own task) at an address that can get
// past the iterator argument (checked first), or a misaligned one (which
// shows that order). Other programs are enumerated with one task only.
bool has_vma_new(const std::vector<Op>& ops, const std::array<Kind, 2>& kinds) {
    for (const auto& o : ops) {
        bool where =
            o.where == Where::slot || o.where == Where::other || o.where == Where::misaligned;
        if (o.code == Op::Code::new_ && kinds[o.slot] == Kind::task_vma && where)
            return true;
        if (o.code != Op::Code::bpfloop &&
            (has_vma_new(o.body, kinds) || has_vma_new(o.orelse, kinds)))
            return true;
    }
    return false;
}

} // namespace

size_t enumerate(const Bound& b, const std::function<bool(const Program&)>& visit) {
    Gen g(b);
    std::set<std::string> seen;
    size_t count = 0;
    bool stop = false;
    const Task tasks[] = {Task::current_btf,    Task::pid_checked, Task::pid_unchecked,
                          Task::current_scalar, Task::walked,      Task::null};
    // Kinds: one slot of each kind; two slots as (vma, vma) and (vma, num).
    std::vector<std::array<Kind, 2>> kind_sets = {{Kind::task_vma, Kind::task_vma},
                                                  {Kind::num, Kind::num}};
    if (b.slots == 2)
        kind_sets.push_back({Kind::task_vma, Kind::num});
    for (int n = 1; n <= b.ops && !stop; n++) {
        g.seqs(n, b.depth, false, [&](const Seq& ops) {
            if (stop)
                return;
            for (const auto& kinds : kind_sets) {
                Program p;
                p.kinds = kinds;
                p.ops = ops;
                bool two = p.uses_slot1();
                // (num, num) only for one-slot programs; (vma, vma) and
                // (vma, num) differ only when slot 1 is used.
                if (kinds[0] == Kind::num && two)
                    continue;
                if (kinds[1] == Kind::num && kinds[0] == Kind::task_vma && !two)
                    continue;
                bool vary = b.tasks && has_vma_new(ops, kinds);
                for (Task t : tasks) {
                    if (!vary && t != Task::current_btf)
                        break;
                    p.task = t;
                    if (!p.validate().empty() || !seen.insert(p.text()).second)
                        continue;
                    count++;
                    if (!visit(p)) {
                        stop = true;
                        return;
                    }
                }
            }
        });
    }
    return count;
}

std::vector<Program> enumerate_all(const Bound& b) {
    std::vector<Program> out;
    enumerate(b, [&](const Program& p) {
        out.push_back(p);
        return true;
    });
    return out;
}

} // namespace iterconf::gen
