// SPDX-License-Identifier: GPL-2.0
/*
 * The matcher's fixture (runner/mutate/mutate_test.cpp): our own code in the
 * kernel's layout. Two functions, a line repeated in a third, a function
 * defined twice under #ifdef, a prototype, and file-scope lines.
 */
static int iter_limit = 8;

static int check_slot(int spi, int nr_slots);

static int check_slot(int spi, int nr_slots)
{
	if (spi < 0)
		return -22;
	if (spi + nr_slots > iter_limit)
		return -34;
	return 0;
}

static int
mark_slots(int *slots, int spi, int nr_slots)
{
	int i;

	for (i = 0; i < nr_slots; i++)
		slots[spi + i] = 1;
	return check_slot(spi, nr_slots);
}

static int repeated(int a, int b)
{
	if (a < 0)
		return 0;
	b += a;
	if (a < 0)
		return 1;
	return b;
}

#ifdef CONFIG_TWICE
static int twice(int x)
{
	return x + 1;
}
#else
static int twice(int x)
{
	return x;
}
#endif

#define FLAGS_OF(name, flags) int name##_flags = flags
FLAGS_OF(check_slot, 3);
