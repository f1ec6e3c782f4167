// Fixture for ci/check-includes.sh: the agent reaching into cli/.
#include "agent/kmsg.hpp"
#include "cli/inputs.hpp"
#include "oracle/replay.hpp"

#include <cstdio>
