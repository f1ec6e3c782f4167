#include "load/loader.hpp"

#include "expect/btf_tags.hpp"
#include "load/iter_kinds.hpp"
#include "load/known.hpp"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <cerrno>
#include <chrono>
#include <cstdarg>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <linux/bpf.h>
#include <map>
#include <optional>
#include <pthread.h>
#include <set>
#include <string_view>
#include <sys/utsname.h>
#include <unistd.h>

extern "C" __attribute__((weak)) int iterconf_bpf_intercept_linked();

namespace iterconf::load {

namespace {

// libbpf speaks through one process-wide callback; route its text into the
// load in flight, and to stderr only when asked (-vv).
std::string* g_capture = nullptr;
bool g_echo = false;

int libbpf_print(enum libbpf_print_level level, const char* fmt, va_list ap) {
    if (level == LIBBPF_DEBUG && !g_echo)
        return 0;
    char buf[4096];
    va_list copy;
    va_copy(copy, ap);
    int n = std::vsnprintf(buf, sizeof(buf), fmt, copy);
    va_end(copy);
    if (n < 0)
        return 0;
    if (g_capture && level != LIBBPF_DEBUG)
        g_capture->append(buf, std::min<size_t>(static_cast<size_t>(n), sizeof(buf) - 1));
    if (g_echo)
        std::fputs(buf, stderr);
    return 0;
}

struct Capture {
    explicit Capture(std::string& s) {
        static bool installed = false;
        if (!installed) {
            libbpf_set_print(libbpf_print);
            installed = true;
        }
        g_capture = &s;
    }
    ~Capture() { g_capture = nullptr; }
};

std::vector<char>& log_buffer(size_t size) {
    static std::vector<char> buf;
    if (buf.size() != size)
        buf.assign(size, 0);
    return buf;
}

// A kfunc the running kernel's BTF has is known too (a kernel newer than
// images/kfuncs.txt). Read once; absent BTF means the list alone decides.
bool running_kernel_has_func(const std::string& name) {
    static struct btf* vmlinux = [] {
        std::string ignored; // libbpf's complaint about a missing BTF
        Capture capture(ignored);
        return btf__load_vmlinux_btf();
    }();
    return vmlinux && btf__find_by_name_kind(vmlinux, name.c_str(), BTF_KIND_FUNC) > 0;
}

} // namespace

Result<CaseObject> open_case(const std::string& object, const std::string& id,
                             const std::string& display) {
    if (::access(object.c_str(), R_OK) != 0)
        return make_error(ErrorKind::input, display,
                          std::string("cannot read ") + object + ": " + std::strerror(errno),
                          "check the path");
    ITERCONF_TRY_ASSIGN(ElfInfo elf, scan_elf(object));
    ITERCONF_TRY_ASSIGN(auto tags, expect::read_func_tags(object));
    CaseObject obj;
    obj.id = id;
    obj.object = object;
    obj.display = display;
    obj.license = elf.license;
    for (auto& p : elf.programs) {
        CaseProgram cp;
        cp.name = p.name;
        cp.section = p.section;
        cp.kfuncs = std::move(p.kfuncs);
        auto spec = expect::parse_program_tags(p.name, tags[p.name], obj.where(p.name));
        if (!spec)
            return spec.take_error();
        cp.spec = std::move(*spec);
        // Before anything runs: a kfunc no kernel has (a typo) is a bad
        // input, never `unsupported` (contract 1).
        for (const auto& k : cp.kfuncs)
            if (!find_known_kfunc(k.name) && !running_kernel_has_func(k.name))
                ITERCONF_TRY(check_kfunc_known(k.name, obj.where(p.name)));
        obj.programs.push_back(std::move(cp));
    }
    if (obj.programs.empty())
        return make_error(ErrorKind::input, display, "no BPF programs in the object",
                          "put each test in a SEC(\"...\") function");
    return obj;
}

Result<HostKernel> HostKernel::open() {
    HostKernel k;
    struct utsname u;
    if (uname(&u) != 0)
        return make_error(ErrorKind::infra, "kernel 'host'", "uname() failed");
    k.m_release = u.release;
    auto v = expect::parse_release(k.m_release);
    if (!v)
        return make_error(ErrorKind::infra, "kernel 'host'", v.error().what);
    k.m_version = *v;
    k.m_btf = btf__load_vmlinux_btf();
    if (!k.m_btf)
        return make_error(ErrorKind::infra, "kernel 'host'",
                          std::string("kernel BTF unreadable (/sys/kernel/btf/vmlinux): ") +
                              std::strerror(errno),
                          "the kernel needs CONFIG_DEBUG_INFO_BTF=y");
    return k;
}

HostKernel::HostKernel(HostKernel&& o) noexcept
    : m_release(std::move(o.m_release)), m_version(o.m_version), m_btf(o.m_btf),
      m_kfuncs(std::move(o.m_kfuncs)), m_targets(std::move(o.m_targets)) {
    o.m_btf = nullptr;
}

HostKernel& HostKernel::operator=(HostKernel&& o) noexcept {
    if (this != &o) {
        if (m_btf)
            btf__free(m_btf);
        m_release = std::move(o.m_release);
        m_version = o.m_version;
        m_btf = o.m_btf;
        m_kfuncs = std::move(o.m_kfuncs);
        m_targets = std::move(o.m_targets);
        o.m_btf = nullptr;
    }
    return *this;
}

HostKernel::~HostKernel() {
    if (m_btf)
        btf__free(m_btf);
}

bool HostKernel::has_kfunc(const std::string& name) const {
    auto [it, added] = m_kfuncs.try_emplace(name, false);
    if (added)
        it->second = btf__find_by_name_kind(m_btf, name.c_str(), BTF_KIND_FUNC) > 0;
    return it->second;
}

AttachCheck HostKernel::attach_target(const std::string& section) const {
    auto it = m_targets.find(section);
    if (it == m_targets.end())
        it = m_targets.emplace(section, check_attach_target(m_btf, section)).first;
    return it->second;
}

namespace {

// Loads `r0 = 0; exit` as a program of `type`; returns 0 or -errno. The fd is
// closed at once: nothing is attached.
int load_trivial(enum bpf_prog_type type, const struct bpf_prog_load_opts* opts) {
    const struct bpf_insn insns[] = {
        {BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0},
        {BPF_JMP | BPF_EXIT, 0, 0, 0, 0},
    };
    int fd = bpf_prog_load(type, "iterconf_probe", "GPL", insns, 2, opts);
    if (fd < 0)
        return -errno;
    ::close(fd);
    return 0;
}

} // namespace

bool HostKernel::refuses_program_type(const std::string& section, int type, int attach,
                                      uint32_t flags, int err, const std::string& log_seen) const {
    // The attach target, for the section kinds that name one in kernel BTF.
    auto [kind, target] = split_section(section);
    int btf_id = 0;
    auto find = [&](const std::string& name, int kind_id) {
        return name.empty() ? 0 : btf__find_by_name_kind(m_btf, name.c_str(), kind_id);
    };
    if (kind == "fentry" || kind == "fexit" || kind == "fmod_ret" || kind == "fentry.s" ||
        kind == "fexit.s" || kind == "fmod_ret.s")
        btf_id = find(target, BTF_KIND_FUNC);
    else if (kind == "lsm" || kind == "lsm.s")
        btf_id = find("bpf_lsm_" + target, BTF_KIND_FUNC);
    else if (kind == "tp_btf")
        btf_id = find("btf_trace_" + target, BTF_KIND_TYPEDEF);
    if (btf_id < 0)
        return false; // the target itself is missing: a case problem, not the kernel's
    // libbpf adds BPF_F_SLEEPABLE for ".s" sections only while loading.
    if (kind.size() > 2 && kind.compare(kind.size() - 2, 2, ".s") == 0)
        flags |= BPF_F_SLEEPABLE;
    char log[1024] = "";
    LIBBPF_OPTS(bpf_prog_load_opts, o,
                .expected_attach_type = static_cast<enum bpf_attach_type>(attach),
                .prog_flags = flags, .attach_btf_id = static_cast<__u32>(btf_id), .log_level = 1,
                .log_size = sizeof(log), .log_buf = log);
    // Refused the same way, with the same words (or none), before any
    // instruction was verified.
    auto trim = [](std::string s) {
        while (!s.empty() && (s.back() == '\n' || s.back() == ' '))
            s.pop_back();
        return s;
    };
    return load_trivial(static_cast<enum bpf_prog_type>(type), &o) == err &&
           trim(log) == trim(log_seen) && insns_processed(log_seen) <= 0;
}

Result<void> HostKernel::probe_bpf() const {
    // r0 = 0; exit  as a raw tracepoint program: needs CAP_BPF + CAP_PERFMON,
    // like the programs under test.
    int err = -load_trivial(BPF_PROG_TYPE_RAW_TRACEPOINT, nullptr);
    if (err == 0)
        return {};
    if (err == EPERM || err == EACCES)
        return make_error(ErrorKind::infra, "kernel 'host'",
                          std::string("bpf() not permitted (") +
                              (err == EPERM ? "EPERM" : "EACCES") + ")",
                          "run as root or with CAP_BPF and CAP_PERFMON");
    return make_error(ErrorKind::infra, "kernel 'host'",
                      std::string("cannot load a trivial BPF program: ") + std::strerror(err),
                      "check that the kernel has CONFIG_BPF_SYSCALL");
}

namespace {

// The program's type and attach target as libbpf saw them, for
// HostKernel::refuses_program_type().
struct ProbeTarget {
    enum bpf_prog_type type = BPF_PROG_TYPE_UNSPEC;
    enum bpf_attach_type attach = static_cast<enum bpf_attach_type>(0);
    uint32_t flags = 0;
};

// Whether the object's program `name` is an auxiliary one (loaded along
// with the program under test, never judged).
bool is_auxiliary(const CaseObject& obj, const std::string& name) {
    for (const auto& other : obj.programs)
        if (other.name == name && other.spec.auxiliary)
            return true;
    return false;
}

// Gives libbpf's program `p` the log buffer, log level and flags `prog`
// asks for; returns its type and attach target as libbpf will load it.
ProbeTarget configure(struct bpf_program* p, const CaseProgram& prog, const Options& opts,
                      std::vector<char>& buf) {
    bpf_program__set_log_buf(p, buf.data(), buf.size());
    bpf_program__set_log_level(p, prog.spec.log_level.value_or(opts.log_level));
    uint32_t flags = bpf_program__flags(p);
    flags = (flags | prog.spec.prog_flags_set) & ~prog.spec.prog_flags_clear;
    bpf_program__set_flags(p, flags);
    return {bpf_program__type(p), bpf_program__expected_attach_type(p), flags};
}

// Opens the object, enables only `prog` (and auxiliary programs) and loads it.
int load_once(const CaseObject& obj, const CaseProgram& prog, const Options& opts, std::string& log,
              int64_t& load_us, ProbeTarget& probe) {
    struct bpf_object* o = bpf_object__open_file(obj.object.c_str(), nullptr);
    if (!o)
        return errno ? -errno : -EINVAL;
    auto& buf = log_buffer(opts.log_size);
    buf[0] = '\0';
    struct bpf_program* p;
    bpf_object__for_each_program(p, o) {
        std::string name = bpf_program__name(p);
        bool me = name == prog.name;
        bpf_program__set_autoload(p, me || is_auxiliary(obj, name));
        if (me)
            probe = configure(p, prog, opts, buf);
    }
    auto t0 = std::chrono::steady_clock::now();
    int err = bpf_object__load(o);
    auto t1 = std::chrono::steady_clock::now();
    load_us = std::chrono::duration_cast<std::chrono::microseconds>(t1 - t0).count();
    log.assign(buf.data(), strnlen(buf.data(), buf.size()));
    if (err == 0 && opts.on_loaded)
        if (struct bpf_program* me = bpf_object__find_program_by_name(o, prog.name.c_str()))
            opts.on_loaded(bpf_program__fd(me), bpf_program__type(me));
    bpf_object__close(o);
    return err;
}

} // namespace

namespace {

// The checks before any load: the arch, the kfuncs and the attach target.
// An outcome when the program is not to be loaded here.
std::optional<LoadOutcome> before_load(const CaseProgram& prog, const HostKernel& kernel) {
    LoadOutcome out;
    if (!expect::runs_on_arch(prog.spec, expect::current_arch())) {
        out.result.verdict = record::Verdict::unsupported;
        out.result.message = std::string("arch: the program is for");
        for (const auto& a : prog.spec.archs)
            out.result.message += " " + a;
        out.result.message += std::string(" only, this is ") + expect::current_arch();
        return out;
    }
    // Missing kfuncs: `unsupported` only for known ones, grouped by why
    // they are known ("kfunc a b missing from kernel BTF (a known kfunc,
    // present in 6.1 or earlier)"). An unknown one cannot pass open_case();
    // should one get here anyway it is a load_error, never a pass.
    std::map<std::string, std::string> by_span;
    std::string unknown;
    for (const auto& k : prog.kfuncs) {
        if (kernel.has_kfunc(k.name))
            continue;
        out.missing_kfuncs.push_back(k.name);
        if (const KnownKfunc* known = find_known_kfunc(k.name))
            by_span[known_kfunc_span(*known)] += " " + k.name;
        else
            unknown += (unknown.empty() ? "" : ", ") + k.name;
    }
    if (!unknown.empty()) {
        out.result.verdict = record::Verdict::load_error;
        out.result.message = "kfunc " + unknown + " known to no kernel";
        return out;
    }
    if (!out.missing_kfuncs.empty()) {
        out.result.verdict = record::Verdict::unsupported;
        // Whole iterator kinds first: "iterator kind css_task missing from
        // kernel BTF (since 6.7); kfunc ... missing from kernel BTF (...)".
        out.result.message = missing_kinds_reason(
            out.missing_kfuncs, [&kernel](const std::string& f) { return kernel.has_kfunc(f); });
        for (const auto& [span, names] : by_span)
            out.result.message += (out.result.message.empty() ? "" : "; ") + std::string("kfunc") +
                                  names + " missing from kernel BTF (" + span + ")";
        return out;
    }
    // An attach target this kernel lacks but other kernels have (an LSM
    // hook without CONFIG_BPF_LSM): unsupported with that reason. An
    // unknown target is loaded and fails as a load_error (a mismatch).
    if (auto at = kernel.attach_target(prog.section); at.state == AttachTarget::absent_known) {
        out.result.verdict = record::Verdict::unsupported;
        out.result.message = at.reason;
        return out;
    }
    return std::nullopt;
}

// Judges what the load of `prog` gave.
void judge_load(LoadOutcome& out, RawLoad raw, const ProbeTarget& target, const CaseProgram& prog,
                const HostKernel& kernel) {
    out.libbpf_text = raw.libbpf_text;
    out.result = classify(raw);
    out.log = std::move(raw.log);
    out.insns_processed = insns_processed(out.log);

    // Refused before verification, or rejected at the attach point with no
    // instruction verified (e.g. "X is not sleepable" on a kernel without
    // CONFIG_FUNCTION_ERROR_INJECTION): when a trivial program of the same
    // type and attach target fares the same, the kernel cannot run such
    // programs at all, whatever they do with the iterator.
    bool early_reject = out.result.verdict == record::Verdict::reject && out.insns_processed <= 0;
    if ((out.result.verdict == record::Verdict::load_error || early_reject) && raw.err < 0 &&
        kernel.refuses_program_type(prog.section, target.type, target.attach, target.flags, raw.err,
                                    out.log)) {
        std::string why =
            out.log.empty() ? std::string(std::strerror(-raw.err)) : out.result.message;
        out.result.verdict = record::Verdict::unsupported;
        out.result.message =
            "kernel refuses any '" + prog.section + "' program before verification (" + why + ")";
    }
}

// Loads `prog` alone and judges it.
LoadOutcome load_alone(const CaseObject& obj, const CaseProgram& prog, const HostKernel& kernel,
                       const Options& opts) {
    LoadOutcome out;
    g_echo = opts.echo_libbpf;
    std::string text;
    RawLoad raw;
    ProbeTarget target;
    {
        Capture capture(text);
        raw.err = load_once(obj, prog, opts, raw.log, out.load_us, target);
    }
    raw.libbpf_text = text;
    judge_load(out, std::move(raw), target, prog, kernel);
    return out;
}

bool batch_disabled() {
    const char* v = std::getenv("ITERCONF_HOST_BATCH");
    return v && std::string_view(v) == "0";
}

// Judges programs [next, n) of `progs` in order for load_programs_on_host().
class Pass {
  public:
    Pass(const CaseObject& obj, const std::vector<const CaseProgram*>& progs,
         const HostKernel& kernel, const Options& opts, const LoadWatch& watch)
        : m_obj(obj), m_progs(progs), m_kernel(kernel), m_opts(opts), m_watch(watch),
          m_early(progs.size()), m_done(progs.size(), false) {
        for (size_t i = 0; i < progs.size(); i++)
            m_early[i] = before_load(*progs[i], kernel);
    }

