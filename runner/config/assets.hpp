// The data files of images/ that iterconf needs at run time, built into the
// binary (config/assets.cpp, .incbin), so that it runs from any directory
// and without its source tree. A rebuild picks up an edited file.
#pragma once

#include <string_view>

namespace iterconf::config {

enum class Asset {
    init_sh,         // images/init/init.sh: the guest's /init
    kernels_toml,    // images/kernels.toml: the kernel manifest
    known_bugs_toml, // images/known-bugs.toml: the default known-bugs list
    kernels_sh,      // images/kernels.sh: the apt fetcher, run with `bash -c`
    kbuild_sh,       // images/kbuild.sh: kernels from source, run with `bash -c`
    fragment_config, // images/config/iterconf.config: the guest's Kconfig fragment
};

// The file's text as it was when this binary was built.
std::string_view asset_text(Asset a);
// Its path in the source tree, e.g. "images/kernels.toml", for messages.
const char* asset_name(Asset a);

} // namespace iterconf::config
