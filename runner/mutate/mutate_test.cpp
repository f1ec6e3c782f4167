// The catalogue parser and the matcher, on a fixture source of our own
// (testdata/fixture.c, testdata/catalogue.toml).
#include "mutate/mutate.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <sstream>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace iterconf;
using namespace iterconf::mutate;

namespace {

const std::string k_dir = ITERCONF_MUTATE_TESTDATA;

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::vector<Mutant> fixture_catalogue() {
    auto c = read_catalogue(k_dir + "/catalogue.toml");
    EXPECT_TRUE(c.ok()) << (c.ok() ? "" : c.error().message());
    return c.ok() ? *c : std::vector<Mutant>{};
}

const Mutant& by_id(const std::vector<Mutant>& c, const std::string& id) {
    for (const auto& m : c)
        if (m.id == id)
            return m;
    static Mutant none;
    ADD_FAILURE() << "no mutant " << id;
    return none;
}

std::string error_of(const std::string& id) {
    auto c = fixture_catalogue();
    auto r = match_in(k_dir, by_id(c, id));
    EXPECT_FALSE(r.ok()) << id << " matched line " << (r.ok() ? *r : 0);
    return r.ok() ? "" : r.error().message();
}

// A scratch copy of the fixture tree, removed at the end.
struct Scratch {
    std::string dir;
    Scratch() {
        dir =
            (fs::temp_directory_path() / ("iterconf-mutate-" + std::to_string(getpid()))).string();
        fs::remove_all(dir);
        fs::create_directories(dir);
        fs::copy_file(k_dir + "/fixture.c", dir + "/fixture.c");
    }
    ~Scratch() { fs::remove_all(dir); }
};

std::string parse_error(const std::string& text) {
    auto r = parse_catalogue(text, "m.toml");
    EXPECT_FALSE(r.ok()) << text;
    return r.ok() ? "" : r.error().message();
}

const char* k_entry = "file = \"a.c\"\nfunction = \"f\"\noriginal = \"x;\"\nmutated = \"y;\"\n"
                      "area = \"a\"\nwhat = \"w\"\n";

} // namespace

TEST(MutateCatalogue, ParsesTheFixture) {
    auto c = fixture_catalogue();
    ASSERT_EQ(c.size(), 8u);
    EXPECT_EQ(c[0].id, "slot-negative");
    EXPECT_EQ(c[0].where, k_dir + "/catalogue.toml:2");
    EXPECT_EQ(c[0].original, "if (spi < 0)");
    EXPECT_EQ(c[1].equivalent, "argued: nothing reads them");
    EXPECT_TRUE(c[0].equivalent.empty());
}

TEST(MutateCatalogue, ErrorsNameFileAndLine) {
    EXPECT_EQ(parse_error(std::string("[a]\n") + k_entry + "colour = \"red\"\n"),
              "m.toml:8: mutant 'a': unknown key 'colour'; keys: file, function, original, "
              "mutated, area, what, equivalent, survives");
    EXPECT_EQ(
        parse_error(std::string("[a]\n") + k_entry + "equivalent = \"e\"\nsurvives = \"s\"\n"),
        "m.toml:1: mutant 'a': both 'equivalent' and 'survives'; 'equivalent': no program "
        "can observe it (outside the score); 'survives': one could, but the suite cannot "
        "make it happen");
    EXPECT_EQ(parse_error(std::string("[a]\n") + k_entry + "[b]\n" + k_entry + "[a]\n" + k_entry),
              "m.toml:15: table [a] is defined twice (line 1); table names must be unique");
    EXPECT_EQ(parse_error("[a]\nfile = \"a.c\"\n"), "m.toml:1: mutant 'a': missing 'function'");
    EXPECT_EQ(parse_error(std::string("[A_b]\n") + k_entry),
              "m.toml:1: mutant id 'A_b' is not [a-z0-9-]+");
    EXPECT_EQ(parse_error(std::string("x = \"1\"\n[a]\n") + k_entry),
              "m.toml:1: key 'x' outside a mutant; every key belongs to a [mutant-id] table");
    EXPECT_EQ(parse_error("[a]\nfile = \"a.c\"\nfunction = \"f\"\noriginal = \"x;\"\n"
                          "mutated = \"x;\"\narea = \"a\"\nwhat = \"w\"\n"),
              "m.toml:1: mutant 'a': 'mutated' equals 'original'");
    EXPECT_EQ(parse_error("[a]\nfile = \"../a.c\"\nfunction = \"f\"\noriginal = \"x;\"\n"
                          "mutated = \"y;\"\narea = \"a\"\nwhat = \"w\"\n"),
              "m.toml:1: mutant 'a': file '../a.c' is not a path inside the kernel tree");
    EXPECT_EQ(parse_error("[a]\nfile = \"a.c\"\nfunction = \"\"\n"),
              "m.toml:3: mutant 'a': 'function' is empty");
}

