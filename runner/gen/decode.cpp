#include "gen/decode.hpp"

#include <algorithm>
#include <array>

namespace iterconf::gen {

namespace {

using C = Op::Code;

// ---- The mapping tables: the only place that lists the model's values. ----
// A new enum value is one line appended at the END of its table: existing
// inputs keep their meaning (encode() writes the smallest byte of each
// entry, and those do not move), only bytes that wrapped around before now
// name the new value. Also add it to `k_code_info` (what follows the CODE
// byte) when it is an Op::Code.

constexpr std::array k_tasks = {Task::current_btf,    Task::pid_checked, Task::pid_unchecked,
                                Task::current_scalar, Task::walked,      Task::null};

// Kinds are not listed here: formats 1 and 2 store their ids (gen/kinds.hpp).
// Format 0's KINDS nibbles index this frozen list modulo its size.
constexpr std::array k_format0_kinds = {Kind::task_vma, Kind::num};
// Format 1 knows the ids the table had when format 2 came (task_vma, num,
// bits); a later id reads as kind 0 there, as it always did.
constexpr uint8_t k_format1_kinds = 3;

constexpr std::array k_wheres = {Where::slot,  Where::misaligned, Where::global, Where::map_value,
                                 Where::other, Where::outside,    Where::above};

// What each Op::Code reads after its CODE byte.
struct CodeInfo {
    C code;
    bool slot;   // a SLOT byte (slot, and where for address ops)
    bool where;  // the SLOT byte's where bits apply (new/next/destroy)
    bool start;  // a START byte (new)
    int bodies;  // seqs that follow: 0, 1 (body) or 2 (body, else arm)
    bool breaks; // only valid inside a loop (brk): becomes ret elsewhere
};

constexpr std::array k_code_info = {
    // code        slot   where  start  bodies breaks
    CodeInfo{C::new_, true, true, true, 0, false},
    CodeInfo{C::next, true, true, false, 0, false},
    CodeInfo{C::destroy, true, true, false, 0, false},
    CodeInfo{C::guard, true, false, false, 1, false},
    CodeInfo{C::read, true, false, false, 0, false},
    CodeInfo{C::write, true, false, false, 0, false},
    CodeInfo{C::clobber, true, false, false, 0, false},
    CodeInfo{C::copy, true, false, false, 0, false},
    CodeInfo{C::loop, true, false, false, 1, false},
    CodeInfo{C::branch, false, false, false, 2, false},
    CodeInfo{C::brk, false, false, false, 0, true},
    CodeInfo{C::ret, false, false, false, 0, false},
    CodeInfo{C::call, true, false, false, 1, false},
    CodeInfo{C::bpfloop, true, false, false, 1, false},
};

// Start addresses worth trying (fuzz-anchors: edge values for bounds): the
// bottom of the address space, a page edge, typical text/heap/mmap/stack
// regions, the last user page, [vsyscall] (never a VMA), kernel addresses
// and ~0.
constexpr std::array<uint64_t, 14> k_starts = {
    1ull,
    0xfffull,
    0x1000ull,
    0x400000ull,
    0x555555554000ull,
    0x7f0000000000ull,
    0x7ffff7fc0000ull,
    0x7ffffffde000ull,
    0x7ffffffff000ull,
    0x800000000000ull,
    0xffffffffff600000ull,
    0xffff888000000000ull,
    0xfffffffffffff000ull,
    ~0ull,
};
// ---- end of the mapping tables ----

constexpr uint8_t k_end = 0;
constexpr uint8_t k_raw_start = 0xff;
static_assert(k_starts.size() + 1 < k_raw_start);

size_t code_index(C c) {
    for (size_t i = 0; i < k_code_info.size(); i++)
        if (k_code_info[i].code == c)
            return i;
    return 0; // unreachable for a valid Op::Code (covers_all_codes)
}

template <typename T, size_t N> size_t index_of(const std::array<T, N>& table, T v) {
    for (size_t i = 0; i < N; i++)
        if (table[i] == v)
            return i;
    return 0;
}

class Reader {
  public:
    Reader(const uint8_t* data, size_t size) : m_data(data), m_size(size) {}
    uint8_t byte() { return m_pos < m_size ? m_data[m_pos++] : 0; }

  private:
    const uint8_t* m_data;
    size_t m_size;
    size_t m_pos = 0;
};

class Decoder {
  public:
    explicit Decoder(Reader& r) : m_r(r) {}

    // `callee`: inside a subprogram's or callback's body, the slot it was
    // passed (-1 outside one).
    std::vector<Op> seq(int depth, bool in_loop, int callee) {
        std::vector<Op> out;
        while (m_ops < k_max_ops) {
            uint8_t b = m_r.byte();
            if (b == k_end)
                break;
            const CodeInfo& ci = k_code_info[(b - 1u) % k_code_info.size()];
            bool sub = ci.code == C::call || ci.code == C::bpfloop;
            Op o;
            o.code = ci.breaks && !in_loop ? C::ret : sub && callee >= 0 ? C::guard : ci.code;
            m_ops++;
            if (ci.slot) {
                uint8_t s = m_r.byte();
                o.slot = callee >= 0 ? static_cast<uint8_t>(callee) : s & 1;
                if (ci.where) {
                    o.where = k_wheres[(s >> 1) % k_wheres.size()];
                    if (callee >= 0 && o.where != Where::misaligned)
                        o.where = Where::slot;
                }
            }
            if (ci.start)
                o.start = start();
            if (ci.bodies > 0 && depth < k_max_depth) {
                bool into = o.code == C::call || o.code == C::bpfloop;
                o.body =
                    seq(depth + 1, !into && (in_loop || o.code == C::loop), into ? o.slot : callee);
                if (ci.bodies > 1)
                    o.orelse = seq(depth + 1, in_loop, callee);
            }
            out.push_back(std::move(o));
        }
        return out;
    }

