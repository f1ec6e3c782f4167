#include "config/assets.hpp"
#include "config/manifest.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <unistd.h>

using namespace iterconf;

namespace {

std::string err(std::string_view text) {
    auto m = config::Manifest::parse(text, "k.toml");
    return m ? "ok" : m.error().message();
}

const char* k_entry = "package = \"linux-image-cloud-amd64\"\nsuites = \"sid\"\n";

} // namespace

TEST(Manifest, BuiltInManifestParses) {
    auto m = config::Manifest::parse(config::asset_text(config::Asset::kernels_toml),
                                     config::asset_name(config::Asset::kernels_toml));
    ASSERT_TRUE(m.ok()) << m.error().message();
    EXPECT_EQ(m->names().front(), "debian-6.1");
    const auto* k = m->find("debian-6.12-bpo");
    ASSERT_NE(k, nullptr);
    EXPECT_EQ(k->suites, "bookworm-backports");
    EXPECT_EQ(k->series, "6.12");
    EXPECT_EQ(m->find("host"), nullptr);
}

TEST(Manifest, EntriesInFileOrder) {
    auto m = config::Manifest::parse(std::string("[b]\n") + k_entry + "series = \"7.2\"\n" +
                                         "description = \"x\"\n[a.1]\n" + k_entry,
                                     "k.toml");
    ASSERT_TRUE(m.ok()) << m.error().message();
    EXPECT_EQ(m->names(), (std::vector<std::string>{"b", "a.1"}));
    EXPECT_EQ(m->kernels()[1].line, 6u);
    EXPECT_EQ(m->kernels()[1].series, "");
    EXPECT_EQ(m->kernels()[0].description, "x");
}

// The manifest's own rules, on top of the TOML subset's.
TEST(Manifest, ErrorsNameTheLine) {
    EXPECT_EQ(err("# nothing\n"), "k.toml: no kernels defined; add a [name] table");
    EXPECT_EQ(err(std::string("[host]\n") + k_entry),
              "k.toml:1: kernel name 'host' is reserved; choose another table name");
    EXPECT_EQ(err("package = \"x\"\n"),
              "k.toml:1: 'package' is outside a [kernel] table; start the entry with [name]");
    EXPECT_EQ(err(std::string("[k]\n") + k_entry + "colour = \"x\"\n"),
              "k.toml:4: unknown key 'colour'; expected description, suites, package or series");
    EXPECT_EQ(err("[k]\nsuites = \"sid\"\n").substr(0, 54),
              "k.toml:1: kernel 'k': 'package' is missing or not a De");
    for (const char* suites : {"", " sid", "sid ", "Sid", "sid,trixie"})
        EXPECT_EQ(
            err(std::string("[k]\npackage = \"p1\"\nsuites = \"") + suites + "\"\n").substr(0, 50),
            "k.toml:1: kernel 'k': 'suites' is missing or malfo")
            << suites;
    EXPECT_EQ(err("[k]\npackage = \"p1\"\nsuites = \"a  b\"\n"), "ok");
    for (const char* series : {"6.x", "6.", ".6", "6..1"})
        EXPECT_EQ(err(std::string("[k]\n") + k_entry + "series = \"" + series + "\"\n"),
                  "k.toml:1: kernel 'k': 'series' must be an upstream version like \"6.12\"")
            << series;
    EXPECT_EQ(err(std::string("[k]\n") + k_entry + "series = \"\"\n"), "ok");
    EXPECT_EQ(err(std::string("[[k]]\n") + k_entry).substr(0, 36),
              "k.toml:1: [[k]]: a kernel is a [name");
}

TEST(Manifest, LoadHonoursTheEnvironment) {
    std::string path = ::testing::TempDir() + "/manifest_test.toml";
    std::ofstream(path) << "[mine]\n" << k_entry;
    setenv("ITERCONF_KERNELS_MANIFEST", path.c_str(), 1);
    auto m = config::Manifest::load();
    setenv("ITERCONF_KERNELS_MANIFEST", (path + ".missing").c_str(), 1);
    auto missing = config::Manifest::load();
    unsetenv("ITERCONF_KERNELS_MANIFEST");
    ASSERT_TRUE(m.ok()) << m.error().message();
    EXPECT_EQ(m->names(), std::vector<std::string>{"mine"});
    EXPECT_EQ(m->file(), path);
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().where, path + ".missing");
    auto builtin = config::Manifest::load();
    ASSERT_TRUE(builtin.ok());
    EXPECT_EQ(builtin->file(), "images/kernels.toml");
}

