// Fixture for ci/check-includes.sh: the oracle on a fuzz/ header and on
// libFuzzer's; a header beside it, and one that is not.
#pragma once

#include "checker.hpp"
#include "iter_bounds/checker.hpp"
#include "record/record.hpp"
#include "walk_abi.h"

#include <fuzzer/FuzzedDataProvider.h>