    void run() {
        bool passes = bpf_intercept_linked() && !batch_disabled();
        for (size_t i; (i = first_left()) < m_progs.size();) {
            if (m_early[i]) {
                emit(i, std::move(*m_early[i]));
                continue;
            }
            size_t culprit = i;
            if (passes) {
                switch (one_pass(culprit)) {
                case Stop::finished:
                    // What is left is not to be loaded (emitted above); a
                    // program to be loaded that the pass did not take
                    // (libbpf loaded it some other way) goes alone.
                    if (m_watch.in_order) {
                        size_t j = first_left();
                        if (j < m_progs.size() && !m_early[j])
                            passes = false;
                    } else {
                        for (size_t j = 0; j < m_progs.size(); j++)
                            if (!m_done[j] && !m_early[j])
                                passes = false;
                    }
                    if (passes)
                        continue;
                    culprit = first_left();
                    break;
                case Stop::culprit:
                    break; // it failed where libbpf has its own account: alone
                case Stop::unusable:
                    passes = false; // this object: every program alone
                    break;
                }
                if (culprit >= m_progs.size() || m_done[culprit])
                    continue;
                if (m_early[culprit]) // emitted in order by the loop
                    continue;
            }
            alone(culprit);
        }
    }

  private:
    enum class Stop { finished, culprit, unusable };

