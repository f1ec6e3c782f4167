// The kernel log (/dev/kmsg) watched while programs load: a WARN, BUG,
// "verifier bug", oops or sanitizer report printed during a load makes that
// program's record a `crash` with the kernel-log excerpt, as the guest
// console scanner does for guests. Used by the host runner (`iterconf run`,
// `--generated`), the guest agent and fuzz_protocol.
//
// Attribution: every line the kernel logs between begin() and end() belongs
// to the program in flight, whoever printed it. Host loads are serialized
// within one process (one program at a time), so nothing of ours can be
// confused; a WARN from an unrelated subsystem or another process during the
// load is still this program's `crash` (fail closed: a false crash is
// visible, a missed one is not). Lines logged between loads are nobody's
// (the next begin() discards them). Most verifier warnings are
// WARN_ON_ONCE / WARN_ONCE: the host logs one once per boot, so a second
// run on the same host kernel does not see it again (a guest, booted per
// run, does).
//
// Failing closed when the check cannot run:
//   - overrun: the kernel overwrote records before we read them (read()
//     gave EPIPE, or sequence numbers jumped). With no splat among the
//     records that were read, the verdict stays what the verifier said, but
//     the record is not a match (reason: the kernel-log check could not run)
//     and the run fails; a splat that was read still makes it a `crash`.
//   - unavailable: /dev/kmsg cannot be opened or read (not root, no
//     CAP_SYSLOG with kernel.dmesg_restrict=1, a container without it). The
//     caller warns once; records stay as the verifier judged them and say
//     "kmsg (...)" is unchecked; with ITERCONF_REQUIRE naming "host" (CI)
//     it is an error instead.
#pragma once

#include "common/splat.hpp"
#include "load/classify.hpp"
#include "record/record.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace iterconf::load {

// One record of /dev/kmsg: "<prio>,<seq>,<usec>,<flags>[,...];<text>" and
// optional dictionary lines (" KEY=value") after it. Non-printable bytes of
// the text come escaped as \xNN; \x0a splits it into lines.
struct KmsgRecord {
    int level = 0; // prio & 7 (KERN_EMERG 0 .. KERN_DEBUG 7)
    uint64_t seq = 0;
    uint64_t usec = 0;
    char flags = '-'; // '-', or 'c' / '+' (continuation, older kernels)
    std::vector<std::string> lines;
    std::vector<std::string> dict; // "KEY=value"
};

// Parses the records in `chunk` (what one or more read()s returned); lines
// that are neither a record head nor a dictionary line are skipped and
// counted in `*bad` when given.
std::vector<KmsgRecord> parse_kmsg(std::string_view chunk, size_t* bad = nullptr);

// A kernel-log line that matched a deny pattern.
struct KmsgHit {
    std::string line;    // the text, without timestamp
    std::string pattern; // the deny.re pattern it matched
    long pid = -1;       // "... PID: <n> ..." of a WARNING/BUG line, else -1
};

// What the kernel log said during one load.
struct KmsgCheck {
    enum class Status { clean, splat, overrun, unavailable };
    Status status = Status::unavailable;
    std::vector<KmsgHit> hits; // every matching line, in order
    std::string excerpt;       // "[ sec.usec] text" lines around the first hit (bounded)
    uint64_t records = 0;      // records read during the load
    uint64_t lost = 0;         // records overwritten before they were read (0 if unknown)
    long pid = -1;             // the first PID a hit names (whose report it is), or -1
    std::string why;           // for unavailable: why /dev/kmsg cannot be read

    bool crashed() const { return status == Status::splat; }
    // The record's unchecked-expectation note, "" when the check ran:
    // "kmsg (overrun: 3 records lost during the load)" or
    // "kmsg (cannot read /dev/kmsg: Permission denied)".
    std::string unchecked() const;
};

// Collects the records of one load and judges them (the watcher feeds it
// from /dev/kmsg; unit tests feed it recorded text).
class KmsgScan {
  public:
    explicit KmsgScan(const SplatPatterns& patterns) : m_patterns(&patterns) {}
    void feed(std::string_view chunk);
    void overrun() { m_overrun = true; }
    // `max_lines` bounds the excerpt: it starts a few lines before the
    // first hit (the "cut here" and "verifier bug:" lines that precede a
    // WARNING:), or at the first record when there is no hit.
    KmsgCheck finish(size_t max_lines = 60) const;

