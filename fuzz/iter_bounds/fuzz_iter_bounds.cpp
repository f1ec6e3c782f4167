// fuzz_iter_bounds: the libFuzzer entry point over the task_vma iterator's
// runtime oracle (runner/oracle). Each input lays out the layout process's
// address space and asks for walks from chosen addresses with chosen
// limits; the walk's VMAs must be exactly /proc/PID/maps's entries (but [vsyscall]) whose end is above
// the address, in order, with the same bounds, perms, offsets and file
// identity. The exited-task, kernel-thread and contended-lock checks run
// once at start-up and whenever an input selects them. A disagreement
// writes a reproducer (the input and a readable report) under
// $ITERCONF_FUZZ_OUT/fuzz_iter_bounds/ and aborts. ITERCONF_BOUNDS_DESCRIBE=1
// prints each input's layout ops and queries.
//
// Only the fixed walk program runs on the host (its inputs are fuzzed), never
// generated programs.
#include "common/fuzz_common.hpp"
#include "oracle/checker.hpp"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>

using namespace iterconf;

namespace {

std::unique_ptr<oracle::Checker> g_checker;

[[noreturn]] void harness_error(const Error& e) {
    std::fprintf(stderr, "iterconf: error: %s\n", e.message().c_str());
    std::fflush(nullptr);
    std::_Exit(2);
}

void print_stats() {
    if (g_checker)
        std::fprintf(stderr, "fuzz_iter_bounds: %s\n", g_checker->stats().summary().c_str());
}

[[noreturn]] void finding(const uint8_t* data, size_t size, const std::string& report) {
    uint64_t h = 1469598103934665603ull; // FNV-1a of the input names the files
    for (size_t i = 0; i < size; i++)
        h = (h ^ data[i]) * 1099511628211ull;
    char name[40];
    std::snprintf(name, sizeof(name), "mismatch-%016llx", static_cast<unsigned long long>(h));
    std::string base = fuzz::out_dir("fuzz_iter_bounds") + "/" + name;
    std::ofstream(base, std::ios::binary)
        .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    std::ofstream(base + ".txt") << report;
    std::fprintf(stderr, "%s\nfuzz_iter_bounds: reproducer: %s (+ .txt)\n", report.c_str(),
                 base.c_str());
    print_stats();
    std::fflush(nullptr);
    std::abort();
}

void check(const Result<std::string>& r, const uint8_t* data, size_t size) {
    if (!r)
        harness_error(r.error());
    if (!r->empty())
        finding(data, size, *r);
}

void open_checker() {
    oracle::Support support;
    auto c = oracle::Checker::open(support);
    if (!c) {
        // A kernel without the iterator, or bpf() refused: a skip with the
        // reason. Unreadable kernel BTF or a walk that does not load: never.
        if (support == oracle::Support::no_kfunc || support == oracle::Support::no_permission)
            fuzz::skip("host", c.error().message());
        harness_error(c.error());
    }
    g_checker = std::move(*c);
    std::atexit(print_stats);
    // The special scenarios once up front, so every run checks them.
    uint8_t none = 0;
    check(g_checker->check_zombie(0), &none, 0);
    check(g_checker->check_kthread(0), &none, 0);
    oracle::Input contended;
    contended.scenario = oracle::Scenario::contended;
    contended.queries.push_back({});
    contended.queries.back().limit = 0xffffffffu;
    check(g_checker->run(contended), &none, 0);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (!g_checker)
        open_checker();
    oracle::Input in = oracle::decode(data, size);
    // ITERCONF_BOUNDS_DESCRIBE=1: print what each input does (e.g. on replay).
    static const bool describe = std::getenv("ITERCONF_BOUNDS_DESCRIBE") != nullptr;
    if (describe)
        std::fprintf(stderr, "%s", oracle::describe(in).c_str());
    check(g_checker->run(in), data, size);
    return 0;
}
