#!/usr/bin/env python3
"""Writes fuzz_iter_bounds' seed corpus (fuzz/corpus/fuzz_iter_bounds/).

Each seed is written as the decoder (runner/oracle/input.cpp decode())
reads it: every value is one InputReader::range(), which takes its bytes from
the end of the input, most significant first (libFuzzer's FuzzedDataProvider
integrals, which defined the format). Rerun after changing decode():
    fuzz/iter_bounds/make_seeds.py fuzz/corpus/fuzz_iter_bounds
"""
import os
import sys

ARENA, FILE_PAGES, MAX_VMAS = 8192, 64, 8192
PROTS = {"---": 0, "r--": 1, "rw-": 2, "r-x": 3, "rwx": 4, "-w-": 5, "--x": 6}
ADVICE = [0, 1, 2, 3, 4, 8, 10, 11, 12, 14, 15, 16, 17, 18, 19, 21, 102, 103]
LIMITS = [0, 1, 2, 3, 7, 8, 63, 64, 65, 1000, MAX_VMAS - 1, MAX_VMAS, MAX_VMAS + 1, 0xFFFFFFFF]
# Index of each edge address in runner/oracle/input.cpp k_addrs (the last one means the arena).
ADDRS = {"0": 0, "1": 1, "0xfff": 2, "0x1000": 3, "0x400000": 4, "last_user_page": 5,
         "0x7fffffffefff": 6, "0x7fffffffffff": 7, "noncanonical": 8, "kernel_half": 9,
         "direct_map": 10, "vsyscall": 11, "vsyscall_end": 12, "0xfffffffffffff000": 13,
         "~0": 14, "arena": 15}
SCENARIO = {"layout": 0, "zombie": 17, "kthread": 33, "contended": 49}


class Enc:
    def __init__(self):
        self.stream = bytearray()

    def rng(self, lo, hi, v, width=64):
        assert lo <= v <= hi, (lo, v, hi)
        r, x = hi - lo, v - lo
        nbytes, off = 0, 0
        while off < width and (r >> off) > 0:
            nbytes += 1
            off += 8
        self.stream += x.to_bytes(nbytes, "big") if nbytes else b""

    def boolean(self, b):
        self.rng(0, 255, 1 if b else 0, 8)

    def data(self):
        return bytes(reversed(self.stream))


def off(e, v):
    if v <= 255:
        e.boolean(False)
        e.rng(0, 255, v)
    else:
        e.boolean(True)
        e.rng(0, ARENA - 1, v)


def ln(e, v):
    if v <= 16:
        e.boolean(False)
        e.rng(1, 16, v)
    else:
        e.boolean(True)
        e.rng(1, 512, v)


def seed(scenario, ops, queries):
    e = Enc()
    e.rng(0, 255, SCENARIO[scenario], 8)
    e.rng(0, 48, len(ops), 32)
    for op in ops:
        k = op[0]
        if k == "anon":  # ("anon", off, len, prot, shared)
            e.rng(0, 10, 0, 32)
            off(e, op[1]); ln(e, op[2])
            e.rng(0, len(PROTS) - 1, PROTS[op[3]])
            e.rng(0, 7, 0 if op[4] else 1, 32)
        elif k == "file":  # ("file", off, len, prot, memfd, shared, pgoff)
            e.rng(0, 10, 2, 32)
            off(e, op[1]); ln(e, op[2])
            e.rng(0, len(PROTS) - 1, PROTS[op[3]])
            e.boolean(not op[4]); e.boolean(op[5])
            e.rng(0, FILE_PAGES + 4, op[6])
        elif k == "munmap":
            e.rng(0, 10, 3, 32); off(e, op[1]); ln(e, op[2])
        elif k == "mprotect":
            e.rng(0, 10, 4, 32); off(e, op[1]); ln(e, op[2])
            e.rng(0, len(PROTS) - 1, PROTS[op[3]])
        elif k == "mremap":  # ("mremap", off, len, newlen, move_to or None)
            e.rng(0, 10, 5, 32); off(e, op[1]); ln(e, op[2]); ln(e, op[3])
            e.boolean(op[4] is not None)
            if op[4] is not None:
                off(e, op[4])
        elif k == "madvise":
            e.rng(0, 10, 6, 32); off(e, op[1]); ln(e, op[2])
            e.rng(0, len(ADVICE) - 1, ADVICE.index(op[3]))
        elif k == "many":
            e.rng(0, 10, 7, 32); off(e, op[1])
            if op[2] > 64:
                e.rng(0, 127, 0, 32); e.rng(1, 4000, op[2], 32)
            else:
                e.rng(0, 127, 1, 32); e.rng(1, 64, op[2], 32)
        elif k == "touch":
            e.rng(0, 10, 8, 32); off(e, op[1]); ln(e, op[2])
        elif k == "stack":
            e.rng(0, 10, 9, 32); e.rng(4, 2048, op[1], 32)
        else:
            raise ValueError(k)
    e.rng(1, 8, len(queries), 32)
    for q in queries:  # (kind, index, delta, raw, limit)
        kind, index, delta, raw, limit = q
        if kind == 0 and isinstance(index, str):
            index = ADDRS[index]
        e.rng(0, 9, kind, 8)
        e.rng(0, 0xFFFF, index, 16)
        e.rng(0, 4095, delta)
        if kind == 7:
            e.rng(0, 2**64 - 1, raw)
        if limit in LIMITS:
            e.rng(0, 3, 0, 32); e.rng(0, len(LIMITS) - 1, LIMITS.index(limit))
        elif limit <= 16:
            e.rng(0, 3, 1, 32); e.rng(0, 16, limit, 32)
        else:
            e.rng(0, 3, 2, 32); e.rng(0, MAX_VMAS + 8, limit, 32)
    return e.data()


