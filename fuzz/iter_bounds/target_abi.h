/*
 * The command protocol between the oracle and the layout target
 * (target_main.c): fixed-size commands on the target's stdin, one reply
 * per BT_SYNC on its stdout. Shared by C and C++.
 */
#ifndef ITERCONF_BOUNDS_TARGET_ABI_H
#define ITERCONF_BOUNDS_TARGET_ABI_H

#include <stdint.h>

/* The arena the layout ops work in: offsets and lengths are in pages. */
#define BT_ARENA_PAGES 8192u
#define BT_FILE_PAGES 64u /* size of each file a mapping can map */

enum bt_op {
	BT_RESET = 1,  /* unmap the whole arena */
	BT_MMAP,       /* off,len,prot; flags BT_F_*; off2 = file offset (pages) */
	BT_MUNMAP,     /* off,len */
	BT_MPROTECT,   /* off,len,prot */
	BT_MREMAP,     /* off,len -> len2; flags BT_F_MOVE: to off2 (MREMAP_FIXED) */
	BT_MADVISE,    /* off,len; arg = advice */
	BT_MANY,       /* off, arg = n: n one-page VMAs (alternating protections) */
	BT_TOUCH,      /* off,len: MADV_POPULATE_WRITE (gives anon VMAs an anon_vma) */
	BT_GROW_STACK, /* arg = KiB below the current frame to touch */
	BT_HAMMER,     /* arg = 1: the hammer thread starts taking the mmap lock for
			  write in a loop (mprotect); arg = 0: it stops */
	BT_SYNC,       /* reply struct bt_reply */
};

#define BT_F_SHARED 1u
#define BT_F_FILE 2u  /* map the regular file (fd 3) */
#define BT_F_MEMFD 4u /* map the memfd */
#define BT_F_MOVE 8u

struct bt_cmd {
	uint32_t op, prot, flags, arg;
	uint64_t off, len, off2, len2;
};

struct bt_reply {
	uint64_t arena;        /* arena start address */
	uint64_t hammer_start; /* the pages the hammer thread mprotects */
	uint64_t hammer_len;
	int64_t failed;        /* ops since the last sync that returned an error */
};

#endif
