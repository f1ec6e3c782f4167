// Embeds the walk's BPF object and the static layout binary into whatever
// links the oracle (the CLI, the guest agent, the fuzz target), so none
// needs files beside it. The paths come from CMake; OBJECT_DEPENDS
// rebuilds this file when either changes.
#define ITERCONF_EMBED(sym, path)                                                                  \
    asm(".section .rodata\n"                                                                       \
        ".global " #sym "\n"                                                                       \
        ".type " #sym ", @object\n"                                                                \
        ".balign 16\n" #sym ":\n"                                                                  \
        ".incbin \"" path "\"\n"                                                                   \
        ".global " #sym "_end\n"                                                                   \
        ".type " #sym "_end, @object\n" #sym "_end:\n"                                             \
        ".byte 0\n"                                                                                \
        ".previous\n")

ITERCONF_EMBED(iterconf_bounds_walk_obj, ITERCONF_ORACLE_WALK_OBJ);
ITERCONF_EMBED(iterconf_bounds_layout_bin, ITERCONF_ORACLE_LAYOUT_BIN);