    size_t first_left() const {
        size_t i = 0;
        while (i < m_progs.size() && m_done[i])
            i++;
        return i;
    }

    void emit(size_t i, LoadOutcome&& out) {
        if (m_watch.judged)
            m_watch.judged(i, std::move(out));
        m_done[i] = true;
    }

    // In order: programs before i that are not loaded (unsupported here)
    // are judged first.
    void emit_early_before(size_t i) {
        if (!m_watch.in_order)
            return;
        for (size_t j = first_left(); j < i && m_early[j]; j = first_left())
            emit(j, std::move(*m_early[j]));
    }

    void alone(size_t i) {
        if (m_opts.echo_libbpf)
            std::fprintf(stderr, "iterconf: %s: loaded alone, not in the object's one pass\n",
                         m_obj.where(m_progs[i]->name).c_str());
        Options o = m_opts;
        if (m_watch.loaded)
            o.on_loaded = [&](int fd, int type) { m_watch.loaded(i, fd, type); };
        if (m_watch.before)
            m_watch.before(i);
        LoadOutcome out = load_alone(m_obj, *m_progs[i], m_kernel, o);
        if (m_watch.after)
            m_watch.after(i);
        emit(i, std::move(out));
    }

    // One libbpf pass over the object, for the programs not judged yet;
    // sets `culprit` to the program libbpf stopped at.
    Stop one_pass(size_t& culprit) {
        std::map<std::string, size_t> index; // program name -> index into progs
        for (size_t i = 0; i < m_progs.size(); i++)
            if (!m_done[i] && !m_early[i])
                index[m_progs[i]->name] = i;
        g_echo = m_opts.echo_libbpf;
        std::string text;
        Capture capture(text);
        struct bpf_object* o = bpf_object__open_file(m_obj.object.c_str(), nullptr);
        if (!o)
            return Stop::unusable; // each program alone says why
        struct Closer {
            struct bpf_object* o;
            ~Closer() { bpf_object__close(o); }
        } closer{o};
        // libbpf initialises program arrays after every program has loaded:
        // a program alone would see that step, a pass that stops may not.
        struct bpf_map* m;
        bpf_object__for_each_map(m, o) if (bpf_map__type(m) ==
                                           BPF_MAP_TYPE_PROG_ARRAY) return Stop::unusable;
        auto& buf = log_buffer(m_opts.log_size);
        std::map<size_t, ProbeTarget> targets;
        size_t last = 0; // libbpf loads in its order: in order, it must be ours
        struct bpf_program* p;
        bpf_object__for_each_program(p, o) {
            std::string name = bpf_program__name(p);
            auto it = index.find(name);
            bpf_program__set_autoload(p, it != index.end() || is_auxiliary(m_obj, name));
            if (it == index.end())
                continue;
            if (m_watch.in_order && it->second < last)
                return Stop::unusable;
            last = it->second;
            targets[it->second] = configure(p, *m_progs[it->second], m_opts, buf);
        }

        std::set<long> placeholders; // fds handed to libbpf for rejected programs
        culprit = m_progs.size();
        BpfHook hook = [&](int cmd, union bpf_attr* attr, unsigned, long& ret,
                           const std::function<long()>& forward) {
            if (cmd == BPF_PROG_BIND_MAP && placeholders.count(attr->prog_bind_map.prog_fd)) {
                ret = 0; // libbpf binds .rodata to each loaded program
                return true;
            }
            if (cmd != BPF_PROG_LOAD)
                return false;
            size_t i = m_progs.size();
            struct bpf_program* q;
            bpf_object__for_each_program(q, o) {
                if (reinterpret_cast<uintptr_t>(bpf_program__insns(q)) != attr->insns)
                    continue;
                if (auto it = index.find(bpf_program__name(q)); it != index.end())
                    i = it->second;
            }
            if (i == m_progs.size())
                return false; // libbpf's feature probes, auxiliary programs
            emit_early_before(i);
            buf[0] = '\0';
            if (m_watch.before)
                m_watch.before(i);
            auto t0 = std::chrono::steady_clock::now();
            ret = forward();
            int err = errno;
            auto t1 = std::chrono::steady_clock::now();
            RawLoad raw;
            raw.log.assign(buf.data(), strnlen(buf.data(), buf.size()));
            bool has_log = raw.log.find_first_not_of(" \n\t") != std::string::npos;
            // Judged here only when libbpf alone would have nothing to add:
            // a verifier log (not libbpf's text), no retry with a log (log
            // level 0) or after EAGAIN, no poisoned instruction to explain.
            bool final = ret >= 0 || (attr->log_level != 0 && err != EAGAIN && has_log &&
                                      raw.log.find("unknown#") == std::string::npos);
            // Refused with no word, as a trivial program of the same type and
            // attach point is (no trampolines, no BPF LSM): the lone load
            // would judge it `unsupported` from the same probe, and libbpf's
            // own lines add nothing to that record.
            if (!final && ret < 0 && !has_log && attr->log_level != 0 && err != EAGAIN) {
                const ProbeTarget& t = targets[i];
                final = m_kernel.refuses_program_type(m_progs[i]->section, t.type, t.attach,
                                                      t.flags, -err, raw.log);
            }
            if (ret >= 0 && m_watch.loaded)
                m_watch.loaded(i, static_cast<int>(ret), static_cast<int>(attr->prog_type));
            if (m_watch.after)
                m_watch.after(i);
            if (!final) {
                culprit = i;
                errno = err;
                return true; // libbpf sees the failure (and may retry with a log)
            }
            culprit = m_progs.size();
            LoadOutcome out;
            out.load_us = std::chrono::duration_cast<std::chrono::microseconds>(t1 - t0).count();
            out.in_pass = true;
            raw.err = ret >= 0 ? 0 : -err;
            raw.libbpf_text = text;
            judge_load(out, std::move(raw), targets[i], *m_progs[i], m_kernel);
            emit(i, std::move(out));
            if (ret < 0) {
                // libbpf goes on to the next program with a descriptor that
                // is no program (closed by bpf_object__close()).
                ret = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
                if (ret < 0)
                    return true; // libbpf stops; the rest follow alone
                placeholders.insert(ret);
            }
            errno = err;
            return true;
        };
        bpf_hook() = &hook;
        int err = bpf_object__load(o);
        bpf_hook() = nullptr;
        if (err == 0)
            return Stop::finished;
        // Stopped at a program's failure; else libbpf failed on its own
        // (relocation, maps, BTF): every program alone says how.
        return culprit < m_progs.size() ? Stop::culprit : Stop::unusable;
    }

