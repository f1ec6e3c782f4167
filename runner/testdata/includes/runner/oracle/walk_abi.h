/* Fixture for ci/check-includes.sh: a C header of the oracle. */
#include <linux/types.h>
