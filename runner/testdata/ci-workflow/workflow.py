#!/usr/bin/env python3
"""Reads .github/workflows/iterconf.yml (written by ci/workflow.sh) for the
cli.ci_workflow_* tests.

  workflow.py check ROOT ITERCONF   the YAML parses; the shard matrix is
                                    "host" + the manifest's kernels x 1..SHARDS;
                                    every run: line calls only ci/*.sh scripts
                                    the README names or iterconf subcommands
                                    that answer --help; only the listed actions.
                                    One line per problem, exit 1.
  workflow.py steps ROOT            every run: line, once per matrix entry, with
                                    the ${{ }} expressions filled in (one line
                                    each: JOB<TAB>COMMAND)
"""
import itertools
import os
import re
import shlex
import subprocess
import sys

import yaml

ACTIONS = {"actions/checkout@v4", "actions/cache@v4", "actions/cache/restore@v4",
           "actions/upload-artifact@v4", "actions/download-artifact@v4"}
KEY = "hashFiles('images/kernels.toml', 'images/kernels.lock')"


def load(root):
    with open(os.path.join(root, ".github/workflows/iterconf.yml")) as f:
        return yaml.safe_load(f)


def matrix_entries(job):
    m = (job.get("strategy") or {}).get("matrix")
    if not m:
        return [{}]
    keys = sorted(m)
    return [dict(zip(keys, vals)) for vals in itertools.product(*(m[k] for k in keys))]


def fill(text, entry):
    def sub(mo):
        expr = mo.group(1).strip()
        if expr.startswith("matrix."):
            return str(entry[expr[len("matrix."):]])
        return "EXPR"
    return re.sub(r"\$\{\{(.*?)\}\}", sub, text)


def commands(line):
    """The commands of a shell line: token lists split at ; & | && ||."""
    lex = shlex.shlex(line, posix=True, punctuation_chars=True)
    lex.whitespace_split = True
    cmd, out = [], []
    for tok in lex:
        if tok and set(tok) <= set(";&|"):
            out.append(cmd)
            cmd = []
        else:
            cmd.append(tok)
    out.append(cmd)
    return [c for c in out if c]


def steps(root):
    for name, job in load(root)["jobs"].items():
        for entry in matrix_entries(job):
            for step in job.get("steps", []):
                if "run" in step:
                    for line in step["run"].splitlines():
                        if line.strip():
                            yield name, fill(line, entry)


def check(root, iterconf):
    bad = []
    wf = load(root)
    env = dict(os.environ, ITERCONF_KERNELS_MANIFEST=os.path.join(root, "images/kernels.toml"))
    names = subprocess.run([iterconf, "kernels", "names"], env=env, check=True,
                           capture_output=True, text=True).stdout.split()
    shards = int(re.search(r"^SHARDS=(\d+)$", open(os.path.join(root, "ci/workflow.sh")).read(),
                           re.M).group(1))
    jobs = wf.get("jobs", {})
    if set(jobs) != {"build", "shard", "merge"}:
        bad.append(f"jobs are {sorted(jobs)}, expected build, shard, merge")
    shard = jobs.get("shard", {})
    m = (shard.get("strategy") or {}).get("matrix", {})
    if m.get("kernel") != ["host"] + names:
        bad.append(f"matrix kernels {m.get('kernel')} != host + manifest {names}")
    if m.get("shard") != list(range(1, shards + 1)):
        bad.append(f"matrix shards {m.get('shard')} != 1..{shards}")
    got = {(e["kernel"], e["shard"]) for e in matrix_entries(shard)} if m else set()
    want = {(k, i) for k in ["host"] + names for i in range(1, shards + 1)}
    if got != want:
        bad.append(f"shard jobs {sorted(got)} != {sorted(want)}")
    if not any(f" {shards} " in " " + s.get("run", "") + " " and "shard" in s.get("run", "")
               for s in shard.get("steps", [])):
        bad.append(f"no shard step passes N={shards}")
    merge = jobs.get("merge", {})
    if "shard" not in (merge.get("needs") or []) or "always()" not in str(merge.get("if")):
        bad.append("merge must need shard and run always()")
    for name, job in jobs.items():
        for step in job.get("steps", []):
            uses = step.get("uses")
            if uses and uses not in ACTIONS:
                bad.append(f"job {name}: action {uses} is not one of {sorted(ACTIONS)}")
            if uses in ("actions/cache@v4", "actions/cache/restore@v4"):
                key = step.get("with", {}).get("key", "")
                if KEY not in key:
                    bad.append(f"job {name}: cache key {key!r} is not keyed by {KEY}")
                cache_dir = wf.get("env", {}).get("ITERCONF_CACHE_DIR", "")
                for p in step.get("with", {}).get("path", "").split():
                    if not cache_dir or not p.startswith(cache_dir + "/"):
                        bad.append(f"job {name}: cache path {p} is not under ITERCONF_CACHE_DIR")
    readme = open(os.path.join(root, "README.md")).read()
    helped = {}
    for name, line in steps(root):
        for cmd in commands(line):
            prog = cmd[0]
            if re.fullmatch(r"ci/[A-Za-z0-9_-]+\.sh", prog):
                if not os.access(os.path.join(root, prog), os.X_OK):
                    bad.append(f"job {name}: {prog} is not an executable script")
                elif prog not in readme:
                    bad.append(f"job {name}: {prog} is not named in README.md")
            elif prog == "build/runner/iterconf" and len(cmd) > 1:
                sub = cmd[1]
                if sub not in helped:
                    helped[sub] = subprocess.run([iterconf, sub, "--help"],
                                                 capture_output=True).returncode
                if helped[sub] != 0:
                    bad.append(f"job {name}: 'iterconf {sub} --help' exits {helped[sub]}")
            else:
                bad.append(f"job {name}: '{line}' runs {prog}: neither a ci/*.sh script "
                           "the README names nor an iterconf subcommand")
    for b in dict.fromkeys(bad):
        print(b)
    return 1 if bad else 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["check"] and len(sys.argv) == 4:
        sys.exit(check(sys.argv[2], sys.argv[3]))
    if sys.argv[1:2] == ["steps"] and len(sys.argv) == 3:
        for job, line in dict.fromkeys(steps(sys.argv[2])):
            print(f"{job}\t{line}")
        sys.exit(0)
    print("usage: workflow.py check ROOT ITERCONF | steps ROOT", file=sys.stderr)
    sys.exit(2)
