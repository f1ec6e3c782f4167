// The kernel versions and ranges of the __kver_* annotations, under the
// names expect has always used. The one parser is common/kver.hpp.
#pragma once

#include "common/kver.hpp"

namespace iterconf::expect {

using iterconf::KernelVersion;
using iterconf::KverRange;
using iterconf::parse_range;
using iterconf::parse_release;
using Bound = iterconf::VersionBound;

} // namespace iterconf::expect
