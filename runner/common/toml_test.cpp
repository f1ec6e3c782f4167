#include "common/toml.hpp"

#include <gtest/gtest.h>

using namespace iterconf;

namespace {

std::string err(std::string_view text) {
    auto d = toml::parse(text, "f.toml");
    return d ? "ok" : d.error().message();
}

} // namespace

TEST(Toml, TablesArraysAndPairs) {
    auto d = toml::parse("# c\ntop = \"t\"\n\n[debian-6.12] # x\n  package = \"p\"  # y\r\n"
                         "suites=\"a b\"\n[[bug]]\nk = \"1\"\n[[bug]]\nk = \"2\"",
                         "f.toml");
    ASSERT_TRUE(d.ok()) << d.error().message();
    ASSERT_EQ(d->top.size(), 1u);
    EXPECT_EQ(d->top[0].line, 2u);
    ASSERT_EQ(d->tables.size(), 3u);
    // a dot is part of the name: [debian-6.12] is one table, not nested ones
    EXPECT_EQ(d->tables[0].name, "debian-6.12");
    EXPECT_FALSE(d->tables[0].array);
    EXPECT_EQ(d->tables[0].line, 4u);
    ASSERT_NE(d->tables[0].find("suites"), nullptr);
    EXPECT_EQ(d->tables[0].find("suites")->value, "a b");
    EXPECT_EQ(d->tables[0].find("package")->line, 5u);
    EXPECT_EQ(d->tables[0].find("nope"), nullptr);
    EXPECT_TRUE(d->tables[1].array);
    EXPECT_EQ(d->tables[2].find("k")->value, "2");
}

TEST(Toml, EscapesAndComments) {
    auto d =
        toml::parse("[t]\na = \"q \\\" b \\\\ # not a comment\"\t# comment\nb = \"\"\n", "f.toml");
    ASSERT_TRUE(d.ok()) << d.error().message();
    EXPECT_EQ(d->tables[0].find("a")->value, "q \" b \\ # not a comment");
    EXPECT_EQ(d->tables[0].find("b")->value, "");
}

// Each refusal names the file and the line, on one printable line.
TEST(Toml, ErrorsNameTheLine) {
    EXPECT_EQ(err("[t]\na = \"x\\n\"\n"),
              "f.toml:2: 'a': unsupported escape '\\n'; only \\\" and \\\\ are escapes here");
    EXPECT_EQ(err("[t]\na = \"x\n"), "f.toml:2: 'a': unterminated string; end the value with "
                                     "'\"' on the same line");
    EXPECT_EQ(err("[t]\na = 1\n").substr(0, 41), "f.toml:2: 'a': the value must be a quoted");
    EXPECT_EQ(err("[t]\na = \"x\" y\n"),
              "f.toml:2: 'a': unexpected ' y' after the string; put a comment after '#'");
    EXPECT_EQ(err("[t]\na = \"x\"\na = \"y\"\n"),
              "f.toml:3: 'a' is given twice (line 2); keep one");
    EXPECT_EQ(err("[t]\n[t]\n"),
              "f.toml:2: table [t] is defined twice (line 1); table names must be unique");
    EXPECT_EQ(err("[[t]]\n[t]\n").substr(0, 40), "f.toml:2: 't' is both a table and an arr");
    for (const char* bad : {"[ t ]", "[t", "[[t]", "[.t]", "[t] x", "[]", "[a b]"})
        EXPECT_EQ(err(std::string("\n") + bad).substr(0, 40),
                  "f.toml:2: cannot parse this table header")
            << bad;
    for (const char* bad : {"a", "= \"x\"", "a.b = \"x\"", "\"a\" = \"x\""})
        EXPECT_EQ(err(std::string("\n") + bad).substr(0, 32), "f.toml:2: cannot parse this line")
            << bad;
    // bash's `read` dropped NUL bytes: [deb\0ian] must not read as [debian]
    EXPECT_EQ(err(std::string("#\n[deb\0ian]\n", 12)),
              "f.toml:2: control character \\x00 in the file; it must be text");
    EXPECT_EQ(err("[t]\na = \"\x1b\"\n").substr(0, 30), "f.toml:2: control character \\x");
}

TEST(Toml, QuoteReadsBack) {
    const std::string v = "a \"b\" \\c\\ # d\t";
    auto d = toml::parse("k = " + toml::quote(v) + "\n", "f.toml");
    ASSERT_TRUE(d.ok()) << d.error().message();
    ASSERT_EQ(d->top.size(), 1u);
    EXPECT_EQ(d->top[0].value, v);
    EXPECT_EQ(toml::quote("x\"y"), "\"x\\\"y\"");
}