ALL = 0xFFFFFFFF
# Queries relative to the layout (kind: 1 start, 2 start+delta, 3 end, 4 end-1,
# 5 middle of the gap after, 6 arena+index pages+delta, 8 after the last VMA,
# 9 start-1), for VMA `index` (mod the number of maps lines).
def around(index, limit=ALL):
    return [(1, index, 1, 0, limit), (2, index, 7, 0, limit), (3, index, 1, 0, limit),
            (4, index, 1, 0, limit), (5, index, 1, 0, limit), (9, index, 1, 0, limit)]


SEEDS = {
    "edges-empty-layout": seed("layout", [], [
        (0, "0", 1, 0, ALL), (0, "vsyscall", 1, 0, ALL), (0, "~0", 1, 0, ALL),
        (0, "last_user_page", 1, 0, ALL), (0, "kernel_half", 1, 0, 1),
        (0, "noncanonical", 1, 0, ALL), (0, "0x7fffffffffff", 1, 0, 3), (8, 0, 3, 0, ALL)]),
    "anon-merge": seed("layout", [
        ("anon", 0, 4, "rw-", False), ("anon", 4, 4, "rw-", False), ("touch", 0, 2),
        ("anon", 8, 4, "rw-", False), ("touch", 9, 1), ("anon", 12, 4, "r--", False)],
        around(0) + [(6, 0, 5, 0, ALL), (6, 8, 4095, 0, 2)]),
    "gaps-and-prots": seed("layout", [
        ("anon", 0, 200, "rw-", False), ("munmap", 10, 1), ("munmap", 50, 16),
        ("mprotect", 20, 5, "r-x"), ("mprotect", 30, 1, "---"), ("mprotect", 31, 1, "-w-"),
        ("anon", 100, 3, "rwx", True)],
        around(3) + [(6, 10, 0, 0, ALL), (6, 55, 1, 0, 4)]),
    "file-mappings": seed("layout", [
        ("file", 0, 8, "r--", False, False, 0), ("file", 8, 8, "r--", False, False, 8),
        ("file", 16, 8, "rw-", True, True, 3), ("file", 24, 16, "r-x", True, False, 60),
        ("file", 40, 4, "rw-", False, True, 64), ("touch", 0, 4)],
        around(2)[:4] + around(5, 2)[:4]),
    "mremap": seed("layout", [
        ("anon", 0, 16, "rw-", False), ("mremap", 0, 16, 32, None), ("anon", 64, 8, "r--", False),
        ("mremap", 64, 8, 4, None), ("mremap", 0, 8, 8, 200), ("anon", 300, 4, "rw-", False),
        ("mremap", 300, 4, 40, 400)],
        around(1) + [(6, 200, 3, 0, ALL), (6, 400, 0, 0, ALL)]),
    "madvise-splits": seed("layout", [
        ("anon", 0, 64, "rw-", False), ("madvise", 4, 4, 10), ("madvise", 12, 4, 14),
        ("madvise", 20, 2, 102), ("madvise", 30, 4, 18), ("madvise", 40, 4, 4),
        ("madvise", 50, 4, 16), ("madvise", 50, 2, 17)],
        around(4) + [(6, 5, 9, 0, 3)]),
    "many-3000": seed("layout", [("many", 300, 3000)],
        [(6, 300, 0, 0, ALL), (6, 1800, 2048, 0, 1000), (0, "0", 1, 0, MAX_VMAS),
         (0, "0", 1, 0, MAX_VMAS + 1), (3, 1500, 1, 0, 64), (4, 2999, 1, 0, 65)]),
    "many-limits": seed("layout", [("many", 0, 64), ("many", 100, 64)],
        [(0, "0", 1, 0, 63), (0, "0", 1, 0, 64), (0, "0", 1, 0, 65), (0, "0", 1, 0, 0),
         (6, 100, 0, 0, 1), (6, 163, 4095, 0, 2), (0, "arena", 1, 0, 100)]),
    "stack-grown": seed("layout", [("stack", 2048), ("anon", 0, 2, "rw-", False)],
        around(0xFFFF) + [(8, 0, 1, 0, ALL), (0, "0x7fffffffefff", 1, 0, ALL)]),
    "raw-addresses": seed("layout", [("anon", 0, 8, "rw-", False)],
        [(7, 0, 1, 0x1000, ALL), (7, 0, 1, 0x7FFFFFFFF123, ALL), (7, 0, 1, 0x1234567, 5),
         (7, 0, 1, 0xFFFFFFFFFF600123, ALL), (7, 0, 1, 0x800000000001, ALL),
         (7, 0, 1, 0x8000000000000000, ALL)]),
    # Start addresses a task_vma runtime regression (the start address, the
    # advance from one VMA to the next) would trip: one-page VMAs side by
    # side whose protections keep them apart, so a VMA's end is the next
    # one's start; queries exactly at a VMA's start, at the page boundary
    # between two (must not yield the first), inside one (first and last
    # byte), one byte before, at the last VMA's end and past it (nothing).
    "adjacent-one-page": seed("layout", [
        ("anon", 0, 1, "r--", False), ("anon", 1, 1, "rw-", False), ("anon", 2, 1, "r--", False),
        ("anon", 3, 1, "rw-", False), ("anon", 4, 1, "r-x", False), ("touch", 1, 1),
        ("touch", 3, 1)],
        [(6, 0, 0, 0, ALL), (6, 1, 0, 0, ALL), (6, 1, 4095, 0, 2), (6, 2, 1, 0, 1),
         (6, 4, 0, 0, 1), (6, 4, 4095, 0, ALL), (8, 0, 0, 0, ALL), (8, 0, 1, 0, ALL)]),
    # The same boundaries through maps-relative queries (VMA start, start+1,
    # end = the next start, end-1, start-1) and around an adjacent pair that
    # merges (same protection) next to one that does not.
    "adjacent-merged": seed("layout", [
        ("anon", 16, 1, "rw-", False), ("anon", 17, 1, "rw-", False), ("touch", 16, 2),
        ("anon", 18, 1, "r--", False), ("anon", 19, 1, "---", False), ("anon", 20, 2, "rw-", True)],
        [(6, 16, 0, 0, ALL), (6, 17, 0, 0, 1), (6, 18, 0, 0, 2), (6, 19, 2048, 0, ALL),
         (6, 21, 4095, 0, ALL), (1, 3, 1, 0, 3), (2, 3, 1, 0, 3), (3, 3, 1, 0, 2)]),
    # Starts at and around the other VMAs of the process (its text, heap,
    # stack, [vvar]/[vdso]): each maps line's start, start+1, end, end-1,
    # start-1, and the gap after it.
    "starts-everywhere": seed("layout", [("anon", 30, 1, "r--", False), ("anon", 31, 1, "rw-", False)],
        [(1, 0, 1, 0, ALL), (2, 1, 1, 0, ALL), (3, 2, 1, 0, ALL), (4, 3, 1, 0, ALL),
         (9, 4, 1, 0, ALL), (5, 5, 1, 0, ALL), (1, 0xFFFF, 1, 0, ALL), (8, 0, 16, 0, ALL)]),
    "zombie": seed("zombie", [], [(0, "0", 1, 0, ALL)]),
    "kthread": seed("kthread", [], [(0, "0", 1, 0, ALL)]),
    "contended": seed("contended", [("anon", 0, 32, "rw-", False), ("mprotect", 8, 8, "r--")],
        [(0, "0", 1, 0, ALL), (6, 0, 0, 0, 4), (0, "0", 1, 0, 2)]),
}

if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else "fuzz/corpus/fuzz_iter_bounds"
    os.makedirs(out, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(out, "seed-" + name), "wb") as f:
            f.write(data)
    print(f"{len(SEEDS)} seeds in {out}")