TEST(Manifest, CachedKernelAndItsHash) {
    namespace fs = std::filesystem;
    std::string cache = ::testing::TempDir() + "/manifest_test_cache";
    fs::remove_all(cache);
    std::string pub = cache + "/kernels/k/linux-image-x_1";
    fs::create_directories(pub);
    EXPECT_FALSE(config::cached_kernel(cache, "k"));
    std::ofstream(pub + "/bzImage") << "abc";
    std::ofstream(pub + "/meta")
        << "package=linux-image-x\nversion=1\nversion=2\nnoeq\n"
        << "bzimage_sha256="
        << "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        << "\n";
    EXPECT_FALSE(config::cached_kernel(cache, "k")); // no `current` link yet
    fs::create_directory_symlink("linux-image-x_1", cache + "/kernels/k/current");
    auto c = config::cached_kernel(cache, "k");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->bzimage(), fs::canonical(pub).string() + "/bzImage");
    EXPECT_EQ(c->meta["version"], "1"); // the first line of a key wins
    EXPECT_EQ(c->meta.count("noeq"), 0u);
    EXPECT_TRUE(config::intact(*c));
    std::ofstream(pub + "/bzImage") << "abd";
    EXPECT_FALSE(config::intact(*c));
    fs::remove_all(cache);
}

TEST(Lock, RenderReadsBack) {
    config::Lock lock;
    lock.file = "kernels.lock";
    lock.kernels.push_back({"debian-6.12", "linux-image-6.12.117+deb13-cloud-amd64", "6.12.117-1",
                            std::string(64, 'a')});
    lock.kernels.push_back(
        {"debian-7.3", "linux-image-7.3-cloud-amd64", "7.3~rc7-1~exp1", std::string(64, '0')});
    auto back = config::Lock::parse(lock.render(), "kernels.lock");
    ASSERT_TRUE(back.ok()) << back.error().message();
    ASSERT_EQ(back->kernels.size(), 2u);
    EXPECT_EQ(back->find("debian-7.3")->version, "7.3~rc7-1~exp1");
    EXPECT_EQ(back->find("debian-6.12")->package, "linux-image-6.12.117+deb13-cloud-amd64");
    EXPECT_EQ(back->find("debian-6.12")->sha256, std::string(64, 'a'));
    EXPECT_EQ(back->find("debian-6.1"), nullptr);
    EXPECT_TRUE(config::Lock::parse("# empty\n", "l").ok());
}

TEST(Lock, MalformedLockFilesNameTheLine) {
    auto err = [](const std::string& text) {
        auto l = config::Lock::parse(text, "l.lock");
        return l ? "ok" : l.error().message();
    };
    std::string sha = std::string(64, 'f');
    auto entry = [&](const std::string& name, const std::string& ver, const std::string& sha256) {
        return "[[kernel]]\nname = \"" + name + "\"\npackage = \"linux-image-x\"\nversion = \"" +
               ver + "\"\nsha256 = \"" + sha256 + "\"\n";
    };
    EXPECT_EQ(err(entry("k", "6.12.117-1", sha)), "ok");
    EXPECT_EQ(err(entry("k", "6.12.117-1", sha) + entry("k", "1", sha)),
              "l.lock:6: [[kernel]] 'k' appears twice; write it with 'iterconf kernels lock'");
    EXPECT_EQ(err(entry("k", "v6", sha)),
              "l.lock:1: [[kernel]] 'k': 'version' is missing or not a Debian version; write it "
              "with 'iterconf kernels lock'");
    EXPECT_EQ(err(entry("k", "6", sha.substr(1))).substr(0, 40),
              "l.lock:1: [[kernel]] 'k': 'sha256' is mi");
    EXPECT_EQ(err(entry("", "6", sha)).substr(0, 40), "l.lock:1: [[kernel]] 'name' is missing o");
    EXPECT_EQ(err("[kernel]\nname = \"k\"\n").substr(0, 59),
              "l.lock:1: [kernel]: a lock file has only [[kernel]] entries");
    EXPECT_EQ(err(entry("k", "6", sha) + "colour = \"red\"\n"),
              "l.lock:6: unknown key 'colour'; expected name, package, version and sha256");
    EXPECT_EQ(err("name = \"k\"\n").substr(0, 42), "l.lock:1: 'name' is outside a [[kernel]] e");
    EXPECT_EQ(err("[[kernel]]\nname = k\n").substr(0, 9), "l.lock:2:"); // not TOML
}

TEST(Sha256, KnownVectors) {
    EXPECT_EQ(config::sha256_hex(""),
              "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(config::sha256_hex("abc"),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(config::sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    EXPECT_EQ(config::sha256_hex(std::string(1000000, 'a')),
              "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

// The built-in files are the source tree's, byte for byte.
TEST(Assets, BuiltInFilesAreTheSourceTrees) {
    for (auto a :
         {config::Asset::init_sh, config::Asset::kernels_toml, config::Asset::known_bugs_toml,
          config::Asset::kernels_sh, config::Asset::kbuild_sh, config::Asset::fragment_config}) {
        std::ifstream in(std::string(ITERCONF_SOURCE_DIR) + "/" + config::asset_name(a),
                         std::ios::binary);
        std::string file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        EXPECT_FALSE(file.empty()) << config::asset_name(a);
        EXPECT_EQ(config::asset_text(a), file) << config::asset_name(a);
    }
}
