#include "cli/guests.hpp"

#include "cli/common.hpp"
#include "cli/kernels.hpp"
#include "config/assets.hpp"
#include "config/manifest.hpp"
#include "qemu/initramfs.hpp"

#include <algorithm>
#include <cstdio>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace iterconf::cli {

namespace {

std::string busybox_path() {
    if (const char* s = std::getenv("ITERCONF_BUSYBOX"))
        return s;
    return "/bin/busybox";
}

// A static x86-64 executable: an ELF without a PT_INTERP program header
// (a dynamic one cannot run in the initramfs, which has no libraries).
bool is_static_elf(const std::string& data) {
    if (data.size() < 64 ||
        data.compare(0, 4,
                     "\x7f"
                     "ELF") != 0 ||
        data[4] != 2)
        return false;
    auto u = [&](size_t off, size_t n) {
        uint64_t v = 0;
        for (size_t i = 0; i < n && off + i < data.size(); i++)
            v |= static_cast<uint64_t>(static_cast<unsigned char>(data[off + i])) << (8 * i);
        return v;
    };
    uint64_t phoff = u(32, 8), phentsize = u(54, 2), phnum = u(56, 2);
    for (uint64_t i = 0; i < phnum; i++)
        if (u(phoff + i * phentsize, 4) == 3) // PT_INTERP
            return false;
    return true;
}

} // namespace

Result<void> build_guest_initramfs(const std::string& path, const qemu::Plan& plan,
                                   const std::vector<std::pair<std::string, std::string>>& files,
                                   const std::vector<std::string>& images) {
    using qemu::CpioEntry;
    std::vector<CpioEntry> e;
    for (const char* d : {"bin", "dev", "proc", "sys", "tmp", "cases", "iterconf"})
        e.push_back({d, S_IFDIR | 0755, ""});
    e.push_back({"init", S_IFREG | 0755, std::string(config::asset_text(config::Asset::init_sh))});
    std::string bb = busybox_path();
    auto busybox = qemu::read_file(bb);
    if (!busybox)
        return make_error(ErrorKind::infra, bb, "cannot read busybox: " + busybox.error().what,
                          "install busybox-static (ci/install-deps.sh)");
    if (!is_static_elf(*busybox))
        return make_error(ErrorKind::infra, bb, "not a statically linked executable",
                          "install busybox-static, or point ITERCONF_BUSYBOX at a static busybox");
    e.push_back({"bin/busybox", S_IFREG | 0755, *busybox});
    std::string ap = agent_path();
    auto agent = ap.empty() ? Result<std::string>(make_error(ErrorKind::infra, "", "not built"))
                            : qemu::read_file(ap);
    if (!agent)
        return make_error(ErrorKind::infra, "iterconf-agent",
                          "no guest agent in this build (" + agent.error().what + ")",
                          "use the plain build (build/), not the sanitizer one, or set "
                          "ITERCONF_AGENT");
    if (!is_static_elf(*agent))
        return make_error(ErrorKind::infra, ap, "the guest agent is not statically linked",
                          "use the plain build's runner/iterconf-agent");
    e.push_back({"bin/iterconf-agent", S_IFREG | 0755, *agent});
    std::vector<std::string> dirs;
    for (const auto& [guest, host] : files) {
        fs::path p = fs::path(guest).parent_path();
        std::vector<std::string> chain;
        for (; p != "cases" && !p.empty(); p = p.parent_path())
            chain.push_back(p.generic_string());
        for (auto d = chain.rbegin(); d != chain.rend(); ++d)
            if (std::find(dirs.begin(), dirs.end(), *d) == dirs.end()) {
                dirs.push_back(*d);
                e.push_back({*d, S_IFDIR | 0755, ""});
            }
        ITERCONF_TRY_ASSIGN(std::string obj, qemu::read_file(host));
        e.push_back({guest, S_IFREG | 0644, obj});
    }
    e.push_back({"iterconf/plan", S_IFREG | 0644, qemu::encode_plan(plan)});
    bool modules_dir = false;
    std::set<std::string> releases;
    for (const auto& image : images) {
        std::error_code ec;
        fs::path mods = fs::path(image).parent_path() / "modules";
        if (!fs::is_directory(mods, ec))
            continue;
        for (const auto& rel : fs::directory_iterator(mods, ec)) {
            std::string release = rel.path().filename().string();
            if (!fs::exists(rel.path() / "order", ec) || !releases.insert(release).second)
                continue;
            if (!modules_dir) {
                e.push_back({"modules", S_IFDIR | 0755, ""});
                modules_dir = true;
            }
            e.push_back({"modules/" + release, S_IFDIR | 0755, ""});
            std::vector<fs::path> names;
            for (const auto& f : fs::directory_iterator(rel.path(), ec))
                names.push_back(f.path());
            std::sort(names.begin(), names.end()); // a deterministic archive
            for (const auto& f : names) {
                ITERCONF_TRY_ASSIGN(std::string data, qemu::read_file(f.string()));
                e.push_back({"modules/" + release + "/" + f.filename().string(), S_IFREG | 0644,
                             std::move(data)});
            }
        }
    }
    return qemu::write_cpio(path, e);
}

