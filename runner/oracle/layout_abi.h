/*
 * The command protocol between the oracle and the layout process
 * (layout_main.c): fixed-size commands on the process's stdin, one reply
 * per LAYOUT_SYNC on its stdout. Shared by C and C++.
 */
#ifndef ITERCONF_ORACLE_LAYOUT_ABI_H
#define ITERCONF_ORACLE_LAYOUT_ABI_H

#include <stdint.h>

/* The arena the layout ops work in: offsets and lengths are in pages. */
#define LAYOUT_ARENA_PAGES 8192u
#define LAYOUT_FILE_PAGES 64u /* size of each file a mapping can map */

enum layout_op {
	LAYOUT_RESET = 1,  /* unmap the whole arena */
	LAYOUT_MMAP,       /* off,len,prot; flags LAYOUT_F_*; off2 = file offset (pages) */
	LAYOUT_MUNMAP,     /* off,len */
	LAYOUT_MPROTECT,   /* off,len,prot */
	LAYOUT_MREMAP,     /* off,len -> len2; flags LAYOUT_F_MOVE: to off2 (MREMAP_FIXED) */
	LAYOUT_MADVISE,    /* off,len; arg = advice */
	LAYOUT_MANY,       /* off, arg = n: n one-page VMAs (alternating protections) */
	LAYOUT_TOUCH,      /* off,len: MADV_POPULATE_WRITE (gives anon VMAs an anon_vma) */
	LAYOUT_GROW_STACK, /* arg = KiB below the current frame to touch */
	LAYOUT_HAMMER,     /* arg = 1: the hammer thread starts taking the mmap lock for
			  write in a loop (mprotect); arg = 0: it stops */
	LAYOUT_SYNC,       /* reply struct layout_reply */
};

#define LAYOUT_F_SHARED 1u
#define LAYOUT_F_FILE 2u  /* map the regular file (fd 3) */
#define LAYOUT_F_MEMFD 4u /* map the memfd */
#define LAYOUT_F_MOVE 8u

struct layout_cmd {
	uint32_t op, prot, flags, arg;
	uint64_t off, len, off2, len2;
};

struct layout_reply {
	uint64_t arena;        /* arena start address */
	uint64_t hammer_start; /* the pages the hammer thread mprotects */
	uint64_t hammer_len;
	int64_t failed;        /* ops since the last sync that returned an error */
};

#endif
