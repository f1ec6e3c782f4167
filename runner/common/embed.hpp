// A file of the source tree's images/ built into the binary by the
// assembler: ITERCONF_EMBED_IMAGE(sym, "path/under/images") defines `sym`
// and `sym_end` in .rodata, the file's bytes and then a NUL (`sym_end`
// points at the NUL). ITERCONF_IMAGES_DIR comes from CMake, which also
// rebuilds the embedding file when an embedded file changes
// (OBJECT_DEPENDS). Used at namespace scope, once per symbol.
#pragma once

#ifndef ITERCONF_IMAGES_DIR
#error "ITERCONF_IMAGES_DIR must name the source tree's images/"
#endif

#define ITERCONF_EMBED_IMAGE(sym, file)                                                            \
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
