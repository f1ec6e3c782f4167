// One parsed kernel BTF for the whole process, on the host.
//
// libbpf reads and parses /sys/kernel/btf/vmlinux (several MB) again for
// every object it loads, through its exported btf__load_vmlinux_btf(), and
// frees it through btf__free() after the load: about 5 ms an object, half
// of what one libbpf pass over a case object costs (runner/load/loader.hpp).
// libbpf.so makes both calls through its PLT, so these definitions in the
// executable are the ones it reaches: the first call parses the kernel's
// BTF, every later one gets the same object, and btf__free() of it is a
// no-op. libbpf only reads the vmlinux BTF (type and name lookups for
// kfuncs, attach targets and CO-RE candidates); the running kernel's BTF
// does not change while the process lives. A failed parse is not kept.
//
// Linked into the dynamically linked host programs only (iterconf, the host
// tests). The static guest agent links libbpf.a, where a second definition
// would clash; it parses per object, as libbpf does.
// ITERCONF_SHARE_VMLINUX_BTF=0 turns the sharing off (each call parses).
#include <atomic>
#include <bpf/btf.h>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <mutex>
#include <vector>

namespace {

using load_fn = struct btf* (*)();
using free_fn = void (*)(struct btf*);

template <typename F> F next_definition(const char* name) {
    // libbpf's own definition, the one after this executable's.
    return reinterpret_cast<F>(dlsym(RTLD_NEXT, name));
}

std::mutex g_mutex; // guards g_index
// The shared BTF. Atomic, and never touched under g_mutex while libbpf
// runs: libbpf's own error path calls btf__free() (this file's) from inside
// btf__load_vmlinux_btf().
std::atomic<struct btf*> g_shared{nullptr};

// Name -> the lowest type id of one kind, over the shared BTF: what
// btf__find_by_name_kind() finds by a linear scan of every type (about
// 130,000 in a distribution kernel's BTF), once per kfunc, attach target
// and ksym of every object. One open-addressing table of type ids per kind,
// built on the first lookup of that kind (no allocation per type: the names
// stay in the BTF).
class NameIndex {
  public:
    NameIndex(const struct btf* btf, __u32 kind) : m_btf(btf) {
        const __u32 n = btf__type_cnt(btf);
        std::vector<__u32> ids;
        for (__u32 id = 1; id < n; id++) {
            const struct btf_type* t = btf__type_by_id(btf, id);
            if (btf_kind(t) == kind && t->name_off != 0)
                ids.push_back(id);
        }
        size_t size = 1;
        while (size < 2 * ids.size() + 1)
            size <<= 1;
        m_slots.assign(size, 0);
        for (__u32 id : ids) {
            const char* name = btf__name_by_offset(btf, btf__type_by_id(btf, id)->name_off);
            if (!name || !*name)
                continue;
            __u32& slot = m_slots[probe(name)];
            if (slot == 0)
                slot = id; // ids ascend: the first of a name stays
        }
    }
    __s32 find(const char* name) const {
        __u32 id = m_slots[probe(name)];
        return id == 0 ? -ENOENT : static_cast<__s32>(id);
    }

  private:
    // The slot holding `name`, or the empty slot where it would go.
    size_t probe(const char* name) const {
        size_t h = 1469598103934665603ull; // FNV-1a
        for (const char* c = name; *c; c++)
            h = (h ^ static_cast<unsigned char>(*c)) * 1099511628211ull;
        const size_t mask = m_slots.size() - 1;
        for (size_t i = h & mask;; i = (i + 1) & mask) {
            __u32 id = m_slots[i];
            if (id == 0 ||
                std::strcmp(btf__name_by_offset(m_btf, btf__type_by_id(m_btf, id)->name_off),
                            name) == 0)
                return i;
        }
    }

    const struct btf* m_btf;
    std::vector<__u32> m_slots; // 0: empty (type 0 is void, never indexed)
};
NameIndex* g_index[NR_BTF_KINDS] = {};

bool sharing() {
    static const bool on = [] {
        const char* v = std::getenv("ITERCONF_SHARE_VMLINUX_BTF");
        return !(v && std::strcmp(v, "0") == 0);
    }();
    return on;
}

} // namespace

extern "C" struct btf* btf__load_vmlinux_btf(void) {
    static const load_fn real = next_definition<load_fn>("btf__load_vmlinux_btf");
    static const free_fn real_free = next_definition<free_fn>("btf__free");
    if (!sharing())
        return real();
    if (struct btf* b = g_shared.load())
        return b;
    struct btf* b = real(); // NULL (errno set) on failure: not kept
    if (!b)
        return b;
    struct btf* expected = nullptr;
    if (!g_shared.compare_exchange_strong(expected, b)) {
        real_free(b); // another thread parsed it first
        return expected;
    }
    return b;
}

extern "C" void btf__free(struct btf* btf) {
    static const free_fn real = next_definition<free_fn>("btf__free");
    if (btf && btf == g_shared.load())
        return;
    real(btf);
}

// Same answers as libbpf's (the first id of that name and kind; 0 for
// "void" or BTF_KIND_UNKN; -ENOENT with errno set when there is none), from
// the index when the BTF is the shared one.
extern "C" __s32 btf__find_by_name_kind(const struct btf* btf, const char* type_name, __u32 kind) {
    using find_fn = __s32 (*)(const struct btf*, const char*, __u32);
    static const find_fn real = next_definition<find_fn>("btf__find_by_name_kind");
    if (!btf || btf != g_shared.load() || !type_name || !*type_name)
        return real(btf, type_name, kind); // "": libbpf finds anonymous types
    if (kind == BTF_KIND_UNKN || std::strcmp(type_name, "void") == 0)
        return 0;
    if (kind >= NR_BTF_KINDS)
        return real(btf, type_name, kind);
    const NameIndex* index;
    {
        std::lock_guard<std::mutex> lock(g_mutex);
        if (!g_index[kind])
            g_index[kind] = new NameIndex(btf, kind);
        index = g_index[kind];
    }
    __s32 id = index->find(type_name);
    if (id < 0)
        errno = -id;
    return id;
}

extern "C" int iterconf_vmlinux_btf_shared() {
    return sharing() ? 1 : 0;
}
