#include "gen/emit_c.hpp"

#include <cstdio>

namespace iterconf::gen {

namespace {

std::string c_string(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\')
            out += '\\';
        out += c;
    }
    return out + "\"";
}

class Emitter {
  public:
    // `subs` collects the static subprograms that `call` ops need, to be
    // written before the program's function; `sub_slot` >= 0 emits the body
    // of such a subprogram, whose iterator is the pointer argument `it`.
    Emitter(const Program& p, std::string& out, std::string& subs, int sub_slot = -1)
        : m_p(p), m_out(out), m_subs(subs), m_sub_slot(sub_slot) {}

    void body(const std::vector<Op>& ops, int indent) {
        for (const auto& o : ops)
            op(o, indent);
    }

  private:
    std::string type(uint8_t slot) const {
        return std::string("bpf_iter_") + info(m_p.kinds[slot]).name;
    }

    std::string addr(const Op& o) const {
        std::string slot = std::to_string(o.slot);
        std::string cast = std::string("(struct ") + type(o.slot) + " *)";
        std::string other = std::to_string(1 - o.slot);
        if (m_sub_slot >= 0)
            return o.where == Where::misaligned ? cast + "((char *)it + 4)" : "it";
        // A placed iterator (Program::at) from r10 as well. clang's frame is
        // its own: fp + at may be where it keeps a local (the C path does
        // not pin these programs; the bytecode path does).
        if (m_p.at)
            return cast + "gen_fp(" +
                   std::to_string(*m_p.at + (o.where == Where::misaligned ? 4 : 0)) + ")";
        switch (o.where) {
        case Where::other:
            return cast + "&it" + other;
        // Addresses off the frame are built from r10 in asm, as emit_bpf
        // does: clang refuses C that it can see reaching past 512 bytes.
        case Where::outside:
            return cast + "gen_fp(" + std::to_string(m_p.frame().slot[o.slot] - 1024) + ")";
        case Where::above:
            return cast + "gen_fp(8)";
        case Where::slot:
            return "&it" + slot;
        case Where::misaligned:
            return cast + "((char *)&it" + slot + " + 4)";
        case Where::global:
            return cast + "&gen_global.v[" + slot + "]";
        case Where::map_value:
            return cast + "&mv->v[" + slot + "]";
        }
        return "";
    }

    void line(int indent, const std::string& s) {
        m_out.append(static_cast<size_t>(indent), '\t');
        m_out += s;
        m_out += '\n';
    }

    // The map value lookup a map_value address needs, right before the use.
    void lookup(const Op& o, int indent) {
        if (o.where == Where::map_value) {
            line(indent, "mv = bpf_map_lookup_elem(&gen_array, &zero);");
            line(indent, "if (!mv)");
            line(indent + 1, "goto out;");
        }
    }

