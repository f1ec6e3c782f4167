#include "config/manifest.hpp"

#include "common/toml.hpp"
#include "config/assets.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <sys/stat.h>

namespace iterconf::config {

namespace {

bool lower_digit(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

// [a-z0-9][a-z0-9.+-]+
bool package_name(std::string_view s) {
    if (s.size() < 2 || !lower_digit(s[0]))
        return false;
    for (char c : s)
        if (!lower_digit(c) && c != '.' && c != '+' && c != '-')
            return false;
    return true;
}

// [a-z0-9][a-z0-9.-]*( +[a-z0-9][a-z0-9.-]*)*
bool suite_list(std::string_view s) {
    bool word_start = true;
    for (size_t i = 0; i < s.size(); i++) {
        char c = s[i];
        if (c == ' ') {
            if (word_start && i == 0)
                return false;
            if (i + 1 == s.size())
                return false;
            word_start = true;
            continue;
        }
        if (word_start ? !lower_digit(c) : !(lower_digit(c) || c == '.' || c == '-'))
            return false;
        word_start = false;
    }
    return !s.empty();
}

// [0-9]+(\.[0-9]+)*
bool series_version(std::string_view s) {
    bool need_digit = true;
    for (char c : s) {
        if (c >= '0' && c <= '9')
            need_digit = false;
        else if (c == '.' && !need_digit)
            need_digit = true;
        else
            return false;
    }
    return !need_digit;
}

} // namespace

Result<Manifest> Manifest::parse(std::string_view text, const std::string& file) {
    ITERCONF_TRY_ASSIGN(toml::Document doc, toml::parse(text, file));
    if (!doc.top.empty())
        return make_error(ErrorKind::input, toml::where(file, doc.top[0].line),
                          "'" + doc.top[0].key + "' is outside a [kernel] table",
                          "start the entry with [name]");
    Manifest m;
    m.m_file = file;
    for (const auto& t : doc.tables) {
        std::string at = toml::where(file, t.line);
        if (t.array)
            return make_error(ErrorKind::input, at,
                              "[[" + t.name + "]]: a kernel is a [name] table",
                              "write [" + t.name + "]");
        if (t.name == "host" || t.name == "all")
            return make_error(ErrorKind::input, at, "kernel name '" + t.name + "' is reserved",
                              "choose another table name");
        ManifestKernel k;
        k.name = t.name;
        k.line = t.line;
        for (const auto& p : t.pairs) {
            if (p.key == "description")
                k.description = p.value;
            else if (p.key == "suites")
                k.suites = p.value;
            else if (p.key == "package")
                k.package = p.value;
            else if (p.key == "series")
                k.series = p.value;
            else
                return make_error(ErrorKind::input, toml::where(file, p.line),
                                  "unknown key '" + p.key + "'",
                                  "expected description, suites, package or series");
        }
        std::string who = "kernel '" + k.name + "': ";
        if (!package_name(k.package))
            return make_error(ErrorKind::input, at,
                              who + "'package' is missing or not a Debian package name",
                              "e.g. package = \"linux-image-cloud-amd64\"");
        if (!suite_list(k.suites))
            return make_error(ErrorKind::input, at, who + "'suites' is missing or malformed",
                              "e.g. suites = \"bookworm bookworm-security\"");
        if (!k.series.empty() && !series_version(k.series))
            return make_error(ErrorKind::input, at,
                              who + "'series' must be an upstream version like \"6.12\"");
        m.m_kernels.push_back(std::move(k));
    }
    if (m.m_kernels.empty())
        return make_error(ErrorKind::input, file, "no kernels defined", "add a [name] table");
    return m;
}

Result<Manifest> Manifest::load() {
    const char* env = std::getenv("ITERCONF_KERNELS_MANIFEST");
    if (!env || !*env)
        return parse(asset_text(Asset::kernels_toml), asset_name(Asset::kernels_toml));
    std::string path = env;
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return make_error(ErrorKind::io, path,
                          std::string("cannot read the kernel manifest: ") + std::strerror(errno),
                          "fix ITERCONF_KERNELS_MANIFEST or unset it for the built-in manifest");
    std::stringstream ss;
    ss << in.rdbuf();
    return parse(ss.str(), path);
}

const ManifestKernel* Manifest::find(std::string_view name) const {
    for (const auto& k : m_kernels)
        if (k.name == name)
            return &k;
    return nullptr;
}

std::vector<std::string> Manifest::names() const {
    std::vector<std::string> out;
    for (const auto& k : m_kernels)
        out.push_back(k.name);
    return out;
}

std::string cache_dir() {
    if (const char* c = std::getenv("ITERCONF_CACHE_DIR"); c && *c)
        return c;
    if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x)
        return std::string(x) + "/iterconf";
    const char* home = std::getenv("HOME");
    return std::string(home ? home : "/tmp") + "/.cache/iterconf";
}

std::map<std::string, std::string> parse_meta(std::string_view text) {
    std::map<std::string, std::string> meta;
    for (std::string_view l : split_lines(text)) {
        size_t eq = l.find('=');
        if (eq == std::string_view::npos)
            continue;
        meta.emplace(std::string(l.substr(0, eq)), std::string(l.substr(eq + 1)));
    }
    return meta;
}

std::optional<CachedKernel> cached_kernel(const std::string& cache, const std::string& name) {
    std::string link = cache + "/kernels/" + name + "/current";
    struct stat st {};
    if (lstat(link.c_str(), &st) != 0 || !S_ISLNK(st.st_mode))
        return std::nullopt;
    char* real = realpath(link.c_str(), nullptr);
    if (!real)
        return std::nullopt;
    CachedKernel k;
    k.dir = real;
    std::free(real);
    std::ifstream meta(k.dir + "/meta", std::ios::binary);
    if (!meta || stat(k.bzimage().c_str(), &st) != 0 || !S_ISREG(st.st_mode))
        return std::nullopt;
    std::stringstream ss;
    ss << meta.rdbuf();
    k.meta_text = ss.str();
    k.meta = parse_meta(k.meta_text);
    return k;
}

bool intact(const CachedKernel& k) {
    auto it = k.meta.find("bzimage_sha256");
    return it != k.meta.end() && !it->second.empty() && sha256_file(k.bzimage()) == it->second;
}

// ---- lock files ----

namespace {

// [A-Za-z0-9][A-Za-z0-9._-]*, as the manifest's table names.
bool kernel_name(std::string_view s) {
    auto alnum = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    };
    if (s.empty() || !alnum(s[0]))
        return false;
    return std::all_of(s.begin(), s.end(),
                       [&](char c) { return alnum(c) || c == '.' || c == '_' || c == '-'; });
}

// [0-9][A-Za-z0-9.+~:-]* (Debian policy 5.6.12)
bool debian_version(std::string_view s) {
    if (s.empty() || !(s[0] >= '0' && s[0] <= '9'))
        return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '.' || c == '+' || c == '~' || c == ':' || c == '-';
    });
}

