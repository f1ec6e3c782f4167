// Replays oracle inputs (fuzz_iter_bounds' corpus format) through the same
// checker as the fuzz target, on the running kernel, one record per input:
// verdict accept and match when the walk agreed with /proc/PID/maps,
// unsupported on a kernel without the task_vma iterator, load_error when the
// walk program itself does not load there (the reason says why).
#include "oracle/replay.hpp"

#include "oracle/checker.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace iterconf::oracle {

namespace {

record::Record base_record(const std::string& name, const std::string& file,
                           const std::string& release) {
    record::Record r;
    r.case_id = "bounds/" + name;
    r.program = "fuzz_iter_bounds";
    r.file = file;
    r.description = "task_vma walk vs /proc/PID/maps (fuzz_iter_bounds input)";
    r.kernel = release;
    r.kernel_source = "guest";
    r.expected = record::Verdict::accept;
    return r;
}

std::vector<std::string> lines_of(const std::string& text, size_t max) {
    auto lines = split_lines(text);
    lines.resize(std::min(lines.size(), max));
    return {lines.begin(), lines.end()};
}

} // namespace

void judge_unavailable(record::Record& r, const Error& e, Support support) {
    if (support == Support::no_kfunc) {
        r.verdict = r.expected = record::Verdict::unsupported;
        r.missing_kfuncs = {"bpf_iter_task_vma_new"};
        r.message = e.message();
        r.match = true;
        return;
    }
    r.verdict = record::Verdict::load_error;
    r.match = false;
    r.message = e.message();
    r.reason = "the walk program could not run: " + e.message();
}

std::vector<std::string> corpus_files(const std::string& dir) {
    namespace fs = std::filesystem;
    std::vector<std::string> files;
    std::error_code ec;
    for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
        if (it->is_regular_file())
            files.push_back(it->path().string());
    std::sort(files.begin(), files.end());
    return files;
}

std::string replay_corpus(const std::string& dir, size_t start, const std::string& release,
                          const std::function<void(size_t, const std::string&)>& begin,
                          const std::function<void(size_t, const record::Record&)>& done) {
    return replay_corpus(corpus_files(dir), start, release, begin, done);
}

std::string input_name(const std::string& file) {
    std::string name = std::filesystem::path(file).filename().string();
    // The host ships inputs into the guest as NNNNNN-<name> (plan order,
    // several directories): records carry <name>, as on the host.
    if (name.size() > 7 && name[6] == '-' &&
        std::all_of(name.begin(), name.begin() + 6, [](char c) { return c >= '0' && c <= '9'; }))
        name = name.substr(7);
    return name;
}

record::Record judge_input(const Result<std::unique_ptr<Checker>>& checker, Support support,
                           const std::string& file, const std::string& release) {
    auto r = base_record(input_name(file), file, release);
    if (!checker) {
        judge_unavailable(r, checker.error(), support);
        return r;
    }
    std::ifstream in(file, std::ios::binary);
    std::vector<uint8_t> data((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
    if (!in && !in.eof()) {
        r.verdict = record::Verdict::load_error;
        r.reason = r.message = file + ": cannot read the input";
        return r;
    }
    auto report = (*checker)->run(decode(data.data(), data.size()));
    r.verdict = record::Verdict::accept;
    if (!report) {
        r.verdict = record::Verdict::load_error;
        r.message = report.error().message();
        r.reason = "harness error: " + report.error().message();
    } else if (!report->empty()) {
        r.reason = lines_of(*report, 2).back();
        r.log_tail = lines_of(*report, 60);
    } else {
        r.match = true;
    }
    return r;
}

std::string replay_corpus(const std::vector<std::string>& files, size_t start,
                          const std::string& release,
                          const std::function<void(size_t, const std::string&)>& begin,
                          const std::function<void(size_t, const record::Record&)>& done) {
    Support support;
    auto checker = Checker::open(support);
    for (size_t i = start; i < files.size(); i++) {
        begin(i, "bounds/" + input_name(files[i]) + "/fuzz_iter_bounds");
        done(i, judge_input(checker, support, files[i], release));
    }
    return checker ? (*checker)->stats().summary() : checker.error().message();
}

} // namespace iterconf::oracle
