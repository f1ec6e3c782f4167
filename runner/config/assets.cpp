#include "config/assets.hpp"

// ITERCONF_IMAGES_DIR comes from CMake; OBJECT_DEPENDS rebuilds this file
// when an embedded file changes.
#ifndef ITERCONF_IMAGES_DIR
#error "ITERCONF_IMAGES_DIR must name the source tree's images/"
#endif

#define ITERCONF_ASSET(sym, file)                                                                  \
    asm(".section .rodata\n"                                                                       \
        ".global " #sym "\n"                                                                       \
        ".type " #sym ", @object\n" #sym ":\n"                                                     \
        ".incbin \"" ITERCONF_IMAGES_DIR "/" file "\"\n"                                           \
        ".global " #sym "_end\n"                                                                   \
        ".type " #sym "_end, @object\n" #sym "_end:\n"                                             \
        ".byte 0\n"                                                                                \
        ".previous\n");                                                                            \
    extern "C" const char sym[];                                                                   \
    extern "C" const char sym##_end[];

ITERCONF_ASSET(iterconf_asset_init_sh, "init/init.sh")
ITERCONF_ASSET(iterconf_asset_kernels_toml, "kernels.toml")
ITERCONF_ASSET(iterconf_asset_known_bugs_toml, "known-bugs.toml")
ITERCONF_ASSET(iterconf_asset_kernels_sh, "kernels.sh")

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
    }
    return "";
}

} // namespace iterconf::config
