/*
 * iterconf-bounds-layout: the process whose address space the oracle
 * lays out and walks. Static, without sanitizers, so its own mappings are
 * few and stable. It applies the commands of layout_abi.h from stdin inside
 * a reserved arena and answers each LAYOUT_SYNC on stdout; between commands it
 * sits in read(), so the oracle reads /proc/PID/maps and runs the walk on an
 * address space that does not change.
 *
 * fd 3, when open, is a regular file for file mappings; a memfd is made
 * here. The hammer thread (and its stack, and the pages it mprotects) is
 * set up before the arena is chosen, so nothing is ever mapped into the
 * arena but what the commands put there.
 */
#define _GNU_SOURCE
#include "layout_abi.h"

#include <alloca.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <fcntl.h>
#include <unistd.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

#define PAGE 4096ul

static char *arena;
static char *hammer_pages;
static atomic_int hammer_on;
static int hammer_pipe[2], hammer_done[2];
static int hammering;

static int read_full(int fd, void *buf, size_t n)
{
	char *p = buf;
	while (n) {
		ssize_t r = read(fd, p, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

static void write_full(int fd, const void *buf, size_t n)
{
	const char *p = buf;
	while (n) {
		ssize_t r = write(fd, p, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			_exit(3);
		p += r;
		n -= (size_t)r;
	}
}

/* Each mprotect() of the middle page splits or merges the VMA, under the
 * mmap lock held for write. Idle (blocked in read) unless switched on. */
static void *hammer(void *unused)
{
	(void)unused;
	for (;;) {
		char c;
		if (read_full(hammer_pipe[0], &c, 1) < 0)
			return NULL;
		while (atomic_load(&hammer_on)) {
			mprotect(hammer_pages + PAGE, PAGE, PROT_READ);
			mprotect(hammer_pages + PAGE, PAGE, PROT_READ | PROT_WRITE);
		}
		write_full(hammer_done[1], "d", 1);
	}
}

/* Touches `kib` KiB below this frame, top down, so the stack VMA grows. */
static __attribute__((noinline)) void grow_stack(unsigned kib)
{
	size_t n = (size_t)kib * 1024;
	volatile char *p = alloca(n);
	for (size_t i = n; i >= PAGE; i -= PAGE)
		p[i - PAGE] = 1;
}

static int in_arena(uint64_t off, uint64_t len)
{
	return off < LAYOUT_ARENA_PAGES && len <= LAYOUT_ARENA_PAGES - off;
}

static int apply(const struct layout_cmd *c, int file_fd, int memfd)
{
	char *at = arena + c->off * PAGE;
	size_t len = c->len * PAGE;

	switch (c->op) {
	case LAYOUT_RESET:
		return munmap(arena, LAYOUT_ARENA_PAGES * PAGE);
	case LAYOUT_MMAP: {
		if (!in_arena(c->off, c->len) || !len)
			return -1;
		int flags = MAP_FIXED | ((c->flags & LAYOUT_F_SHARED) ? MAP_SHARED : MAP_PRIVATE);
		int fd = -1;
		if (c->flags & LAYOUT_F_FILE)
			fd = file_fd;
		else if (c->flags & LAYOUT_F_MEMFD)
			fd = memfd;
		if (fd < 0)
			flags |= MAP_ANONYMOUS;
		void *p = mmap(at, len, (int)c->prot, flags, fd, fd < 0 ? 0 : (off_t)(c->off2 * PAGE));
		return p == MAP_FAILED ? -1 : 0;
	}
	case LAYOUT_MUNMAP:
		if (!in_arena(c->off, c->len))
			return -1;
		return munmap(at, len);
	case LAYOUT_MPROTECT:
		if (!in_arena(c->off, c->len))
			return -1;
		return mprotect(at, len, (int)c->prot);
	case LAYOUT_MREMAP: {
		if (!in_arena(c->off, c->len) || !in_arena(c->off, c->len2))
			return -1;
		void *p;
		if (c->flags & LAYOUT_F_MOVE) {
			if (!in_arena(c->off2, c->len2))
				return -1;
			p = mremap(at, len, c->len2 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED,
				   arena + c->off2 * PAGE);
		} else {
			p = mremap(at, len, c->len2 * PAGE, 0);
		}
		return p == MAP_FAILED ? -1 : 0;
	}
	case LAYOUT_MADVISE:
		if (!in_arena(c->off, c->len))
			return -1;
		return madvise(at, len, (int)c->arg);
	case LAYOUT_MANY: {
		if (!in_arena(c->off, c->arg) || !c->arg)
			return -1;
		if (mmap(at, c->arg * PAGE, PROT_READ | PROT_WRITE,
			 MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED)
			return -1;
		for (uint32_t i = 1; i < c->arg; i += 2)
			if (mprotect(at + i * PAGE, PAGE, PROT_READ))
				return -1;
		return 0;
	}
	case LAYOUT_TOUCH:
		if (!in_arena(c->off, c->len))
			return -1;
		return madvise(at, len, MADV_POPULATE_WRITE);
	case LAYOUT_GROW_STACK:
		grow_stack(c->arg > 4096 ? 4096 : c->arg);
		return 0;
	case LAYOUT_HAMMER:
		if ((c->arg != 0) == hammering)
			return 0;
		hammering = c->arg != 0;
		atomic_store(&hammer_on, hammering);
		if (hammering) {
			write_full(hammer_pipe[1], "g", 1);
		} else {
			/* The layout is stable again once the thread has left its loop. */
			char d;
			if (read_full(hammer_done[0], &d, 1) < 0)
				_exit(3);
		}
		return 0;
	default:
		return -1;
	}
}

int main(void)
{
	int file_fd = fcntl(3, F_GETFD) != -1 ? 3 : -1;
	int memfd = memfd_create("iterconf-bounds", 0);
	if (memfd >= 0 && ftruncate(memfd, LAYOUT_FILE_PAGES * PAGE))
		memfd = -1;

	hammer_pages = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	pthread_t t;
	if (hammer_pages == MAP_FAILED || pipe(hammer_pipe) || pipe(hammer_done) ||
	    pthread_create(&t, NULL, hammer, NULL))
		return 4;

	/* The arena: an address range nothing else will map into (the process
	 * maps nothing more with a NULL hint after this point). */
	arena = mmap(NULL, LAYOUT_ARENA_PAGES * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		     -1, 0);
	if (arena == MAP_FAILED)
		return 4;
	munmap(arena, LAYOUT_ARENA_PAGES * PAGE);

	int64_t failed = 0;
	struct layout_cmd c;
	while (read_full(0, &c, sizeof(c)) == 0) {
		if (c.op == LAYOUT_SYNC) {
			struct layout_reply r = {
				.arena = (uint64_t)(uintptr_t)arena,
				.hammer_start = (uint64_t)(uintptr_t)hammer_pages,
				.hammer_len = 3 * PAGE,
				.failed = failed,
			};
			write_full(1, &r, sizeof(r));
			failed = 0;
			continue;
		}
		if (apply(&c, file_fd, memfd))
			failed++;
	}
	return 0;
}
