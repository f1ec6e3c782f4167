// Bytes <-> programs of the model, for structure-aware fuzzing (fuzz_protocol)
// and for storing programs as fuzz inputs (seeds, accepted programs,
// minimized findings). Standard library only.
//
// decode() is total and deterministic: every byte string is some valid
// Program (validate() == ""), the same bytes always the same Program. Missing
// bytes read as 0, which ends the sequence being read, so any prefix of an
// input is an input too and trailing zeros change nothing. The format:
//
//   input  := VERSION TASK KINDS seq
//   VERSION:= 1 byte   the format: 0, 1 or 2 (encode() writes 2); 3..255 are
//                      reserved for later formats and read as 1 until one
//                      claims them
//   TASK   := 1 byte   format 2: k_tasks[(b & 15) % n], the program type from
//                      bit 4 (0 tp_btf, 1 syscall; bits 5-7 ignored);
//                      formats 0 and 1: k_tasks[b % n], tp_btf
//   KINDS  := 1 byte   kinds[0] from b & 15, kinds[1] from b >> 4:
//                      format 2: the Kind id (gen/kinds.hpp; ids are
//                      append-only); an id with no kind yet reads as kind 0
//                      (task_vma) and encode() never writes one;
//                      format 1 (inputs written while the table had three
//                      kinds): ids 0..2 as in format 2, ids 3..15 kind 0, frozen;
//                      format 0 (inputs written before kinds were a table):
//                      {task_vma, num}[id % 2], frozen
//   seq    := op* END
//   END    := 1 byte   0
//   op     := CODE [SLOT] [START] [seq [seq]]
//   CODE   := 1 byte   1..255: k_codes[(b - 1) % n]
//   SLOT   := 1 byte   (ops with a slot) slot = b & 1; where = k_wheres[(b >> 1) % n]
//                      (new/next/destroy only; other ops keep Where::slot)
//   START  := 1 byte   (new only) 0: address 0; 255: the next 8 bytes, little-endian;
//                      else k_starts[(b - 1) % n]
//   seq    := the body of guard/loop/branch/call/bpfloop, then branch's else arm
//
// Limits keep programs a little beyond the enumerator's default bound
// (ops=3, depth=2): at most k_max_ops operations (bodies counted; once
// reached, nothing more is read) and bodies nested k_max_depth deep (a body
// op at the last level gets empty bodies, nothing read for them). brk
// outside a loop becomes ret. Inside a call's or bpfloop's body (a
// subprogram or callback, see Program::validate()) every op uses the slot
// the body was passed (the SLOT byte's slot bit is ignored), an address
// other than misaligned reads as the slot itself, loops of the caller do
// not count, and a call or bpfloop becomes guard (same shape).
//
// Compatibility: an input keeps its meaning across versions of this
// decoder. New values of the other tables are appended (see decode.cpp), new
// kinds take new ids, and a change that cannot be made that way is a new
// format number, the old format staying readable. Inputs written before the
// VERSION byte existed were rewritten with a 0 in front (format 0), which
// decodes them as before (decode_test: FormatZeroCorpusKeepsItsPrograms).
//
// encode() writes the canonical bytes of a program (the smallest index of
// each table entry, trailing zeros dropped); decode(encode(p)) == p for
// every valid p within the limits whose branch/brk/ret ops have slot 0 and
// whose non-address ops have Where::slot (as the enumerator makes them).
// Programs beyond the limits are cut to them. Program::at (a placed
// iterator, the enumerator's address dimension) is not encoded: such a
// program encodes as the same program at the frame's own slot.
#pragma once

#include "gen/program.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace iterconf::gen {

inline constexpr uint8_t k_format = 2; // the VERSION byte encode() writes
inline constexpr int k_max_ops = 12;   // operations per program, bodies counted
inline constexpr int k_max_depth = 3;  // nesting of guard/loop/branch bodies

Program decode(const uint8_t* data, size_t size);
inline Program decode(const std::vector<uint8_t>& bytes) {
    return decode(bytes.data(), bytes.size());
}

std::vector<uint8_t> encode(const Program& p);

// The values the decoder can produce, in table order (for mutators that
// pick values without hard-coding the enums).
std::span<const Task> all_tasks();
std::span<const Kind> all_kinds();
std::span<const Where> all_wheres();
std::span<const Op::Code> all_codes();
std::span<const uint64_t> all_starts(); // the dictionary of start addresses (without 0)

// Ops of a program, bodies counted (the size the minimizer reduces).
size_t op_count(const std::vector<Op>& ops);
// Deepest nesting of bodies: 0 for a flat program.
int nesting(const std::vector<Op>& ops);

} // namespace iterconf::gen
