#include "load/elf_scan.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <map>
#include <set>
#include <unistd.h>

namespace iterconf::load {

namespace {

constexpr unsigned char k_bpf_call = 0x85; // BPF_JMP | BPF_CALL

struct Rel {
    size_t offset;
    size_t sym;
};

struct Section {
    std::string name;
    GElf_Shdr shdr{};
    Elf_Data* data = nullptr;
    std::vector<Rel> rels;
};

} // namespace

Result<ElfInfo> scan_elf(const std::string& path) {
    auto fail = [&](const std::string& what) {
        return make_error(ErrorKind::input, path, what,
                          "is this a BPF object built with clang -target bpf?");
    };
    if (elf_version(EV_CURRENT) == EV_NONE)
        return make_error(ErrorKind::internal, "libelf", "elf_version() failed");
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return make_error(ErrorKind::input, path,
                          std::string("cannot open: ") + std::strerror(errno), "check the path");
    Elf* elf = elf_begin(fd, ELF_C_READ, nullptr);
    struct Closer {
        Elf* e;
        int fd;
        ~Closer() {
            if (e)
                elf_end(e);
            ::close(fd);
        }
    } closer{elf, fd};
    GElf_Ehdr ehdr;
    if (!elf || elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &ehdr))
        return fail("not an ELF file");
    if (ehdr.e_machine != EM_BPF)
        return fail("not a BPF object (e_machine " + std::to_string(ehdr.e_machine) + ")");
    size_t shstrndx = 0;
    if (elf_getshdrstrndx(elf, &shstrndx) != 0)
        return fail("no section name table");

    std::map<size_t, Section> sections;
    size_t symtab_idx = 0;
    Elf_Scn* scn = nullptr;
    while ((scn = elf_nextscn(elf, scn)) != nullptr) {
        Section s;
        if (!gelf_getshdr(scn, &s.shdr))
            return fail("bad section header");
        const char* n = elf_strptr(elf, shstrndx, s.shdr.sh_name);
        s.name = n ? n : "";
        s.data = elf_getdata(scn, nullptr);
        size_t idx = elf_ndxscn(scn);
        if (s.shdr.sh_type == SHT_SYMTAB)
            symtab_idx = idx;
        sections[idx] = std::move(s);
    }
    if (!symtab_idx)
        return fail("no symbol table");
    const Section& symtab = sections[symtab_idx];
    size_t nsyms = symtab.shdr.sh_entsize ? symtab.shdr.sh_size / symtab.shdr.sh_entsize : 0;
    std::vector<GElf_Sym> syms(nsyms);
    std::vector<std::string> sym_names(nsyms);
    for (size_t i = 0; i < nsyms; i++) {
        if (!gelf_getsym(symtab.data, static_cast<int>(i), &syms[i]))
            return fail("bad symbol");
        const char* n = elf_strptr(elf, symtab.shdr.sh_link, syms[i].st_name);
        sym_names[i] = n ? n : "";
    }

    size_t text_idx = 0;
    for (auto& [idx, s] : sections) {
        if (s.name == ".text")
            text_idx = idx;
        if (s.shdr.sh_type != SHT_REL || !s.data)
            continue;
        auto target = sections.find(s.shdr.sh_info);
        if (target == sections.end())
            continue;
        size_t n = s.shdr.sh_entsize ? s.shdr.sh_size / s.shdr.sh_entsize : 0;
        for (size_t i = 0; i < n; i++) {
            GElf_Rel rel;
            if (!gelf_getrel(s.data, static_cast<int>(i), &rel))
                return fail("bad relocation in " + s.name);
            size_t sym = GELF_R_SYM(rel.r_info);
            if (sym >= nsyms)
                return fail("relocation against a missing symbol in " + s.name);
            target->second.rels.push_back({static_cast<size_t>(rel.r_offset), sym});
        }
    }

    auto insn_code = [&](const Section& s, size_t off) -> int {
        if (!s.data || !s.data->d_buf || off >= s.data->d_size)
            return -1;
        return static_cast<const unsigned char*>(s.data->d_buf)[off];
    };
    // kfuncs called and whether .text is referenced, in [lo, hi) of section s
    auto scan_range = [&](const Section& s, size_t lo, size_t hi, std::set<KfuncRef>& kf,
                          bool& uses_text) {
        for (const Rel& r : s.rels) {
            if (r.offset < lo || r.offset >= hi)
                continue;
            const GElf_Sym& sym = syms[r.sym];
            if (sym.st_shndx == SHN_UNDEF && insn_code(s, r.offset) == k_bpf_call)
                kf.insert({sym_names[r.sym], GELF_ST_BIND(sym.st_info) == STB_WEAK});
            else if (text_idx && sym.st_shndx == text_idx)
                uses_text = true;
        }
    };
    std::set<KfuncRef> text_kfuncs;
    if (text_idx) {
        bool dummy = false;
        scan_range(sections[text_idx], 0, SIZE_MAX, text_kfuncs, dummy);
    }

    ElfInfo info;
    for (size_t i = 0; i < nsyms; i++) {
        const GElf_Sym& sym = syms[i];
        if (GELF_ST_TYPE(sym.st_info) != STT_FUNC || sym.st_shndx == SHN_UNDEF ||
            sym.st_shndx == text_idx || sym.st_shndx >= SHN_LORESERVE)
            continue;
        auto sec = sections.find(sym.st_shndx);
        if (sec == sections.end() || !(sec->second.shdr.sh_flags & SHF_EXECINSTR))
            continue;
        ElfProgram p;
        p.name = sym_names[i];
        p.section = sec->second.name;
        std::set<KfuncRef> kf;
        bool uses_text = false;
        scan_range(sec->second, sym.st_value, sym.st_value + sym.st_size, kf, uses_text);
        if (uses_text)
            kf.insert(text_kfuncs.begin(), text_kfuncs.end());
        p.kfuncs.assign(kf.begin(), kf.end());
        info.programs.push_back(std::move(p));
    }
    for (auto& [idx, s] : sections) {
        if (s.name == "license" && s.data && s.data->d_buf) {
            const char* b = static_cast<const char*>(s.data->d_buf);
            info.license.assign(b, strnlen(b, s.data->d_size));
        }
    }
    return info;
}

} // namespace iterconf::load
