#include "load/raw_load.hpp"

#include "load/iter_kinds.hpp"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <linux/bpf.h>
#include <map>
#include <mutex>
#include <string_view>
#include <sys/syscall.h>
#include <unistd.h>

namespace iterconf::load {

static_assert(sizeof(gen::Insn) == sizeof(struct bpf_insn));
static_assert(gen::op::k_pseudo_map_fd == BPF_PSEUDO_MAP_FD);
static_assert(gen::op::k_pseudo_map_value == BPF_PSEUDO_MAP_VALUE);
static_assert(gen::op::k_pseudo_kfunc_call == BPF_PSEUDO_KFUNC_CALL);
static_assert(gen::op::k_call == BPF_CALL && gen::op::k_exit == BPF_EXIT);
static_assert(gen::op::k_ldx == BPF_LDX && gen::op::k_mem == BPF_MEM && gen::op::k_dw == BPF_DW);

namespace {

constexpr const char* k_attach_target = "btf_trace_sys_enter";
constexpr const char* k_where = "kernel 'host'";

std::string errno_name(int err) {
    switch (err) {
    case EPERM:
        return "EPERM";
    case EACCES:
        return "EACCES";
    case EINVAL:
        return "EINVAL";
    case ENOMEM:
        return "ENOMEM";
    default:
        return std::to_string(err);
    }
}

// The program BTF of every multi-function program: int, void *, __u64 and
// one FUNC per gen::FuncKind (main global, the others static), loaded into
// the kernel; returns its fd or -errno, and the FUNC ids in `ids`.
int make_prog_btf(__u32 ids[3]) {
    struct btf* b = btf__new_empty();
    if (!b)
        return -errno;
    int i32 = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
    int u64 = btf__add_int(b, "unsigned long long", 8, 0);
    int ptr = btf__add_ptr(b, 0);
    int main_proto = btf__add_func_proto(b, i32);
    btf__add_func_param(b, "ctx", ptr);
    int main_fn = btf__add_func(b, "iterconf_gen", BTF_FUNC_GLOBAL, main_proto);
    int sub_proto = btf__add_func_proto(b, i32);
    btf__add_func_param(b, "it", ptr);
    btf__add_func_param(b, "task", ptr);
    int sub_fn = btf__add_func(b, "iterconf_gen_sub", BTF_FUNC_STATIC, sub_proto);
    int cb_proto = btf__add_func_proto(b, i32);
    btf__add_func_param(b, "index", u64);
    btf__add_func_param(b, "ctx", ptr);
    int cb_fn = btf__add_func(b, "iterconf_gen_cb", BTF_FUNC_STATIC, cb_proto);
    int fd = -EINVAL;
    if (i32 > 0 && u64 > 0 && ptr > 0 && main_fn > 0 && sub_fn > 0 && cb_fn > 0) {
        int err = btf__load_into_kernel(b);
        fd = err ? err : btf__fd(b);
        if (fd >= 0)
            fd = ::dup(fd); // outlives the btf object
    }
    ids[0] = static_cast<__u32>(main_fn);
    ids[1] = static_cast<__u32>(sub_fn);
    ids[2] = static_cast<__u32>(cb_fn);
    btf__free(b);
    return fd;
}

} // namespace

struct RawLoader::State {
    struct btf* btf = nullptr;
    int attach_id = -ENOENT;      // btf_trace_sys_enter, or -errno
    int map_fd[3] = {-1, -1, -1}; // by gen::MapKind

    std::mutex mu;                             // guards what follows
    std::map<std::string, int> kfunc_ids;      // name -> BTF id or -errno
    std::map<std::string, int64_t> field_offs; // "T.m" -> byte offset or -errno
    std::vector<char> log;
    // Program BTF for programs with more than one function (made on first
    // use): its fd, or -errno; the FUNC type id of each gen::FuncKind.
    int prog_btf_fd = -ENODATA;
    __u32 func_type[3] = {0, 0, 0};

    State() = default;
    State(const State&) = delete;
    State& operator=(const State&) = delete;
    ~State() {
        for (int fd : map_fd)
            if (fd >= 0)
                ::close(fd);
        if (prog_btf_fd >= 0)
            ::close(prog_btf_fd);
        if (btf)
            btf__free(btf);
    }

    int kfunc_id(const std::string& name) {
        auto it = kfunc_ids.find(name);
        if (it != kfunc_ids.end())
            return it->second;
        int id = btf__find_by_name_kind(btf, name.c_str(), BTF_KIND_FUNC);
        return kfunc_ids[name] = id > 0 ? id : -ENOENT;
    }

