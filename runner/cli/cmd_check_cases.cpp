// iterconf check-cases: the house rules for case files (STYLE.md B), which
// the runner itself does not require of upstream files.
#include "cli/common.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

namespace fs = std::filesystem;

namespace iterconf::cli {

namespace {

constexpr const char* k_usage = R"(usage: iterconf check-cases [PATH...]

Checks case sources (default: the project's cases/): each compiles with
-Wall -Werror, has an SPDX line and a header comment naming the contract,
each program has a __description and an explicit verdict, every annotation
is known and well formed, and ids are unique.

exit: 0 clean, 1 findings, 2 harness error.
)";

} // namespace

int cmd_check_cases(int argc, char** argv) {
    std::vector<std::string> paths;
    std::string out_dir;
    Args args(argc, argv);
    while (!args.done()) {
        if (args.flag("-h", "--help")) {
            std::fputs(k_usage, stdout);
            return 0;
        } else if (args.option("--out", out_dir)) {
        } else if (!args.peek().empty() && args.peek()[0] == '-') {
            throw UsageError{"unknown argument '" + args.peek() + "'"};
        } else {
            paths.push_back(args.next());
        }
    }
    if (paths.empty())
        paths.push_back(source_dir() + "/cases");
    if (out_dir.empty())
        out_dir =
            (fs::temp_directory_path() / ("iterconf-check-" + std::to_string(getpid()))).string();
    auto inputs = discover_cases(paths);
    if (!inputs)
        return report_error(inputs.error(), false);

    size_t findings = 0, programs = 0;
    auto finding = [&](const std::string& where, const std::string& what) {
        std::printf("%s: %s\n", where.c_str(), what.c_str());
        findings++;
    };
    std::set<std::string> ids;
    for (const auto& in : *inputs) {
        if (!in.is_source)
            continue;
        std::ifstream src(in.path);
        std::string line, head;
        for (int i = 0; i < 40 && std::getline(src, line); i++)
            head += line + "\n";
        if (head.rfind("// SPDX-License-Identifier:", 0) != 0)
            finding(in.path, "first line is not '// SPDX-License-Identifier: ...'");
        size_t open = head.find("/*");
        if (open == std::string::npos || head.find("Contract:", open) == std::string::npos)
            finding(in.path, "no header comment with a 'Contract:' line (see STYLE.md B.2)");

        auto obj = compile_case(in, CompileOptions{.out_dir = out_dir, .werror = true});
        if (!obj) {
            finding(in.path, obj.error().what);
            continue;
        }
        auto c = load::open_case(*obj, in.id, in.path);
        if (!c) {
            finding(c.error().where, c.error().what);
            continue;
        }
        if (c->license.empty())
            finding(in.path, "no license section (char _license[] SEC(\"license\") = ...)");
        for (const auto& p : c->programs) {
            programs++;
            std::string where = c->where(p.name);
            if (!ids.insert(c->id + "/" + p.name).second)
                finding(where, "duplicate id " + c->id + "/" + p.name);
            if (p.spec.auxiliary)
                continue;
            if (!p.spec.success)
                finding(where, "no explicit verdict (__success or __failure)");
            if (p.spec.description.empty())
                finding(where, "no __description");
            if (p.spec.success == false && p.spec.msgs.empty())
                finding(where, "__failure without __msg: say which error is expected");
        }
    }
    std::error_code ec;
    fs::remove_all(out_dir, ec);
    std::printf("%zu findings in %zu programs of %zu cases\n", findings, programs, inputs->size());
    return findings ? 1 : 0;
}

} // namespace iterconf::cli