bool sha256_text(std::string_view s) {
    return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
           });
}

} // namespace

Result<Lock> Lock::parse(std::string_view text, const std::string& file) {
    const std::string hint = "write it with 'iterconf kernels lock'";
    ITERCONF_TRY_ASSIGN(toml::Document doc, toml::parse(text, file));
    if (!doc.top.empty())
        return make_error(ErrorKind::input, toml::where(file, doc.top[0].line),
                          "'" + doc.top[0].key + "' is outside a [[kernel]] entry", hint);
    Lock lock;
    lock.file = file;
    for (const auto& t : doc.tables) {
        std::string at = toml::where(file, t.line);
        if (!t.array || t.name != "kernel")
            return make_error(ErrorKind::input, at,
                              std::string(t.array ? "[[" : "[") + t.name + (t.array ? "]]" : "]") +
                                  ": a lock file has only [[kernel]] entries",
                              hint);
        LockedKernel k;
        k.line = t.line;
        for (const auto& p : t.pairs) {
            std::string* field = p.key == "name"      ? &k.name
                                 : p.key == "package" ? &k.package
                                 : p.key == "version" ? &k.version
                                 : p.key == "sha256"  ? &k.sha256
                                                      : nullptr;
            if (!field)
                return make_error(ErrorKind::input, toml::where(file, p.line),
                                  "unknown key '" + p.key + "'",
                                  "expected name, package, version and sha256");
            *field = p.value;
        }
        auto bad = [&](const std::string& what) {
            return make_error(ErrorKind::input, at, "[[kernel]] " + what, hint);
        };
        if (!kernel_name(k.name))
            return bad("'name' is missing or not a kernel name");
        if (!package_name(k.package))
            return bad("'" + k.name + "': 'package' is missing or not a Debian package name");
        if (!debian_version(k.version))
            return bad("'" + k.name + "': 'version' is missing or not a Debian version");
        if (!sha256_text(k.sha256))
            return bad("'" + k.name + "': 'sha256' is missing or not 64 lowercase hex digits");
        if (lock.find(k.name))
            return bad("'" + k.name + "' appears twice");
        lock.kernels.push_back(std::move(k));
    }
    return lock;
}

