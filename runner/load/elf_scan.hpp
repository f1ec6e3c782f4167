// Reads a BPF object's ELF to find which kfuncs each program calls, so that a
// program calling a kfunc the kernel lacks is judged `unsupported` before it
// is loaded (contract 1).
#pragma once

#include "common/result.hpp"

#include <string>
#include <vector>

namespace iterconf::load {

struct KfuncRef {
    std::string name;
    bool weak = false;
    auto operator<=>(const KfuncRef&) const = default;
};

struct ElfProgram {
    std::string name;    // function symbol
    std::string section; // ELF section ("raw_tp/sys_enter")
    // kfuncs called from the program itself or, conservatively, from any
    // static subprogram in .text when the program calls into .text
    std::vector<KfuncRef> kfuncs;
};

struct ElfInfo {
    std::vector<ElfProgram> programs;
    std::string license;
};

Result<ElfInfo> scan_elf(const std::string& path);

} // namespace iterconf::load
