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
#include <bpf/btf.h>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <mutex>
#include <string_view>
#include <unordered_map>

namespace {

using load_fn = struct btf* (*)();
using free_fn = void (*)(struct btf*);

template <typename F> F next_definition(const char* name) {
    // libbpf's own definition, the one after this executable's.
    return reinterpret_cast<F>(dlsym(RTLD_NEXT, name));
}

std::mutex g_mutex;
struct btf* g_shared = nullptr;

// Name and kind -> the lowest type id, over the shared BTF: what
// btf__find_by_name_kind() finds by a linear scan of every type (about
// 130,000 in a distribution kernel's BTF), once per kfunc, attach target
// and ksym of every object. Built on the first lookup; the keys point into
// the shared BTF's string section, which lives as long as the process.
class NameIndex {
  public:
    explicit NameIndex(const struct btf* btf) {
        const __u32 n = btf__type_cnt(btf);
        m_ids.reserve(n);
        for (__u32 id = 1; id < n; id++) {
            const struct btf_type* t = btf__type_by_id(btf, id);
            const char* name = btf__name_by_offset(btf, t->name_off);
            if (!name || !*name)
                continue;
            m_ids.emplace(Key{name, btf_kind(t)}, id); // keeps the first (lowest) id
        }
    }
    __s32 find(const char* name, __u32 kind) const {
        auto it = m_ids.find(Key{name, kind});
        return it == m_ids.end() ? -ENOENT : static_cast<__s32>(it->second);
    }

  private:
    struct Key {
        std::string_view name;
        __u32 kind;
        bool operator==(const Key&) const = default;
    };
    struct Hash {
        size_t operator()(const Key& k) const {
            return std::hash<std::string_view>{}(k.name) * 31 + k.kind;
        }
    };
    std::unordered_map<Key, __u32, Hash> m_ids;
};
NameIndex* g_index = nullptr;

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
    if (!sharing())
        return real();
    std::lock_guard<std::mutex> lock(g_mutex);
    if (!g_shared)
        g_shared = real(); // NULL (errno set) on failure: not kept
    return g_shared;
}

extern "C" void btf__free(struct btf* btf) {
    static const free_fn real = next_definition<free_fn>("btf__free");
    if (btf) {
        std::lock_guard<std::mutex> lock(g_mutex);
        if (btf == g_shared)
            return;
    }
    real(btf);
}

// Same answers as libbpf's (the first id of that name and kind; 0 for
// "void" or BTF_KIND_UNKN; -ENOENT with errno set when there is none), from
// the index when the BTF is the shared one.
extern "C" __s32 btf__find_by_name_kind(const struct btf* btf, const char* type_name, __u32 kind) {
    using find_fn = __s32 (*)(const struct btf*, const char*, __u32);
    static const find_fn real = next_definition<find_fn>("btf__find_by_name_kind");
    if (!btf || btf != g_shared || !type_name)
        return real(btf, type_name, kind);
    if (kind == BTF_KIND_UNKN || std::strcmp(type_name, "void") == 0)
        return 0;
    const NameIndex* index;
    {
        std::lock_guard<std::mutex> lock(g_mutex);
        if (!g_index)
            g_index = new NameIndex(btf);
        index = g_index;
    }
    __s32 id = index->find(type_name, kind);
    if (id < 0)
        errno = -id;
    return id;
}

extern "C" int iterconf_vmlinux_btf_shared() {
    return sharing() ? 1 : 0;
}
