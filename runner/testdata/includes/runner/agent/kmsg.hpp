// Fixture for ci/check-includes.sh: a header of the agent.
#pragma once
