#include "config/assets.hpp"

#include "common/embed.hpp"

ITERCONF_EMBED_IMAGE(iterconf_asset_init_sh, "init/init.sh")
ITERCONF_EMBED_IMAGE(iterconf_asset_kernels_toml, "kernels.toml")
ITERCONF_EMBED_IMAGE(iterconf_asset_known_bugs_toml, "known-bugs.toml")
ITERCONF_EMBED_IMAGE(iterconf_asset_kernels_sh, "kernels.sh")
ITERCONF_EMBED_IMAGE(iterconf_asset_kbuild_sh, "kbuild.sh")
ITERCONF_EMBED_IMAGE(iterconf_asset_fragment_config, "config/iterconf.config")

namespace iterconf::config {

std::string_view asset_text(Asset a) {
    switch (a) {
    case Asset::init_sh:
        return {iterconf_asset_init_sh,
                size_t(iterconf_asset_init_sh_end - iterconf_asset_init_sh)};
    case Asset::kernels_toml:
        return {iterconf_asset_kernels_toml,
                size_t(iterconf_asset_kernels_toml_end - iterconf_asset_kernels_toml)};
    case Asset::known_bugs_toml:
        return {iterconf_asset_known_bugs_toml,
                size_t(iterconf_asset_known_bugs_toml_end - iterconf_asset_known_bugs_toml)};
    case Asset::kernels_sh:
        return {iterconf_asset_kernels_sh,
                size_t(iterconf_asset_kernels_sh_end - iterconf_asset_kernels_sh)};
    case Asset::kbuild_sh:
        return {iterconf_asset_kbuild_sh,
                size_t(iterconf_asset_kbuild_sh_end - iterconf_asset_kbuild_sh)};
    case Asset::fragment_config:
        return {iterconf_asset_fragment_config,
                size_t(iterconf_asset_fragment_config_end - iterconf_asset_fragment_config)};
    }
    return {};
}

const char* asset_name(Asset a) {
    switch (a) {
    case Asset::init_sh:
        return "images/init/init.sh";
    case Asset::kernels_toml:
        return "images/kernels.toml";
    case Asset::known_bugs_toml:
        return "images/known-bugs.toml";
    case Asset::kernels_sh:
        return "images/kernels.sh";
    case Asset::kbuild_sh:
        return "images/kbuild.sh";
    case Asset::fragment_config:
        return "images/config/iterconf.config";
    }
    return "";
}

} // namespace iterconf::config