    // Byte offset of `m` in the composite type `type_id`, looking through
    // anonymous struct/union members; sets *member_type. -ENOENT when
    // absent, -EINVAL for a bitfield or an offset that is not whole bytes.
    int64_t member_offset(int type_id, std::string_view m, int* member_type) const {
        const struct btf_type* t = btf__type_by_id(btf, static_cast<__u32>(type_id));
        if (!t || !btf_is_composite(t))
            return -ENOENT;
        const struct btf_member* mem = btf_members(t);
        for (int i = 0; i < btf_vlen(t); i++, mem++) {
            const char* name = btf__name_by_offset(btf, mem->name_off);
            uint32_t bits = btf_member_bit_offset(t, static_cast<__u32>(i));
            if (name && *name) {
                if (m != name)
                    continue;
                if (btf_member_bitfield_size(t, static_cast<__u32>(i)) != 0 || bits % 8 != 0)
                    return -EINVAL;
                *member_type = static_cast<int>(mem->type);
                return bits / 8;
            }
            int inner = btf__resolve_type(btf, mem->type);
            if (inner <= 0)
                continue;
            int64_t off = member_offset(inner, m, member_type);
            if (off >= 0)
                return bits / 8 + off;
            if (off != -ENOENT)
                return off;
        }
        return -ENOENT;
    }

    // "task_struct.last_wakee" -> its offset, or -errno.
    int64_t field_offset(const std::string& path) {
        auto it = field_offs.find(path);
        if (it != field_offs.end())
            return it->second;
        int64_t result = -ENOENT;
        size_t dot = path.find('.');
        if (dot != std::string::npos) {
            std::string type = path.substr(0, dot);
            int id = btf__find_by_name_kind(btf, type.c_str(), BTF_KIND_STRUCT);
            if (id <= 0)
                id = btf__find_by_name_kind(btf, type.c_str(), BTF_KIND_UNION);
            result = id > 0 ? 0 : -ENOENT;
            std::string_view rest(path);
            rest.remove_prefix(dot + 1);
            while (result >= 0 && !rest.empty()) {
                size_t next = rest.find('.');
                std::string_view m = rest.substr(0, next);
                rest = next == std::string_view::npos ? std::string_view{} : rest.substr(next + 1);
                int member_type = 0;
                int64_t off = member_offset(id, m, &member_type);
                if (off < 0) {
                    result = off;
                    break;
                }
                result += off;
                id = btf__resolve_type(btf, static_cast<__u32>(member_type));
            }
        }
        return field_offs[path] = result;
    }
};

namespace {

struct Relocated {
    std::vector<gen::Insn> insns;
    std::vector<std::string> missing_kfuncs;
    std::vector<std::string> missing_fields;
    std::string bad; // a malformed relocation or field (an emitter bug)
};

// With st.mu held.
Relocated relocate_locked(RawLoader::State& st, const gen::BpfProgram& prog) {
    Relocated r;
    r.insns = prog.insns;
    const size_t n = r.insns.size();
    for (const auto& k : prog.kfuncs) {
        if (k.insn >= n) {
            r.bad = "kfunc relocation past the end: insn " + std::to_string(k.insn);
            return r;
        }
        int id = st.kfunc_id(k.name);
        if (id < 0) {
            bool listed = false;
            for (const auto& m : r.missing_kfuncs)
                listed = listed || m == k.name;
            if (!listed)
                r.missing_kfuncs.push_back(k.name);
            continue;
        }
        r.insns[k.insn].imm = id;
        r.insns[k.insn].off = 0; // vmlinux BTF
    }
    for (const auto& m : prog.maps) {
        if (m.insn + 1 >= n) {
            r.bad = "map relocation past the end: insn " + std::to_string(m.insn);
            return r;
        }
        r.insns[m.insn].imm = st.map_fd[static_cast<int>(m.map)];
    }
    for (const auto& f : prog.fields) {
        if (f.insn >= n) {
            r.bad = "field relocation past the end: insn " + std::to_string(f.insn);
            return r;
        }
        int64_t off = st.field_offset(f.field);
        if (off == -ENOENT) {
            r.missing_fields.push_back(f.field);
            continue;
        }
        int64_t total = off + r.insns[f.insn].off;
        if (off < 0 || total > INT16_MAX || total < INT16_MIN) {
            r.bad = "field " + f.field + " is a bitfield or beyond a 16-bit offset";
            return r;
        }
        r.insns[f.insn].off = static_cast<int16_t>(total);
    }
    return r;
}

std::string join(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v)
        s += (s.empty() ? "" : " ") + x;
    return s;
}

// Runs an accepted syscall program once (BPF_PROG_TEST_RUN, no context: the
// generated programs do not read it), in the guest only (RawOptions::run).
// Whether the kernel ran it.
bool test_run_syscall(int fd) {
    LIBBPF_OPTS(bpf_test_run_opts, t);
    return bpf_prog_test_run_opts(fd, &t) == 0;
}

} // namespace