    const CaseObject& m_obj;
    const std::vector<const CaseProgram*>& m_progs;
    const HostKernel& m_kernel;
    const Options& m_opts;
    const LoadWatch& m_watch;
    std::vector<std::optional<LoadOutcome>> m_early; // not to be loaded: their outcomes
    std::vector<bool> m_done;                        // judged
};

} // namespace

BpfHook*& bpf_hook() {
    thread_local BpfHook* hook = nullptr;
    static bool once = [] {
        // A child forked while a hook is set (a program run, an
        // unprivileged load) loads on its own.
        ::pthread_atfork(nullptr, nullptr, [] { bpf_hook() = nullptr; });
        return true;
    }();
    (void)once;
    return hook;
}

bool bpf_intercept_linked() {
    return iterconf_bpf_intercept_linked && iterconf_bpf_intercept_linked();
}

LoadOutcome load_on_host(const CaseObject& obj, const CaseProgram& prog, const HostKernel& kernel,
                         const Options& opts) {
    if (auto out = before_load(prog, kernel))
        return std::move(*out);
    return load_alone(obj, prog, kernel, opts);
}

void load_programs_on_host(const CaseObject& obj, const std::vector<const CaseProgram*>& progs,
                           const HostKernel& kernel, const Options& opts, const LoadWatch& watch) {
    Pass(obj, progs, kernel, opts, watch).run();
}

} // namespace iterconf::load