  private:
    uint64_t start() {
        uint8_t b = m_r.byte();
        if (b == 0)
            return 0;
        if (b == k_raw_start) {
            uint64_t v = 0;
            for (int i = 0; i < 8; i++)
                v |= uint64_t{m_r.byte()} << (8 * i);
            return v;
        }
        return k_starts[(b - 1u) % k_starts.size()];
    }

    Reader& m_r;
    int m_ops = 0;
};

class Encoder {
  public:
    explicit Encoder(std::vector<uint8_t>& out) : m_out(out) {}

    void seq(const std::vector<Op>& ops, int depth) {
        for (const auto& o : ops) {
            if (m_ops >= k_max_ops)
                break;
            m_ops++;
            size_t ci_index = code_index(o.code);
            const CodeInfo& ci = k_code_info[ci_index];
            m_out.push_back(static_cast<uint8_t>(1 + ci_index));
            if (ci.slot)
                m_out.push_back(static_cast<uint8_t>(
                    (o.slot & 1) | (ci.where ? index_of(k_wheres, o.where) << 1 : 0)));
            if (ci.start)
                start(o.start);
            if (ci.bodies > 0 && depth < k_max_depth) {
                seq(o.body, depth + 1);
                if (ci.bodies > 1)
                    seq(o.orelse, depth + 1);
            }
        }
        // The decoder stops reading at k_max_ops: no END after that.
        if (m_ops < k_max_ops)
            m_out.push_back(k_end);
    }

  private:
    void start(uint64_t v) {
        if (v == 0) {
            m_out.push_back(0);
            return;
        }
        for (size_t i = 0; i < k_starts.size(); i++)
            if (k_starts[i] == v) {
                m_out.push_back(static_cast<uint8_t>(1 + i));
                return;
            }
        m_out.push_back(k_raw_start);
        for (int i = 0; i < 8; i++)
            m_out.push_back(static_cast<uint8_t>(v >> (8 * i)));
    }

    std::vector<uint8_t>& m_out;
    int m_ops = 0;
};

// k_code_info lists every code up to k_last_code (keep it the last
// Op::Code when codes are added): checked at compile time.
constexpr C k_last_code = C::bpfloop;
constexpr bool covers_all_codes() {
    for (int c = 0; c <= static_cast<int>(k_last_code); c++) {
        bool found = false;
        for (const auto& i : k_code_info)
            found = found || static_cast<int>(i.code) == c;
        if (!found)
            return false;
    }
    return true;
}
static_assert(covers_all_codes(), "k_code_info must list every Op::Code");

Kind kind_of(uint8_t format, uint8_t id) {
    if (format == 0)
        return k_format0_kinds[id % k_format0_kinds.size()];
    if (format != 2 && id >= k_format1_kinds) // format 1, and the reserved 3..255
        return kinds()[0].kind;
    return valid_kind(id) ? static_cast<Kind>(id) : kinds()[0].kind;
}

} // namespace

Program decode(const uint8_t* data, size_t size) {
    Reader r(data, size);
    Program p;
    uint8_t format = r.byte();
    uint8_t t = r.byte();
    if (format == 2) { // the low nibble is the task, bit 4 the program type
        p.task = k_tasks[(t & 15u) % k_tasks.size()];
        p.prog = (t >> 4) & 1u ? Prog::syscall : Prog::tp_btf;
    } else {
        p.task = k_tasks[t % k_tasks.size()];
    }
    uint8_t k = r.byte();
    p.kinds = {kind_of(format, k & 15u), kind_of(format, static_cast<uint8_t>(k >> 4))};
    Decoder d(r);
    p.ops = d.seq(0, false, -1);
    return p;
}

std::vector<uint8_t> encode(const Program& p) {
    std::vector<uint8_t> out;
    out.push_back(k_format);
    out.push_back(
        static_cast<uint8_t>(index_of(k_tasks, p.task) | (p.prog == Prog::syscall ? 0x10u : 0u)));
    out.push_back(static_cast<uint8_t>(static_cast<unsigned>(p.kinds[0]) |
                                       (static_cast<unsigned>(p.kinds[1]) << 4)));
    Encoder e(out);
    e.seq(p.ops, 0);
    while (!out.empty() && out.back() == 0)
        out.pop_back();
    return out;
}

std::span<const Task> all_tasks() {
    return k_tasks;
}
std::span<const Kind> all_kinds() {
    static const auto ks = [] {
        std::vector<Kind> v;
        for (const auto& k : kinds())
            v.push_back(k.kind);
        return v;
    }();
    return ks;
}
std::span<const Where> all_wheres() {
    return k_wheres;
}
std::span<const Op::Code> all_codes() {
    static const auto codes = [] {
        std::array<Op::Code, k_code_info.size()> c{};
        for (size_t i = 0; i < c.size(); i++)
            c[i] = k_code_info[i].code;
        return c;
    }();
    return codes;
}
std::span<const uint64_t> all_starts() {
    return k_starts;
}

size_t op_count(const std::vector<Op>& ops) {
    size_t n = 0;
    for (const auto& o : ops)
        n += 1 + op_count(o.body) + op_count(o.orelse);
    return n;
}

int nesting(const std::vector<Op>& ops) {
    int d = 0;
    for (const auto& o : ops)
        if (!o.body.empty() || !o.orelse.empty())
            d = std::max(d, 1 + std::max(nesting(o.body), nesting(o.orelse)));
    return d;
}

} // namespace iterconf::gen
