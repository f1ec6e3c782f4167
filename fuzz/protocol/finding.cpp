#include "protocol/finding.hpp"

#include "gen/decode.hpp"
#include "gen/emit_c.hpp"

#include <cctype>

namespace iterconf::protocol {

namespace {

std::string predicted(const model::Expectation& e) {
    return e.accept ? "accept" : std::string("reject:") + model::to_string(e.reason);
}

// Text safe inside a C block comment.
std::string comment_safe(std::string s) {
    for (size_t p; (p = s.find("*/")) != std::string::npos;)
        s.replace(p, 2, "* /");
    return s;
}

} // namespace

std::string class_of(const Judged& j) {
    return "model " + predicted(j.e) + " -> kernel " + record::to_string(j.r.verdict);
}

std::string summary(const Finding& f) {
    const Judged& j = f.judged;
    if (!f.kmsg_line.empty())
        return "kernel log: " + f.kmsg_line;
    if (!j.log_bug.empty())
        return "verifier log: " + j.log_bug;
    std::string s = class_of(j);
    if (!j.r.message.empty())
        s += " (\"" + j.r.message + "\")";
    if (!j.r.reason.empty())
        s += ": " + j.r.reason;
    return s;
}

std::string case_name(const Finding& f) {
    const Judged& j = f.judged;
    std::string m = j.e.accept ? "accept" : model::to_string(j.e.reason);
    return "model_" + m + "_kernel_" + record::to_string(j.r.verdict) + "_" + f.minimal.name();
}

std::string msg_pattern(const std::string& message) {
    std::string out;
    for (size_t i = 0; i < message.size(); i++) {
        if (std::isdigit(static_cast<unsigned char>(message[i]))) {
            while (i + 1 < message.size() &&
                   std::isdigit(static_cast<unsigned char>(message[i + 1])))
                i++;
            out += "{{[0-9]+}}";
        } else {
            out += message[i];
        }
    }
    return out;
}

std::string case_text(const Finding& f) {
    const Judged& j = f.judged;
    gen::Annotations ann;
    ann.success = j.r.verdict == record::Verdict::accept;
    if (!ann.success && !j.r.message.empty())
        ann.msgs.push_back(msg_pattern(j.r.message));
    std::string c = gen::emit_c({{f.minimal, ann}}, "fuzz_protocol");
    // emit_c's first line is a generator header: a finding starts like a
    // hand-written case, with the SPDX line, and has its own header comment.
    c.erase(0, c.find('\n') + 1);
    std::string model_says =
        j.e.accept ? "accept" : "reject (" + std::string(model::to_string(j.e.reason)) + ")";
    for (const auto& m : j.e.msgs)
        model_says += ", __msg(\"" + m + "\")";
    if (!j.e.at.empty())
        model_says += ", first error at " + j.e.at;
    std::string kernel_did = record::to_string(j.r.verdict);
    if (!j.r.message.empty())
        kernel_did += ": \"" + j.r.message + "\"";
    std::string why;
    if (!f.kmsg_line.empty())
        why = "the kernel logged \"" + f.kmsg_line +
              "\" while verifying it (not minimized: a WARN_ONCE fires once per boot).";
    else if (!j.log_bug.empty())
        why = "the verifier log reports an internal error: \"" + j.log_bug + "\".";
    else
        why = "the model and the kernel disagree" +
              (j.r.reason.empty() ? std::string(".") : " (" + j.r.reason + ").");
    std::string hdr =
        "/*\n"
        " * fuzz_protocol finding on " +
        f.release + ": " + comment_safe(why) +
        "\n"
        " * Contract: the reference model (runner/model) predicts " +
        comment_safe(model_says) +
        ";\n"
        " *   the kernel's verifier says " +
        comment_safe(kernel_did) +
        ".\n"
        " * The annotations below are what the kernel did, so this case passes on\n"
        " * " +
        f.release +
        ". Triage it before adding it under cases/findings/: a model\n"
        " * bug (fix runner/model) or a kernel bug (restore the contract's expectation\n"
        " * and list the kernel in images/known-bugs.toml).\n"
        " * Program: " +
        comment_safe(f.minimal.text()) +
        "\n"
        " * Minimized from (" +
        std::to_string(gen::op_count(f.original.ops)) + " -> " +
        std::to_string(gen::op_count(f.minimal.ops)) + " ops, " + std::to_string(f.tries) +
        " loads): " + comment_safe(f.original.text()) +
        "\n"
        " * Input: " +
        comment_safe(f.input) +
        "\n"
        " */\n";
    size_t a = c.find("/*"), b = c.find(" */\n", a);
    if (a != std::string::npos && b != std::string::npos)
        c.replace(a, b + 4 - a, hdr);
    std::string fn = "int " + f.minimal.name() + "(";
    if (size_t p = c.find(fn); p != std::string::npos)
        c.replace(p, fn.size(), "int " + case_name(f) + "(");
    return c;
}

} // namespace iterconf::protocol
