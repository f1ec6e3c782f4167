// iterconf kernels kinds [NAME...]: the open-coded iterator kinds of each
// kernel, discovered from its BTF (load/iter_kinds) and matched to the
// known-kinds table (gen/kind_table). `host` reads /sys/kernel/btf/vmlinux;
// a manifest kernel or a bzImage path has its vmlinux ELF taken out of the
// image (the first zstd, lz4 or xz stream that unpacks to ELF, as
// images/kfuncs.sh does) and its .BTF read by libbpf's btf__parse_elf().
#include "cli/kinds.hpp"

#include "cli/common.hpp"
#include "cli/kernels.hpp"
#include "load/iter_kinds.hpp"

#include <algorithm>
#include <bpf/btf.h>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <iterator>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

namespace iterconf::cli {

namespace {

constexpr const char* k_usage =
    R"(usage: iterconf kernels kinds [NAME...]

The open-coded iterator kinds of each kernel (default: host), discovered
from its BTF: every bpf_iter_<kind>_{new,next,destroy} triple whose first
argument is a struct bpf_iter_<kind>, with the struct's size, matched to
the kind table (runner/gen/kind_table.hpp). Per kernel: the kinds present
(bytes, stack slots, first release), the known kinds absent (with the
release that introduced them), kinds the table does not know (by name),
incomplete triples and sizes that differ from the table.

  NAME   host, a manifest kernel (fetched when not cached), all, or a
         bzImage path. The host's BTF is /sys/kernel/btf/vmlinux (or, for
         tests, $ITERCONF_HOST_BTF: a raw BTF or ELF file); a kernel
         image's is read from the vmlinux inside it (needs zstd, or lz4
         for Debian 6.1, or xz: ci/install-deps.sh).

exit: 0 every kernel read (unknown kinds are reported, not an error),
1 a kernel could not be fetched or its BTF read, 2 usage error or a file
that is not a kernel image.
)";

struct BtfDeleter {
    void operator()(struct btf* b) const { btf__free(b); }
};
using BtfPtr = std::unique_ptr<struct btf, BtfDeleter>;

// Runs `tool` with stdin = `file` from byte `offset`, stdout = `out`.
bool unpack(const char* tool, const std::string& file, size_t offset, const std::string& out) {
    pid_t pid = fork();
    if (pid < 0)
        return false;
    if (pid == 0) {
        int in = open(file.c_str(), O_RDONLY);
        int o = open(out.c_str(), O_WRONLY | O_TRUNC);
        int null = open("/dev/null", O_WRONLY);
        if (in < 0 || o < 0 || null < 0 || lseek(in, static_cast<off_t>(offset), SEEK_SET) < 0)
            _exit(127);
        dup2(in, 0);
        dup2(o, 1);
        dup2(null, 2);
        execlp(tool, tool, "-dcq", static_cast<char*>(nullptr));
        _exit(127);
    }
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    // A stream followed by the image's trailer makes the tool complain
    // after it has written everything: what was written is judged, not
    // the exit status.
    std::ifstream f(out, std::ios::binary);
    char magic[4] = {};
    f.read(magic, 4);
    return f.gcount() == 4 && std::memcmp(magic,
                                          "\x7f"
                                          "ELF",
                                          4) == 0;
}

bool have_tool(const char* tool) {
    std::string out, err;
    return run_capture({"sh", "-c", std::string("command -v ") + tool}, out, err) == 0;
}

