// Fixture for ci/check-includes.sh: a directory the table does not know.
#include "common/result.hpp"