Result<RawLoader> RawLoader::open(bool* not_permitted) {
    if (not_permitted)
        *not_permitted = false;
    static std::mutex mu;
    static std::shared_ptr<State> shared;
    std::lock_guard<std::mutex> lock(mu);
    if (shared)
        return RawLoader(shared);

    auto st = std::make_shared<State>();
    st->btf = btf__load_vmlinux_btf();
    if (!st->btf)
        return make_error(ErrorKind::infra, k_where,
                          std::string("kernel BTF unreadable (/sys/kernel/btf/vmlinux): ") +
                              std::strerror(errno),
                          "the kernel needs CONFIG_DEBUG_INFO_BTF=y");
    int id = btf__find_by_name_kind(st->btf, k_attach_target, BTF_KIND_TYPEDEF);
    st->attach_id = id > 0 ? id : -ENOENT;

    const char* names[3] = {"iterconf_global", "iterconf_array", "iterconf_belief"};
    const uint32_t sizes[3] = {gen::k_map_value_size, gen::k_map_value_size,
                               gen::k_beliefs_value_size};
    for (int i = 0; i < 3; i++) {
        int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, names[i], 4, sizes[i], 1, nullptr);
        if (fd < 0) {
            int err = -fd; // libbpf 1.x: -errno
            if (err == EPERM || err == EACCES) {
                if (not_permitted)
                    *not_permitted = true;
                return make_error(ErrorKind::infra, k_where,
                                  "bpf() not permitted (" + errno_name(err) + ")",
                                  "run as root or with CAP_BPF and CAP_PERFMON");
            }
            return make_error(ErrorKind::infra, k_where,
                              std::string("cannot create an array map: ") + std::strerror(err),
                              "check that the kernel has CONFIG_BPF_SYSCALL");
        }
        st->map_fd[i] = fd;
    }
    shared = st;
    return RawLoader(std::move(st));
}

Result<std::vector<gen::Insn>> RawLoader::relocate(const gen::BpfProgram& prog) const {
    std::lock_guard<std::mutex> lock(m_state->mu);
    Relocated r = relocate_locked(*m_state, prog);
    if (!r.bad.empty())
        return make_error(ErrorKind::internal, "generated program", r.bad);
    if (!r.missing_kfuncs.empty())
        return make_error(ErrorKind::input, k_where,
                          "kfunc " + join(r.missing_kfuncs) + " missing from kernel BTF");
    if (!r.missing_fields.empty())
        return make_error(ErrorKind::input, k_where,
                          "field " + join(r.missing_fields) + " missing from kernel BTF");
    return std::move(r.insns);
}