// The BTF of the vmlinux inside a bzImage.
Result<BtfPtr> image_btf(const std::string& image, const std::string& where) {
    std::ifstream f(image, std::ios::binary);
    if (!f)
        return make_error(ErrorKind::io, where,
                          "cannot read " + image + ": " + std::strerror(errno), "check the path");
    std::string data((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    static constexpr struct {
        std::string_view magic;
        const char* tool;
    } k_formats[] = {{"\x28\xb5\x2f\xfd", "zstd"},
                     {"\x02\x21\x4c\x18", "lz4"},
                     {std::string_view("\xfd\x37\x7a\x58\x5a\x00", 6), "xz"}};
    const char* tmpdir = std::getenv("TMPDIR");
    std::string tmp = std::string(tmpdir && *tmpdir ? tmpdir : "/tmp") + "/iterconf-vmlinux.XXXXXX";
    int fd = mkstemp(tmp.data());
    if (fd < 0)
        return make_error(ErrorKind::io, where,
                          "cannot create a temporary file: " + std::string(std::strerror(errno)),
                          "set TMPDIR to a writable directory");
    close(fd);
    std::string missing;
    bool any_stream = false;
    for (const auto& fmt : k_formats) {
        size_t pos = data.find(fmt.magic);
        if (pos == std::string::npos)
            continue;
        any_stream = true;
        if (!have_tool(fmt.tool)) {
            missing += (missing.empty() ? "" : ", ") + std::string(fmt.tool);
            continue;
        }
        for (; pos != std::string::npos; pos = data.find(fmt.magic, pos + 1)) {
            if (!unpack(fmt.tool, image, pos, tmp))
                continue;
            struct btf* btf = btf__parse_elf(tmp.c_str(), nullptr);
            if (btf) {
                unlink(tmp.c_str());
                return BtfPtr(btf);
            }
            unlink(tmp.c_str());
            return make_error(ErrorKind::input, where,
                              "the vmlinux in " + image + " has no readable .BTF section",
                              "a kernel without CONFIG_DEBUG_INFO_BTF has no iterator kfuncs");
        }
    }
    unlink(tmp.c_str());
    if (!missing.empty())
        return make_error(ErrorKind::infra, where, missing + " not installed",
                          "run ci/install-deps.sh (Debian packages zstd, lz4, xz-utils)");
    return make_error(ErrorKind::input, where,
                      any_stream ? "no compressed stream in " + image + " unpacks to an ELF vmlinux"
                                 : image + " has no zstd, lz4 or xz stream",
                      "give a bzImage (arch/x86/boot/bzImage)");
}

std::string release_of(const Kernel& k) {
    if (k.host) {
        struct utsname u;
        return uname(&u) == 0 ? u.release : "";
    }
    size_t p = k.meta_text.find("release=");
    if (p == std::string::npos || (p > 0 && k.meta_text[p - 1] != '\n'))
        return "";
    size_t e = k.meta_text.find('\n', p);
    return k.meta_text.substr(p + 8, e == std::string::npos ? e : e - p - 8);
}

void print(const Kernel& k, const std::string& release, const load::KindReport& r) {
    size_t known = 0, unknown = r.unknown().size(), partial = 0;
    for (const auto& f : r.found) {
        known += f.known && f.complete();
        partial += !f.complete();
    }
    std::printf("kernel '%s'%s: %zu of %zu known kinds present, %zu unknown, %zu partial\n",
                k.source.c_str(), release.empty() ? "" : (" (" + release + ")").c_str(), known,
                gen::known_kinds().size(), unknown, partial);
    auto ver = parse_release(release);
    std::printf("  %-12s %5s %5s %-6s %s\n", "KIND", "BYTES", "SLOTS", "SINCE", "STATUS");
    auto row = [](const std::string& name, const std::string& bytes, const std::string& slots,
                  const std::string& since, const std::string& status) {
        std::printf("  %-12s %5s %5s %-6s %s\n", name.c_str(), bytes.c_str(), slots.c_str(),
                    since.c_str(), status.c_str());
    };
    auto since_of = [](const gen::KnownKind& kk) {
        std::string s = kk.since.str();
        return s.size() > 2 && s.substr(s.size() - 2) == ".0" ? s.substr(0, s.size() - 2) : s;
    };
    // Known kinds in table order, present or absent, then the others.
    for (const auto& kk : gen::known_kinds()) {
        if (const load::FoundKind* f = r.find(kk.name)) {
            std::string bytes = f->size >= 0 ? std::to_string(f->size) : "-";
            std::string slots = f->size >= 0 ? std::to_string(f->size / 8) : "-";
            std::string status = "present";
            if (!f->complete())
                status = "partial: " + f->funcs() + " without " + f->missing();
            else if (f->size_mismatch())
                status = "present, size differs: the kind table says " + std::to_string(kk.size) +
                         " bytes";
            if (f->has_new_impl)
                status += " (new also as bpf_iter_" + f->name + "_new_impl)";
            row(kk.name, bytes, slots, since_of(kk), status);
            continue;
        }
        std::string why;
        if (kk.module)
            why = "absent (module " + std::string(kk.module) + ", not in vmlinux BTF)";
        else if (ver && *ver < kk.since)
            why = "absent (since " + since_of(kk) + ")";
        else
            why = "absent (since " + since_of(kk) + "; needs CONFIG_" + kk.kconfig + ")";
        row(kk.name, "-", "-", since_of(kk), why);
    }
    for (const auto& f : r.found) {
        if (f.known)
            continue;
        std::string bytes = f.size >= 0 ? std::to_string(f.size) : "-";
        std::string slots = f.size >= 0 ? std::to_string(f.size / 8) : "-";
        std::string status = f.complete()
                                 ? "UNKNOWN to the kind table (" + f.funcs() + ")"
                                 : "UNKNOWN, partial: " + f.funcs() + " without " + f.missing();
        row(f.name, bytes, slots, "-", status);
    }
}

// The host's BTF: /sys/kernel/btf/vmlinux, or (tests) $ITERCONF_HOST_BTF,
// a raw BTF or ELF file, for the kinds only (never for loading).
// The running kernel's BTF, or ITERCONF_HOST_BTF's file (tests). The
// former through libbpf's btf__load_vmlinux_btf(): in iterconf that is the
// process's one parse of it (load/vmlinux_btf_share.cpp), which the loads
// that follow use too, and whose btf__free() is a no-op.
std::string host_btf_path() {
    const char* p = std::getenv("ITERCONF_HOST_BTF");
    return p && *p ? p : "/sys/kernel/btf/vmlinux";
}
struct btf* host_btf(const std::string& path) {
    const char* p = std::getenv("ITERCONF_HOST_BTF");
    return p && *p ? btf__parse(path.c_str(), nullptr) : btf__load_vmlinux_btf();
}

} // namespace

void warn_kinds(const Kernel& k) {
    if (k.error)
        return;
    auto r = kernel_kinds(k);
    if (!r)
        return; // `iterconf kernels kinds` says why; the run does not need it
    for (const auto& line : load::kind_warnings(*r, k.source))
        warn(line);
}

Result<load::KindReport> kernel_kinds(const Kernel& k) {
    std::string where = "kernel '" + k.source + "'";
    if (k.error)
        return *k.error;
    if (k.host) {
        std::string path = host_btf_path();
        struct btf* btf = host_btf(path);
        if (!btf)
            return make_error(ErrorKind::infra, where,
                              "cannot read " + path + ": " + std::string(std::strerror(errno)),
                              "the running kernel needs CONFIG_DEBUG_INFO_BTF");
        BtfPtr p(btf);
        return load::discover_kinds(p.get());
    }
    ITERCONF_TRY_ASSIGN(BtfPtr btf, image_btf(k.image, where));
    return load::discover_kinds(btf.get());
}

int kernels_kinds(const std::vector<std::string>& args) {
    std::vector<std::string> names;
    for (const auto& a : args) {
        if (a == "-h" || a == "--help") {
            std::fputs(k_usage, stdout);
            return 0;
        }
        if (a.rfind("-", 0) == 0)
            return report_error(make_error(ErrorKind::usage, "iterconf kernels kinds",
                                           "unknown option '" + a + "'",
                                           "see 'iterconf kernels kinds --help'"),
                                false);
        names.push_back(a);
    }
    if (names.empty())
        names.push_back("host");
    auto ks = resolve_kernels(names, ResolveOptions{});
    if (!ks)
        return report_error(ks.error(), false);
    int rc = 0;
    bool first = true;
    for (const auto& k : *ks) {
        auto r = kernel_kinds(k);
        if (!r) {
            std::fflush(stdout);
            report_error(r.error(), false);
            // Not fetched, BTF unreadable: 1; not a kernel image: 2.
            int e = k.error ? k.error_exit : (r.error().kind == ErrorKind::input ? 2 : 1);
            rc = std::max(rc, e);
            continue;
        }
        if (!first)
            std::printf("\n");
        first = false;
        print(k, release_of(k), *r);
    }
    return rc;
}

} // namespace iterconf::cli
