#include "gen/enumerate.hpp"

#include "gen/decode.hpp"

#include <algorithm>
#include <set>
#include <sstream>

namespace iterconf::gen {

namespace {

// The bound's kinds, in table order, without repeats; all when none given.
std::vector<Kind> kinds_of(const Bound& b) {
    std::vector<Kind> out;
    for (const auto& k : kinds())
        if (b.kinds.empty() || std::find(b.kinds.begin(), b.kinds.end(), k.kind) != b.kinds.end())
            out.push_back(k.kind);
    return out;
}

} // namespace

std::string Bound::text() const {
    std::string t = "ops=" + std::to_string(ops) + ",depth=" + std::to_string(depth) +
                    ",slots=" + std::to_string(slots) + ",tasks=" + (tasks ? "1" : "0") +
                    ",wheres=" + (wheres ? "1" : "0") + ",calls=" + (calls ? "1" : "0");
    auto ks = kinds_of(*this);
    if (ks.size() != gen::kinds().size()) {
        t += ",kinds=";
        for (size_t i = 0; i < ks.size(); i++)
            t += std::string(i ? "+" : "") + to_string(ks[i]);
    }
    if (addrs != Addrs::edges)
        t += addrs == Addrs::all ? ",addrs=all" : ",addrs=0";
    return t;
}

std::string parse_bound(const std::string& s, Bound& out) {
    std::istringstream in(s);
    std::string part;
    while (std::getline(in, part, ',')) {
        size_t eq = part.find('=');
        if (eq == std::string::npos)
            return "'" + part + "' is not key=value";
        std::string k = part.substr(0, eq), v = part.substr(eq + 1);
        if (k == "kinds") {
            std::vector<Kind> ks;
            for (size_t at = 0; at <= v.size();) {
                size_t plus = std::min(v.find('+', at), v.size());
                Kind kind;
                if (!kind_by_name(v.data() + at, plus - at, kind)) {
                    std::string names;
                    for (const auto& ki : kinds())
                        names += std::string(names.empty() ? "" : ", ") + ki.token;
                    return "'" + part + "': kinds are " + names + ", joined by '+'";
                }
                ks.push_back(kind);
                at = plus + 1;
            }
            out.kinds = ks;
            continue;
        }
        if (k == "addrs") {
            if (v == "0" || v == "none")
                out.addrs = Addrs::none;
            else if (v == "edges" || v == "1")
                out.addrs = Addrs::edges;
            else if (v == "all")
                out.addrs = Addrs::all;
            else
                return "'" + part + "': addrs is 0, edges or all";
            continue;
        }
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
                   "wheres (0-1), calls (0-1), kinds, addrs (0, edges, all)";
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

// Whether the program's task can matter: a new() taking the task
// (NewArg::task) outside a bpf_loop callback (which has its own task) at an
// address that can get past the iterator argument (checked first), or a
// misaligned one (which shows that order). Other programs are enumerated
// with one task only.
bool has_task_new(const std::vector<Op>& ops, const std::array<Kind, 2>& kinds) {
    for (const auto& o : ops) {
        bool where =
            o.where == Where::slot || o.where == Where::other || o.where == Where::misaligned;
        const KindInfo& ki = info(kinds[o.slot]);
        if (o.code == Op::Code::new_ && (ki.takes_task() || ki.takes_css()) && where)
            return true;
        if (o.code != Op::Code::bpfloop &&
            (has_task_new(o.body, kinds) || has_task_new(o.orelse, kinds)))
            return true;
    }
    return false;
}

// Kinds past the first three (gen/kinds.hpp ids 3 and up) are enumerated
// lighter, to keep the default corpus near 1.5x what it was with three
// (every program is run in five guests): their programs of more than
// k_light_ops ops use only the slot's own address (the address misuses are
// the same code for every kind: process_iter_arg()), their task/css source
// varies over k_light_tasks only (pid_checked is trusted as current_btf is),
// and not at all for css_task (its allow-list fires before the arguments in
// the generator's tp_btf programs).
constexpr int k_light_ops = 2;
constexpr int k_syscall_ops = 2; // the program-type dimension's programs
constexpr Kind k_first_light = Kind::task;
bool light(Kind k) {
    return static_cast<uint8_t>(k) >= static_cast<uint8_t>(k_first_light);
}
bool own_slots(const std::vector<Op>& ops) {
    for (const auto& o : ops)
        if (o.where != Where::slot || !own_slots(o.body) || !own_slots(o.orelse))
            return false;
    return true;
}
bool light_task(Task t) {
    return t != Task::pid_checked;
}

} // namespace

std::vector<int16_t> addr_offsets(Kind k, Addrs a) {
    int size = info(k).size;
    std::set<int> out;
    if (a == Addrs::none)
        return {};
    if (a == Addrs::all)
        for (int x = -520; x <= 8; x += 8)
            out.insert(x);
    else
        // below the stack; its bottom; the highest offset the kind fits at
        // (-size) and the next one (spi + 1 < nr_slots for a multi-slot
        // kind, the frame's top for a one-slot one); fp+0; above the frame
        for (int x : {-520, -512, -size, -size + 8, 0, 8})
            out.insert(x);
    // misaligned: past the bottom, straddling it, at the fit, at the top
    for (int x : {-516, -508, -size + 4, -4, 4})
        out.insert(x);
    return {out.begin(), out.end()};
}

const std::vector<std::string>& addr_templates() {
    static const std::vector<std::string> t = [] {
        std::vector<std::string> out;
        const char* ops[] = {"new0", "next0", "destroy0"};
        for (int n = 1; n <= 3; n++) {
            int total = n == 1 ? 3 : n == 2 ? 9 : 27;
            for (int i = 0; i < total; i++) {
                std::string s;
                for (int j = 0, r = i; j < n; j++, r /= 3)
                    s += std::string(j ? " " : "") + ops[r % 3];
                out.push_back(s);
            }
        }
        // the loop's next() and its body's read, within the default ops=3
        out.push_back("new0 loop0{} destroy0");
        out.push_back("new0 loop0{read0}");
        // slot 1's iterator (fp-8 when at >= 0) used through the placed
        // address: only an offset that is its slot may reach it
        out.push_back("new1 next1@other destroy1");
        out.push_back("new1 destroy1@other");
        return out;
    }();
    return t;
}

size_t enumerate(const Bound& b, const std::function<bool(const Program&)>& visit) {
    Gen g(b);
    std::set<std::string> seen;
    size_t count = 0;
    bool stop = false;
    // Visits p unless it is invalid or already seen; false once visiting
    // says stop (then `stop` is set).
    auto offer = [&](const Program& p) {
        if (!p.validate().empty() || !seen.insert(p.text()).second)
            return true;
        count++;
        if (!visit(p))
            stop = true;
        return !stop;
    };
    const Task tasks[] = {Task::current_btf,    Task::pid_checked, Task::pid_unchecked,
                          Task::current_scalar, Task::walked,      Task::null};
    // Kinds (enumerate.hpp): (k, k) for each kind, then (first, k).
    auto ks = kinds_of(b);
    struct KindSet {
        std::array<Kind, 2> kinds;
        bool one_slot, two_slot; // which programs it is for
    };
    std::vector<KindSet> kind_sets;
    for (Kind k : ks)
        kind_sets.push_back({{k, k}, true, k == ks.front()});
    if (b.slots == 2)
        for (size_t i = 1; i < ks.size(); i++)
            kind_sets.push_back({{ks.front(), ks[i]}, false, true});
    for (int n = 1; n <= b.ops && !stop; n++) {
        g.seqs(n, b.depth, false, [&](const Seq& ops) {
            if (stop)
                return;
            for (const auto& set : kind_sets) {
                Program p;
                p.kinds = set.kinds;
                p.ops = ops;
                bool two = p.uses_slot1();
                if (!(two ? set.two_slot : set.one_slot))
                    continue;
                bool lite = light(set.kinds[0]) && light(set.kinds[1]);
                if (lite && n > k_light_ops && !own_slots(ops))
                    continue;
                bool vary = b.tasks && has_task_new(ops, set.kinds) &&
                            !(lite && info(set.kinds[0]).allow_list);
                for (Task t : tasks) {
                    if (!vary && t != Task::current_btf)
                        break;
                    if (lite && !light_task(t))
                        continue;
                    p.task = t;
                    if (!offer(p))
                        return;
                }
            }
        });
    }
    // The address dimension: placed iterators of each kind, after the rest.
    for (Kind k : b.wheres ? ks : std::vector<Kind>{}) {
        for (int16_t x : addr_offsets(k, b.addrs)) {
            for (const auto& t : addr_templates()) {
                if (stop)
                    return count;
                Program p;
                p.kinds = {k, k};
                p.at = x;
                if (!parse_ops(t, p.ops).empty() || static_cast<int>(op_count(p.ops)) > b.ops ||
                    nesting(p.ops) > b.depth)
                    continue;
                offer(p);
            }
        }
    }
    // The runtime-contract templates (from ops=3 on, beyond the bound's op
    // count): each kind's next() after its walk has drained, bare and
    // guarding a read, after the other programs of each program type. The
    // verifier believes that next() is NULL for a PTR_TRUSTED / PTR_TO_MEM
    // result (model rule 46) and the guard's body dead; the state-embedding
    // oracle checks it against what the kernel returns (gen/beliefs.hpp).
    auto contract = [&](Prog prog) {
        if (b.ops < 3)
            return;
        for (const char* t :
             {"new0 loop0{} next0 destroy0", "new0 loop0{} next0 guard0{read0} destroy0"})
            for (Kind k : ks) {
                if (stop)
                    return;
                Program p;
                p.prog = prog;
                p.kinds = {k, k};
                if (parse_ops(t, p.ops).empty())
                    offer(p);
            }
    };
    contract(Prog::tp_btf);
    // The program-type dimension (Program::prog), after the tp_btf
    // programs (the address dimension's too): syscall programs of each kind
    // as (k, k), up to k_syscall_ops ops at the slot's own address, then the
    // syscall templates (the whole walk, reads and writes of the results,
    // a subprogram's and a callback's) within the bound; tasks as for the
    // light kinds.
    auto syscall_programs = [&](const Seq& ops) {
        for (Kind k : ks) {
            if (stop || !own_slots(ops))
                return;
            Program p;
            p.prog = Prog::syscall;
            p.kinds = {k, k};
            p.ops = ops;
            if (p.uses_slot1())
                continue;
            bool vary = b.tasks && has_task_new(ops, p.kinds);
            for (Task t : tasks) {
                if ((!vary && t != Task::current_btf) || !light_task(t))
                    continue;
                p.task = t;
                if (!offer(p))
                    return;
            }
        }
    };
    for (int n = 1; n <= std::min(b.ops, k_syscall_ops) && !stop; n++)
        g.seqs(n, b.depth, false, syscall_programs);
    for (const char* t :
         {"new0 loop0{} destroy0", "new0 next0 destroy0", "new0 loop0{read0}", "new0 loop0{write0}",
          "new0 loop0{brk}", "new0 call0{loop0{}}", "new0 bpfloop0{next0}"}) {
        Seq ops;
        if (stop || !parse_ops(t, ops).empty() || static_cast<int>(op_count(ops)) > b.ops ||
            nesting(ops) > b.depth)
            continue;
        bool calls = std::any_of(ops.begin(), ops.end(), [](const Op& o) {
            return o.code == Op::Code::call || o.code == Op::Code::bpfloop;
        });
        if (!calls || b.calls)
            syscall_programs(ops);
    }
    contract(Prog::syscall);
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
