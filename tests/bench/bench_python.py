#!/usr/bin/env python3
"""bench_python.py - the procid Python package against what a Python user
would write instead, on one live process, in the same interpreter.

Times per call, with timeit, in batches that interleave (the order rotates
every batch): procid.check(ident) for the pidfile's identity,
Handle.alive() on a held handle, psutil.Process(pid).is_running(),
psutil.Process(pid).create_time(), and os.kill(pid, 0), the cheapest call
that names a process. Each row's ratio is the median of per-batch ratios to
its baseline measured in the same batch: procid rows against os.kill,
psutil rows against procid.check (so their ratio is procid's speed-up).
Writes a result file in the format of the C benchmarks (see stats.h).

usage: bench_python.py PID PIDFILE [-k BATCHES] [-m CALLS] [-o JSON_FILE]
(the procid package and libprocid as the tests find them: PYTHONPATH,
PROCID_LIBRARY)
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
    ap.add_argument("pidfile")
    ap.add_argument("-k", "--batches", type=int, default=31)
    ap.add_argument("-m", "--calls", type=int, default=2000)
    ap.add_argument("-o", "--json")
    args = ap.parse_args()

    import procid
    try:
        import psutil
    except ImportError:
        psutil = None
        print("bench_python.py: no psutil for %s: psutil rows skipped "
              "(Debian: apt-get install python3-psutil)" % sys.executable,
              file=sys.stderr)

    pid = args.pid
    ident = procid.read_pidfile(args.pidfile)
    if ident.pid != pid or procid.check(ident) is not procid.State.RUNNING:
        sys.exit("bench_python.py: %s does not record running pid %d"
                 % (args.pidfile, pid))
    handle = procid.open(ident)
    g = {"procid": procid, "psutil": psutil, "os": os, "pid": pid,
         "ident": ident, "handle": handle}
    # (name, label, kind, baseline, statement)
    subjects = [
        ("py_kill", "os.kill(pid, 0) [py]", "floor", "py_kill",
         "os.kill(pid, 0)"),
        ("py_check", "procid.check(ident) [py]", "subject", "py_kill",
         "procid.check(ident)"),
        ("py_handle_alive", "procid Handle.alive() [py]", "subject",
         "py_kill", "handle.alive()"),
    ]
    if psutil is not None:
        subjects += [
            ("psutil_is_running", "psutil.Process(pid).is_running() [py]",
             "peer", "py_check", "psutil.Process(pid).is_running()"),
            ("psutil_create_time", "psutil.Process(pid).create_time() [py]",
             "peer", "py_check", "psutil.Process(pid).create_time()"),
        ]
    timers = {s[0]: timeit.Timer(s[4], globals=g) for s in subjects}
    for t in timers.values():
        t.timeit(args.calls)  # warm up

    samples = {name: [] for name in timers}
    names = list(timers)
    for k in range(args.batches):
        for i in range(len(names)):
            name = names[(i + k) % len(names)]
            samples[name].append(timers[name].timeit(args.calls) * 1e9
                                 / args.calls)
    handle.close()

    rows = []
    for name, label, kind, base, _ in subjects:
        s = samples[name]
        rows.append({"name": name, "label": label, "kind": kind,
                     "baseline": base, "median": statistics.median(s),
                     "min": min(s), "max": max(s),
                     "ratio": paired_ratio(s, samples[base]),
                     "maxrss_kb": -1, "samples": s})
        print("  %-44s %10.0f ns" % (label, statistics.median(s)))
    doc = {"benchmark": "python", "unit": "ns",
           "meta": {"python": platform.python_version(),
                    "psutil": psutil.__version__ if psutil else "absent",
                    "libprocid": procid.library_version, "pid": pid,
                    "batches": args.batches, "calls": args.calls},
           "rows": rows}
    if args.json:
        with open(args.json, "w") as f:
            json.dump(doc, f, indent=1)
            f.write("\n")


if __name__ == "__main__":
    main()
