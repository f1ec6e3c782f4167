// Fixture for ci/check-includes.sh: every include here is allowed.
#include "judge/judge.hpp"

#include "load/loader.hpp"
#include "model/model.hpp"
#include "record/record.hpp"

#include <bpf/libbpf.h>