// KVM is probed by trying it: /dev/kvm may exist and still be unable to run
// a stock kernel (here it stops the guest with no output, or with "KVM
// internal error"). A working KVM boots to init in well under 10 s. The
// answer is cached per host kernel, so only the first run pays for it.
std::string choose_accel(const std::vector<std::string>& images, const std::string& initrd,
                         const qemu::GuestOptions& gopts, const std::string& out_dir, int verbose,
                         const std::atomic<bool>& interrupted) {
    int fd = ::open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return "tcg";
    ::close(fd);
    struct utsname u {};
    uname(&u);
    std::string key = std::string(u.release) + " " + u.version;
    std::string cache = config::cache_dir() + "/kvm-probe";
    {
        std::ifstream in(cache);
        std::string line, k;
        if (std::getline(in, k) && std::getline(in, line) && k == key &&
            (line == "kvm" || line == "tcg")) {
            if (verbose)
                std::fprintf(stderr, "iterconf: qemu: using %s (KVM probe cached in %s)\n",
                             line.c_str(), cache.c_str());
            return line;
        }
    }
    for (const auto& image : images) {
        std::error_code ec;
        std::string dir = out_dir + "/guest/kvm-probe";
        fs::create_directories(dir, ec);
        qemu::GuestKernel gk{"kvm-probe", image, dir, dir + "/console.log"};
        auto o = gopts;
        o.accel = "kvm";
        o.boot_timeout = 10;
        auto f = qemu::boot_floor(gk, initrd, o, interrupted);
        std::string accel = f ? "kvm" : "tcg";
        if (verbose)
            std::fprintf(stderr, "iterconf: qemu: /dev/kvm %s; using %s\n",
                         f ? "boots a guest" : ("cannot boot a guest: " + f.error().what).c_str(),
                         accel.c_str());
        fs::create_directories(config::cache_dir(), ec);
        std::ofstream(cache) << key << "\n" << accel << "\n";
        return accel;
    }
    return "tcg";
}

Result<std::string> prepare_guests(const std::string& out_dir, const qemu::Plan& plan,
                                   const std::vector<std::pair<std::string, std::string>>& files,
                                   const std::vector<std::string>& images, qemu::GuestOptions& opts,
                                   bool auto_accel, int verbose, const std::atomic<bool>& stop) {
    std::error_code ec;
    fs::create_directories(out_dir + "/guest", ec);
    fs::create_directories(out_dir + "/console", ec);
    std::string initrd = out_dir + "/guest/initramfs.cpio";
    ITERCONF_TRY(build_guest_initramfs(initrd, plan, files, images));
    if (auto_accel)
        opts.accel = choose_accel(images, initrd, opts, out_dir, verbose, stop);
    return initrd;
}

Result<qemu::ConsoleScanner> load_console_scanner() {
    return qemu::ConsoleScanner(SplatPatterns::builtin());
}

qemu::GuestKernel guest_kernel(const std::string& out_dir, const std::string& label,
                               const std::string& image) {
    std::string dir = out_dir + "/guest/" + label;
    std::error_code ec;
    fs::create_directories(dir, ec);
    std::string console = out_dir + "/console/" + label + ".log";
    std::ofstream(console, std::ios::trunc).close();
    return qemu::GuestKernel{label, image, dir, console};
}

std::vector<std::thread> start_workers(size_t n, unsigned jobs, const std::atomic<bool>& stop,
                                       std::function<void(size_t)> fn) {
    auto next = std::make_shared<std::atomic<size_t>>(0);
    std::vector<std::thread> threads;
    for (unsigned t = 0; t < std::min<size_t>(jobs, n); t++)
        threads.emplace_back([next, n, &stop, fn] {
            for (size_t i; (i = (*next)++) < n && !stop;)
                fn(i);
        });
    return threads;
}

} // namespace iterconf::cli