    void op(const Op& o, int indent) {
        std::string s = std::to_string(o.slot);
        const KindInfo& ki = info(m_p.kinds[o.slot]);
        std::string k = ki.name;
        switch (o.code) {
        case Op::Code::new_: {
            lookup(o, indent);
            std::string args;
            for (uint8_t i = 0; i < ki.nargs; i++)
                args += ", " + new_arg(ki.args[i], o, indent);
            line(indent, "bpf_iter_" + k + "_new(" + addr(o) + args + ");");
            break;
        }
        case Op::Code::next:
            lookup(o, indent);
            line(indent, "v" + s + " = bpf_iter_" + k + "_next(" + addr(o) + ");");
            break;
        case Op::Code::destroy:
            lookup(o, indent);
            line(indent, "bpf_iter_" + k + "_destroy(" + addr(o) + ");");
            break;
        case Op::Code::guard: {
            // The jump is written out so that the non-NULL side falls
            // through and is explored first, as in the bytecode emitter and
            // the model; clang may otherwise lay the sides out either way.
            std::string l = label();
            line(indent, "asm volatile goto(\"if %[v] == 0 goto %l[" + l + "]\" :: [v] \"r\"(v" +
                             s + ") :: " + l + ");");
            body(o.body, indent);
            line(indent - 1, l + ":;");
            break;
        }
        case Op::Code::read:
            line(indent, "scratch = " + through(ki, s) + ";");
            break;
        case Op::Code::write:
            line(indent, through(ki, s) + " = 0;");
            break;
        case Op::Code::clobber:
            line(indent, "*(volatile __u64 *)" + it(s) + " = 0;");
            break;
        case Op::Code::copy:
            line(indent, "scratch = *(volatile __u64 *)" + it(s) + ";");
            break;
        case Op::Code::bpfloop:
        case Op::Code::call: {
            std::string name = m_p.name() + (o.code == Op::Code::call ? "_sub" : "_cb") +
                               std::to_string(m_sub_count++);
            std::string fn;
            bool css = m_p.needs_css();
            if (o.code == Op::Code::call) {
                line(indent, name + "(&it" + s + ", task" + (css ? ", css" : "") + ");");
                fn = "\nstatic __noinline int " + name + "(struct " + type(o.slot) +
                     " *it, struct task_struct *task" +
                     (css ? ", struct cgroup_subsys_state *css" : "") + ")\n{\n";
            } else { // the callback's context is the iterator; its task is its own
                line(indent, "bpf_loop(1, " + name + ", &it" + s + ", 0);");
                fn = "\nstatic int " + name + "(__u64 index, void *ctx)\n{\n\tstruct " +
                     type(o.slot) +
                     " *it = ctx;\n\tstruct task_struct *task = bpf_get_current_task_btf();\n";
                if (css) // and so is its css (gen/program.hpp)
                    fn += "\tstruct cgroup *cg = bpf_cgroup_from_id(1);\n"
                          "\tstruct cgroup_subsys_state *css;\n\n"
                          "\tif (!cg)\n\t\treturn 0;\n\tcss = &cg->self;\n";
            }
            fn += locals();
            Emitter callee(m_p, fn, m_subs, o.slot);
            callee.m_cb = o.code == Op::Code::bpfloop;
            callee.body(o.body, 1);
            if (css && o.code == Op::Code::bpfloop)
                fn += "\tgoto out;\nout:\n\tbpf_cgroup_release(cg);\n";
            fn += std::string("\t(void)it;\n\t(void)task;\n") + (css ? "\t(void)css;\n" : "") +
                  "\t(void)v0;\n\t(void)v1;\n\t(void)scratch;\n"
                  "\treturn 0;\n}\n";
            m_subs += fn;
            break;
        }
        case Op::Code::loop:
            line(indent, "while ((v" + s + " = bpf_iter_" + k + "_next(" + it(s) + "))) {");
            body(o.body, indent + 1);
            line(indent, "}");
            break;
        case Op::Code::branch: {
            // Then-side first (falls through), as in the bytecode emitter.
            std::string l_else = label(), l_end = label();
            line(indent, "asm volatile goto(\"if %[c] == 0 goto %l[" + l_else +
                             "]\" :: [c] \"r\"(bpf_get_prandom_u32() & 1) :: " + l_else + ");");
            body(o.body, indent);
            line(indent, "goto " + l_end + ";");
            line(indent - 1, l_else + ":;");
            body(o.orelse, indent);
            line(indent - 1, l_end + ":;");
            break;
        }
        case Op::Code::brk:
            line(indent, "break;");
            break;
        case Op::Code::ret: // a callback holding a css releases it at out
            line(indent, m_sub_slot >= 0 && !(m_cb && m_p.needs_css()) ? "return 0;" : "goto out;");
            break;
        }
    }

  public:
    // The v0/v1 and scratch locals of a function (main program or subprogram).
    std::string locals() const {
        std::string out;
        for (int s = 0; s < 2; s++)
            out += std::string("\t") + info(m_p.kinds[s]).next_c_type + "volatile v" +
                   std::to_string(s) + " = NULL;\n";
        return out + "\tvolatile __u64 scratch = 0;\n";
    }

  private:
    // The lvalue a read or write of v[s] goes through: a BTF field of the
    // struct next() returns ("v0->vm_start"), or the memory itself ("*v0").
    static std::string through(const KindInfo& ki, const std::string& s) {
        if (!ki.field)
            return "*v" + s;
        std::string f = ki.field;
        return "v" + s + "->" + f.substr(f.rfind('.') + 1);
    }

    // One argument of new() after the iterator, as a C expression (with the
    // statements it needs written first).
    std::string new_arg(const ArgSpec& a, const Op& o, int indent) {
        char buf[32];
        switch (a.arg) {
        case NewArg::task:
            return "task";
        case NewArg::css:
            return "css";
        case NewArg::start:
            std::snprintf(buf, sizeof(buf), "0x%llxULL", static_cast<unsigned long long>(o.start));
            return buf;
        case NewArg::value:
            return std::to_string(a.value);
        case NewArg::words:
            line(indent, "scratch = " + std::to_string(a.value) + ";");
            return "(const __u64 *)&scratch";
        }
        return "";
    }

    // The iterator of slot s as a pointer expression.
    std::string it(const std::string& s) const { return m_sub_slot >= 0 ? "it" : "&it" + s; }

    std::string label() { return "l" + std::to_string(m_labels++); }

