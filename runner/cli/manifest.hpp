// What iterconf reads back from images/kernels.sh, the kernel manifest's
// parser (images/kernels.toml is read by the script alone): the names it
// prints, and a cached kernel's meta record.
#pragma once

#include "common/result.hpp"

#include <map>
#include <string>
#include <vector>

namespace iterconf::cli {

// `images/kernels.sh names`: one kernel name per line, in manifest order.
// The names become directory names under --out, so each must be a manifest
// table name ([A-Za-z0-9][A-Za-z0-9._-]*, not "host" or "all", no
// duplicates) even though the script checks that too.
Result<std::vector<std::string>> parse_manifest_names(const std::string& out);

// `images/kernels.sh meta NAME`: key=value lines; the first line of a key
// wins, as in the script's meta_get. Lines without '=' are skipped.
std::map<std::string, std::string> parse_meta(const std::string& out);

} // namespace iterconf::cli
