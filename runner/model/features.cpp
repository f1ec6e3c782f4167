// KernelFeatures: what the model needs to know about a kernel, from its
// version alone (one parser: common/kver).
#include "model/model.hpp"
#include "model/versions.hpp"

namespace iterconf::model {

uint32_t KernelFeatures::code() const {
    return ver(version.v[0], version.v[1], version.v[2]);
}

std::string KernelFeatures::text() const {
    return version.str();
}

bool KernelFeatures::has(gen::Kind k) const {
    return version >= gen::info(k).since;
}

KernelFeatures KernelFeatures::from_version(const KernelVersion& v) {
    KernelFeatures k;
    k.version = v;
    uint32_t c = k.code();
    k.has_task_from_pid = c >= ver(6, 2, 0);
    k.has_cgroup_from_id = c >= ver(6, 2, 0); // 332ea1f697be
    k.iter_on_stack_check = c >= kZeroIndex;
    k.callback_leak_check = c < kNoCallbackRef;
    if (c < kZeroIndex)
        k.args = ArgWording::regno;
    else if (c < kRegNameUnsure)
        k.args = ArgWording::zero_index;
    else if (c < kRegName)
        k.args = ArgWording::zero_or_reg;
    else
        k.args = ArgWording::reg;
    return k;
}

KernelFeatures KernelFeatures::from_version(int major, int minor, int patch) {
    return from_version(KernelVersion{{major, minor, patch}});
}

bool KernelFeatures::from_release(const std::string& release, KernelFeatures& out) {
    auto v = parse_release(release);
    if (!v)
        return false;
    out = from_version(*v);
    return true;
}

} // namespace iterconf::model
