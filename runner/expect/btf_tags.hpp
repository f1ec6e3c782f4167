// Reads the annotation decl tags out of a BPF object's BTF (libbpf's BTF
// parser only).
#pragma once

#include "common/result.hpp"

#include <cstddef>
#include <map>
#include <string>
#include <vector>

namespace iterconf::expect {

using FuncTags = std::map<std::string, std::vector<std::string>>;

// FUNC name -> its decl-tag strings (component_idx == -1), in BTF order.
Result<FuncTags> read_func_tags(const std::string& object);

// The same from a raw BTF blob in memory (an object's .BTF section);
// `where` names it in errors.
Result<FuncTags> read_func_tags_from_btf(const void* data, size_t size, const std::string& where);

} // namespace iterconf::expect