RawOutcome RawLoader::load(const gen::BpfProgram& prog, const RawOptions& opts) const {
    RawOutcome out;
    State& st = *m_state;
    std::lock_guard<std::mutex> lock(st.mu);

    Relocated r = relocate_locked(st, prog);
    out.missing_kfuncs = r.missing_kfuncs;
    if (!r.bad.empty()) {
        out.result.verdict = record::Verdict::load_error;
        out.result.message = "bad generated program: " + r.bad;
        return out;
    }
    if (!r.missing_kfuncs.empty()) {
        out.result.verdict = record::Verdict::unsupported;
        // Whole iterator kinds first (load/iter_kinds.hpp).
        out.result.message = missing_kinds_reason(
            r.missing_kfuncs, [&st](const std::string& f) { return st.kfunc_id(f) > 0; });
        out.result.message += (out.result.message.empty() ? "" : "; ") + std::string("kfunc ") +
                              join(r.missing_kfuncs) + " missing from kernel BTF";
        return out;
    }
    if (!r.missing_fields.empty()) {
        out.result.verdict = record::Verdict::unsupported;
        out.result.message = "field " + join(r.missing_fields) + " missing from kernel BTF";
        return out;
    }
    if (st.attach_id < 0 && !prog.syscall) {
        out.result.verdict = record::Verdict::unsupported;
        out.result.message =
            std::string("attach target ") + k_attach_target + " missing from kernel BTF";
        return out;
    }

    std::vector<bpf_func_info> func_info;
    if (prog.funcs.size() > 1) {
        if (st.prog_btf_fd == -ENODATA)
            st.prog_btf_fd = make_prog_btf(st.func_type);
        if (st.prog_btf_fd < 0) {
            out.result.verdict = record::Verdict::load_error;
            out.result.message =
                std::string("program BTF not loadable: ") + std::strerror(-st.prog_btf_fd);
            return out;
        }
        for (const auto& f : prog.funcs)
            func_info.push_back(
                {static_cast<__u32>(f.insn), st.func_type[static_cast<int>(f.kind)]});
    }

    char* log_buf = nullptr;
    __u32 log_size = 0;
    if (opts.log_size >= 128) {
        if (st.log.size() != opts.log_size)
            st.log.assign(opts.log_size, 0);
        st.log[0] = '\0';
        log_buf = st.log.data();
        log_size = static_cast<__u32>(opts.log_size);
    }
    LIBBPF_OPTS(bpf_prog_load_opts, o, .expected_attach_type = BPF_TRACE_RAW_TP,
                .prog_flags = opts.prog_flags, .attach_btf_id = static_cast<__u32>(st.attach_id),
                .log_level = log_buf ? static_cast<__u32>(opts.log_level) : 0u,
                .log_size = log_size, .log_buf = log_buf);
    if (prog.syscall) { // no attach target; sleepable
        o.expected_attach_type = static_cast<bpf_attach_type>(0);
        o.attach_btf_id = 0;
        o.prog_flags |= BPF_F_SLEEPABLE;
    }
    if (!func_info.empty()) {
        o.prog_btf_fd = static_cast<__u32>(st.prog_btf_fd);
        o.func_info = func_info.data();
        o.func_info_cnt = static_cast<__u32>(func_info.size());
        o.func_info_rec_size = sizeof(bpf_func_info);
    }
    auto t0 = std::chrono::steady_clock::now();
    int fd = bpf_prog_load(
        prog.syscall ? BPF_PROG_TYPE_SYSCALL : BPF_PROG_TYPE_TRACING, "iterconf_gen", "GPL",
        reinterpret_cast<const struct bpf_insn*>(r.insns.data()), r.insns.size(), &o);
    int err = fd < 0 ? fd : 0; // libbpf 1.x: -errno
    auto t1 = std::chrono::steady_clock::now();
    if (fd >= 0 && opts.run) {
        const char* guest = std::getenv("ITERCONF_GUEST");
        if (guest && std::string(guest) == "1") {
            // The oracle's counters (gen/beliefs.hpp) start at 0 for each
            // program that has them.
            bool embedded = false;
            for (const auto& m : prog.maps)
                embedded = embedded || m.map == gen::MapKind::beliefs;
            std::vector<uint64_t> words(gen::k_beliefs_value_size / 8, 0);
            const __u32 key = 0;
            int bfd = st.map_fd[static_cast<int>(gen::MapKind::beliefs)];
            if (embedded && bpf_map_update_elem(bfd, &key, words.data(), BPF_ANY) != 0) {
                out.oracle_error =
                    std::string("cannot reset the beliefs map: ") + std::strerror(errno);
                embedded = false; // not run: its counts would be another program's
            } else if (prog.syscall) {
                out.ran = test_run_syscall(fd);
                if (!out.ran)
                    out.oracle_error =
                        std::string("BPF_PROG_TEST_RUN failed: ") + std::strerror(errno);
            } else if (int link = bpf_raw_tracepoint_open(nullptr, fd); link >= 0) {
                for (int i = 0; i < 3; i++)
                    ::syscall(SYS_getppid);
                ::close(link);
                out.ran = true;
            } else {
                out.oracle_error =
                    std::string("cannot attach it to sys_enter: ") + std::strerror(-link);
            }
            if (out.ran && embedded) {
                if (bpf_map_lookup_elem(bfd, &key, words.data()) != 0) {
                    out.oracle_error =
                        std::string("cannot read the beliefs map back: ") + std::strerror(errno);
                } else {
                    out.runs = static_cast<int64_t>(words[1]);
                    for (size_t p = 0; p < gen::k_max_points; p++) {
                        out.violations.push_back(words[3 + 3 * p]);
                        out.reached.push_back(words[4 + 3 * p]);
                    }
                }
            }
        }
    }
    if (fd >= 0)
        ::close(fd);
    auto t2 = std::chrono::steady_clock::now();
    out.run_us = std::chrono::duration_cast<std::chrono::microseconds>(t2 - t1).count();
    out.load_us = std::chrono::duration_cast<std::chrono::microseconds>(t1 - t0).count();

    RawLoad raw;
    raw.err = err;
    if (log_buf)
        raw.log.assign(log_buf, strnlen(log_buf, log_size));
    out.result = classify(raw);
    out.log = std::move(raw.log);
    out.insns_processed = insns_processed(out.log);
    return out;
}

} // namespace iterconf::load