Result<Lock> Lock::load(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return make_error(ErrorKind::io, path,
                          std::string("cannot read the lock file: ") + std::strerror(errno),
                          "write one with 'iterconf kernels lock " + path + "'");
    std::stringstream ss;
    ss << in.rdbuf();
    return parse(ss.str(), path);
}

const LockedKernel* Lock::find(std::string_view name) const {
    for (const auto& k : kernels)
        if (k.name == name)
            return &k;
    return nullptr;
}

std::string Lock::render() const {
    std::string s =
        "# Written by 'iterconf kernels lock' from the kernel cache: the exact package of\n"
        "# each manifest kernel and its bzImage's sha256. 'iterconf kernels fetch --pin\n"
        "# FILE' and 'iterconf run --pin FILE' fetch and use exactly these.\n";
    for (const auto& k : kernels)
        s += "\n[[kernel]]\nname = " + toml::quote(k.name) +
             "\npackage = " + toml::quote(k.package) + "\nversion = " + toml::quote(k.version) +
             "\nsha256 = " + toml::quote(k.sha256) + "\n";
    return s;
}

// ---- SHA-256 (FIPS 180-4) ----

namespace {

constexpr std::array<uint32_t, 64> k_sha256_k = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

uint32_t rotr(uint32_t x, int n) {
    return (x >> n) | (x << (32 - n));
}

struct Sha256 {
    std::array<uint32_t, 8> h = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    uint64_t bytes = 0;
    std::array<unsigned char, 64> block{};
    size_t fill = 0;

    void compress(const unsigned char* p) {
        std::array<uint32_t, 64> w{};
        for (int i = 0; i < 16; i++)
            w[i] = uint32_t(p[4 * i]) << 24 | uint32_t(p[4 * i + 1]) << 16 |
                   uint32_t(p[4 * i + 2]) << 8 | uint32_t(p[4 * i + 3]);
        for (int i = 16; i < 64; i++) {
            uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
            uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16] + s0 + w[i - 7] + s1;
        }
        auto v = h;
        for (int i = 0; i < 64; i++) {
            uint32_t s1 = rotr(v[4], 6) ^ rotr(v[4], 11) ^ rotr(v[4], 25);
            uint32_t ch = (v[4] & v[5]) ^ (~v[4] & v[6]);
            uint32_t t1 = v[7] + s1 + ch + k_sha256_k[i] + w[i];
            uint32_t s0 = rotr(v[0], 2) ^ rotr(v[0], 13) ^ rotr(v[0], 22);
            uint32_t maj = (v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]);
            uint32_t t2 = s0 + maj;
            v = {t1 + t2, v[0], v[1], v[2], v[3] + t1, v[4], v[5], v[6]};
        }
        for (int i = 0; i < 8; i++)
            h[i] += v[i];
    }

    void update(const unsigned char* p, size_t n) {
        bytes += n;
        while (n > 0) {
            size_t take = std::min(n, block.size() - fill);
            std::memcpy(block.data() + fill, p, take);
            fill += take;
            p += take;
            n -= take;
            if (fill == block.size()) {
                compress(block.data());
                fill = 0;
            }
        }
    }

    std::string hex() {
        uint64_t bits = bytes * 8;
        unsigned char pad = 0x80;
        update(&pad, 1);
        unsigned char zero = 0;
        while (fill != 56)
            update(&zero, 1);
        for (int i = 7; i >= 0; i--) {
            unsigned char b = static_cast<unsigned char>(bits >> (8 * i));
            update(&b, 1);
        }
        std::string out;
        char buf[9];
        for (uint32_t x : h) {
            std::snprintf(buf, sizeof buf, "%08x", x);
            out += buf;
        }
        return out;
    }
};

} // namespace

std::string sha256_hex(std::string_view data) {
    Sha256 s;
    s.update(reinterpret_cast<const unsigned char*>(data.data()), data.size());
    return s.hex();
}

std::string sha256_file(const std::string& path) {
    FILE* f = std::fopen(path.c_str(), "rb");
    if (!f)
        return "";
    Sha256 s;
    std::array<unsigned char, 1 << 16> buf{};
    size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), f)) > 0)
        s.update(buf.data(), n);
    bool bad = std::ferror(f);
    std::fclose(f);
    return bad ? "" : s.hex();
}

} // namespace iterconf::config
