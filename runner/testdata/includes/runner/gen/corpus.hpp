// Fixture for ci/check-includes.sh: gen/ (std-only) reaching up into load/.
#pragma once

#include "common/result.hpp"
#include "load/loader.hpp"
