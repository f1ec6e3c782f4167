// Reads the annotation decl tags out of a BPF object's BTF (libbpf's BTF
// parser only).
#pragma once

#include "common/result.hpp"

#include <map>
#include <string>
#include <vector>

namespace iterconf::expect {

// FUNC name -> its decl-tag strings (component_idx == -1), in BTF order.
Result<std::map<std::string, std::vector<std::string>>> read_func_tags(const std::string& object);

} // namespace iterconf::expect