  private:
    const SplatPatterns* m_patterns;
    std::vector<KmsgRecord> m_records;
    bool m_overrun = false;
    uint64_t m_gaps = 0;
};

// Feeds recorded kmsg text (the format of runner/testdata/kmsg/*.txt:
// records as read from /dev/kmsg; '#' lines are comments, and a line
// "# READ: EPIPE" stands for a read() that failed with EPIPE there).
void feed_kmsg_text(KmsgScan& scan, const std::string& text);
// Judges recorded kmsg text as if it was logged during one load.
KmsgCheck check_kmsg_text(const std::string& text, const SplatPatterns& patterns);

class KmsgWatcher {
  public:
    // Opens `path` read-only, non-blocking, positioned after the records
    // already there. Never fails: a watcher that cannot read is
    // unavailable() and every end() says so.
    static KmsgWatcher open(const SplatPatterns& patterns, const std::string& path = "");
    KmsgWatcher(KmsgWatcher&&) noexcept;
    KmsgWatcher& operator=(KmsgWatcher&&) noexcept;
    KmsgWatcher(const KmsgWatcher&) = delete;
    KmsgWatcher& operator=(const KmsgWatcher&) = delete;
    ~KmsgWatcher();

    bool available() const { return m_fd >= 0; }
    // Why it is not available ("cannot read /dev/kmsg: ..."), else "".
    const std::string& why() const { return m_why; }
    const std::string& path() const { return m_path; }

    // Discards what the kernel logged since the last end() (nobody's).
    void begin();
    // Reads what the kernel logged since begin() and judges it.
    //
    // Fault injection for the harness's own tests (the host has no WARN on
    // demand): with ITERCONF_KMSG_INJECT=<n>:<file>, the records of <file>
    // (recorded kmsg text) are judged as if the kernel had logged them
    // during load <n> (0-based, counting end() calls) of each watcher.
    // With count = false the call is not a load of the injection's count
    // (a load whose check is merged into one that is, see merge_checks()).
    KmsgCheck end(size_t max_lines = 60, bool count = true);

  private:
    KmsgWatcher() = default;
    long m_loads = 0, m_inject_at = -1;
    std::string m_inject_file;
    // Reads every pending record into `scan` (or drops them when null);
    // false when read() failed with something other than EAGAIN/EPIPE.
    bool drain(KmsgScan* scan);
    const SplatPatterns* m_patterns = nullptr;
    int m_fd = -1;
    std::string m_path, m_why;
};

// The default path: $ITERCONF_KMSG_PATH when set (tests: a file that is not
// the kernel log, or one that cannot be read), else /dev/kmsg.
std::string kmsg_path();

// Whether a watcher that cannot run is an error: ITERCONF_REQUIRE (a comma
// list; CI sets it) names "host".
bool kmsg_required();
// For a watcher that is not available(): the error when kmsg_required(),
// and the one-line warning otherwise (print it once per run).
Error kmsg_unavailable_error(const KmsgWatcher& w);
std::string kmsg_unavailable_warning(const KmsgWatcher& w);

// One check from two watches of the same program's load (the bpf() call
// itself, and the whole judging of it): the worse of the two (splat, then
// overrun, then unavailable, then clean; the first on a tie).
KmsgCheck merge_checks(KmsgCheck a, KmsgCheck b);

// Applies a check to a load's outcome before it is judged: a splat makes
// the verdict `crash`, the message "kernel log: <first hit>", and appends
// the excerpt to the log (so the log file and log_tail carry it).
void apply_kmsg(const KmsgCheck& c, Classified& result, std::string& log);
// Applies a check to the judged record: after a splat, log_tail is the
// kernel-log excerpt (at most 40 lines); after an overrun with no splat,
// the record is not a match (the check could not run).
void apply_kmsg(const KmsgCheck& c, record::Record& r);

} // namespace iterconf::load
