#!/usr/bin/env python3
"""guard_compare.py - two procguard binaries on one input, side by side: the
median of RUNS whole-process runs per case, each case run by both binaries
before the next case, from the input's root.

  guard_compare.py ROOT BEFORE AFTER [--runs N]

Used for the dense input (guard_inputs.py dense DIR): before/after numbers
for a change, on the same machine in the same session. Cases: -p as text,
-p as SARIF, tree-sitter only.
"""
import argparse
import statistics
import subprocess
import time

CASES = [("text", ["-p", ".", "-j1"]),
         ("sarif", ["-p", ".", "-j1", "--format", "sarif"]),
         ("tree-sitter", [])]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("root")
    ap.add_argument("before")
    ap.add_argument("after")
    ap.add_argument("--runs", type=int, default=5)
    a = ap.parse_args()
    for case, args in CASES:
        for name, binary in (("before", a.before), ("after", a.after)):
            times = []
            for _ in range(a.runs):
                t = time.perf_counter()
                r = subprocess.run([binary] + args, cwd=a.root,
                                   stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
                times.append(time.perf_counter() - t)
            print("%-12s %-7s median %.3f s (min %.3f, max %.3f, %d runs, "
                  "exit %d)" % (case, name, statistics.median(times),
                                min(times), max(times), a.runs, r.returncode),
                  flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
