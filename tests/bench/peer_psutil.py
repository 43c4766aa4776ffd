#!/usr/bin/env python3
"""peer_psutil.py - what a Python user would reach for instead of libprocid.

Times psutil.Process(pid).is_running() per call with timeit, in batches
interleaved with os.kill(pid, 0) (the same interpreter's cheapest call that
names a process), and writes a result file in the format the C benchmarks
write (see stats.h).

usage: peer_psutil.py PID [-k BATCHES] [-m CALLS] [-o JSON_FILE]
"""
import argparse
import json
import os
import platform
import statistics
import sys
import timeit


def paired_ratio(a, b):
    return statistics.median(x / y for x, y in zip(a, b) if y > 0)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pid", type=int)
    ap.add_argument("-k", "--batches", type=int, default=31)
    ap.add_argument("-m", "--calls", type=int, default=500)
    ap.add_argument("-o", "--json")
    args = ap.parse_args()

    try:
        import psutil
    except ImportError:
        sys.exit("peer_psutil.py: no psutil for %s (Debian: apt-get install "
                 "python3-psutil)" % sys.executable)

    pid = args.pid
    g = {"psutil": psutil, "os": os, "pid": pid}
    subjects = [
        ("psutil_is_running", "psutil.Process(pid).is_running() [py]",
         "peer", "py_kill", "psutil.Process(pid).is_running()"),
        ("py_kill", "os.kill(pid, 0) [py]", "floor", "py_kill",
         "os.kill(pid, 0)"),
    ]
    timers = {name: timeit.Timer(stmt, globals=g)
              for name, _, _, _, stmt in subjects}
    if not psutil.Process(pid).is_running():
        sys.exit("peer_psutil.py: pid %d does not run" % pid)
    for t in timers.values():
        t.timeit(args.calls)  # warm up

    samples = {name: [] for name in timers}
    names = list(timers)
    for k in range(args.batches):
        for i in range(len(names)):
            name = names[(i + k) % len(names)]
            ns = timers[name].timeit(args.calls) * 1e9 / args.calls
            samples[name].append(ns)

    rows = []
    for name, label, kind, base, _ in subjects:
        s = samples[name]
        rows.append({"name": name, "label": label, "kind": kind,
                     "baseline": base, "median": statistics.median(s),
                     "min": min(s), "max": max(s),
                     "ratio": paired_ratio(s, samples[base]),
                     "maxrss_kb": -1, "samples": s})
        print("  %-44s %10.0f ns" % (label, statistics.median(s)))
    doc = {"benchmark": "psutil", "unit": "ns",
           "meta": {"python": platform.python_version(),
                    "psutil": psutil.__version__, "pid": pid,
                    "batches": args.batches, "calls": args.calls},
           "rows": rows}
    if args.json:
        with open(args.json, "w") as f:
            json.dump(doc, f, indent=1)
            f.write("\n")


if __name__ == "__main__":
    main()