TEST(MutateMatcher, FindsTheLineOnceInItsFunction) {
    auto c = fixture_catalogue();
    std::string text = slurp(k_dir + "/fixture.c");
    auto lines = split_lines(text); // views into text
    auto r = match_in(k_dir, by_id(c, "slot-negative"));
    ASSERT_TRUE(r.ok()) << r.error().message();
    EXPECT_EQ(lines[*r], "\tif (spi < 0)");
    // the prototype above the definition is not a second definition
    EXPECT_EQ(find_function(lines, "check_slot").size(), 1u);
    // a return type on the line before: the name starts the line
    r = match_in(k_dir, by_id(c, "mark-skip"));
    ASSERT_TRUE(r.ok()) << r.error().message();
    EXPECT_EQ(lines[*r], "\t\tslots[spi + i] = 1;");
    // "-": the whole file
    r = match_in(k_dir, by_id(c, "file-scope-limit"));
    ASSERT_TRUE(r.ok()) << r.error().message();
    EXPECT_EQ(*r, 6u);
}

TEST(MutateMatcher, TheKernelMovedErrors) {
    std::string at = k_dir + "/catalogue.toml:";
    EXPECT_EQ(error_of("repeated-line"),
              at + "27: mutant 'repeated-line': the kernel moved: fixture.c: function "
                   "'repeated': the line 'if (a < 0)' occurs 2 times, not once; update the "
                   "catalogue entry for this kernel source (or pass --allow-missing)");
    EXPECT_EQ(error_of("defined-twice"),
              at + "35: mutant 'defined-twice': the kernel moved: fixture.c: function 'twice' "
                   "is defined 2 times, not once; update the catalogue entry for this kernel "
                   "source (or pass --allow-missing)");
    EXPECT_NE(error_of("only-a-prototype").find("function 'no_such_function' is defined 0 times"),
              std::string::npos);
    EXPECT_NE(error_of("not-in-function")
                  .find("function 'check_slot': the line 'for (i = 0; i < nr_slots; i++)' "
                        "occurs 0 times"),
              std::string::npos);
    EXPECT_NE(error_of("missing-file").find("the kernel moved: kernel/bpf/nothing.c is not in"),
              std::string::npos);
}

TEST(MutateApply, RoundTripKeepsIndentationAndRestoresTheBytes) {
    Scratch s;
    auto c = fixture_catalogue();
    std::string before = slurp(s.dir + "/fixture.c");
    std::string state = s.dir + "/state";
    ASSERT_TRUE(apply(s.dir, by_id(c, "mark-skip"), state).ok());
    std::string after = slurp(s.dir + "/fixture.c");
    EXPECT_NE(after.find("\n\t\tslots[spi + i] = 0;\n"), std::string::npos);
    EXPECT_EQ(after.size(), before.size());
    EXPECT_EQ(split_lines(after).size(), split_lines(before).size());
    // a second mutant while one is applied is refused
    EXPECT_FALSE(apply(s.dir, by_id(c, "slot-negative"), state).ok());
    // the mutated tree no longer holds the original: it would not match again
    EXPECT_FALSE(match_in(s.dir, by_id(c, "mark-skip")).ok());
    auto r = revert_applied(s.dir, state);
    ASSERT_TRUE(r.ok()) << r.error().message();
    ASSERT_TRUE(r->has_value());
    EXPECT_EQ(**r, "mark-skip");
    EXPECT_EQ(slurp(s.dir + "/fixture.c"), before);
    // nothing left to revert
    r = revert_applied(s.dir, state);
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(r->has_value());
}
