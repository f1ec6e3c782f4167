// Fixture for ci/check-includes.sh: cli/ calling agent code; a generated header.
#include "agent/bounds.hpp"

#include "bpf_flags.hpp"
#include "oracle/replay.hpp"