    const Program& m_p;
    std::string& m_out;
    std::string& m_subs;
    int m_sub_slot;
    int m_labels = 0;
    int m_sub_count = 0;
    bool m_cb = false; // emitting a bpf_loop callback's body
};

bool uses_map(const std::vector<Op>& ops) {
    for (const auto& o : ops)
        if (o.where == Where::map_value || uses_map(o.body) || uses_map(o.orelse))
            return true;
    return false;
}

// The css source (gen/program.hpp), for programs whose kinds take one.
const char* css_init(Task t) {
    switch (t) {
    case Task::current_btf:
    case Task::pid_checked:
        return "cg = bpf_cgroup_from_id(1);\n\tif (!cg)\n\t\tgoto out;\n\tcss = &cg->self;";
    case Task::pid_unchecked:
        return "cg = bpf_cgroup_from_id(1);\n\tcss = (struct cgroup_subsys_state *)cg;";
    case Task::current_scalar:
        return "css = (struct cgroup_subsys_state *)bpf_get_current_task();";
    case Task::walked:
        return "css = &bpf_get_current_task_btf()->cgroups->dfl_cgrp->self;";
    case Task::null:
        return "css = NULL;";
    }
    return "";
}

const char* task_init(Task t) {
    switch (t) {
    case Task::current_btf:
        return "task = bpf_get_current_task_btf();";
    case Task::pid_checked:
        return "task = bpf_task_from_pid(1);\n\tif (!task)\n\t\treturn 0;";
    case Task::pid_unchecked:
        return "task = bpf_task_from_pid(1);";
    case Task::current_scalar:
        return "task = (struct task_struct *)bpf_get_current_task();";
    case Task::walked:
        return "task = bpf_get_current_task_btf()->last_wakee;";
    case Task::null:
        return "task = NULL;";
    }
    return "";
}

} // namespace

std::string emit_c(const std::vector<CProgram>& programs, const std::string& header) {
    std::string out = "// " + header + "\n";
    out += "// SPDX-License-Identifier: GPL-2.0\n"
           "/*\n"
           " * Generated iterator programs (runner/gen), one per SEC function, with\n"
           " * the reference model's prediction as their annotations. The frame,\n"
           " * task sources and operations are described in runner/gen/program.hpp.\n"
           " */\n"
           "#include \"vmlinux.h\"\n"
           "#include <bpf/bpf_helpers.h>\n"
           "#include \"bpf_misc.h\"\n"
           "#include \"bpf_experimental.h\"\n\n"
           "struct gen_pair {\n\t__u64 v[2];\n};\n\n"
           "struct {\n"
           "\t__uint(type, BPF_MAP_TYPE_ARRAY);\n"
           "\t__uint(max_entries, 1);\n"
           "\t__type(key, __u32);\n"
           "\t__type(value, struct gen_pair);\n"
           "} gen_array SEC(\".maps\");\n\n"
           "struct gen_pair gen_global;\n\n"
           "/* r10 + off, opaque to clang (it rejects stack offsets it sees past 512). */\n"
           "#define gen_fp(off)                                                      \\\n"
           "\t({                                                               \\\n"
           "\t\tvoid *p_;                                                      \\\n"
           "\t\tasm volatile(\"%[p] = r10; %[p] += \" #off : [p] \"=r\"(p_));  \\\n"
           "\t\tp_;                                                            \\\n"
           "\t})\n";
    for (const auto& cp : programs) {
        const Program& p = cp.program;
        std::string fn, subs;
        Emitter e(p, fn, subs);
        e.body(p.ops, 1);
        out += subs;
        out += p.prog == Prog::syscall ? "\nSEC(\"syscall\")\n" : "\nSEC(\"tp_btf/sys_enter\")\n";
        out += "__description(" + c_string(p.text()) + ")\n";
        out += cp.ann.success ? "__success\n" : "__failure\n";
        for (const auto& m : cp.ann.msgs)
            out += "__msg(" + c_string(m) + ")\n";
        out += "int " + p.name() + "(void *ctx)\n{\n";
        for (int s = 0; s < 2; s++)
            out += std::string("\tstruct bpf_iter_") + info(p.kinds[s]).name + " it" +
                   std::to_string(s) + ";\n";
        out += e.locals();
        out += "\tstruct task_struct *task;\n";
        if (uses_map(p.ops))
            out += "\tstruct gen_pair *mv;\n\t__u32 zero = 0;\n";
        if (p.needs_css())
            out += "\tstruct cgroup_subsys_state *css;\n\tstruct cgroup *cg = NULL;\n";
        out += "\n\t" + std::string(task_init(p.task)) + "\n";
        if (p.needs_css())
            out += "\t" + std::string(css_init(p.task)) + "\n";
        out += fn;
        out += "\tgoto out;\nout:\n";
        if (p.needs_css())
            out += "\tif (cg)\n\t\tbpf_cgroup_release(cg);\n\t(void)css;\n";
        if (p.task == Task::pid_checked || p.task == Task::pid_unchecked)
            out += "\tif (task)\n\t\tbpf_task_release(task);\n";
        out += "\t(void)it0;\n\t(void)it1;\n\t(void)v0;\n\t(void)v1;\n\t(void)task;\n\t(void)"
               "scratch;\n"
               "\treturn 0;\n}\n";
    }
    out += "\nchar _license[] SEC(\"license\") = \"GPL\";\n";
    return out;
}

} // namespace iterconf::gen
