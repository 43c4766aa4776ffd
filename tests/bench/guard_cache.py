#!/usr/bin/env python3
"""guard_cache.py - procguard's result cache and sharding, timed (issue 13).

  guard_cache.py PROCGUARD FLOOR RESOURCE_DIR ROOT DB_DIR TUS_FILE
                 --name NAME --touch-c FILE --touch-h FILE [--runs N]
                 [--out JSON]

From ROOT, in interleaved rounds (median of N, default 5), times:
  floor     FLOOR (bench_libclang_floor): a bare libclang parse loop over
            the translation units of TUS_FILE, the same cleaned commands
  cold      procguard -p -j1 --no-cache                 target <= 1.10x floor
  cold+store procguard -p -j1 into an empty cache
  warm      procguard -p -j1, cache warm, tree unchanged target <= 5% of cold
  touch .c  one line appended to --touch-c, then procguard -p -j1 (cached)
  touch .h  one line appended to --touch-h, then procguard -p -j1 (cached)
  shards    procguard -p -j1 --no-cache --shard K/4 for K = 1..4 and
            `procguard merge`: the sum of the four shards' times
                                                      target <= 1.10x cold
Ratios are medians of per-round ratios (each round runs every command
once, so both sides of a ratio ran under the same load). It reports how
many translation units each run parsed (--cache-stats)
and whether the merged JSON is byte-identical to the unsharded JSON. The
touched files are restored afterwards. Speed is reported, not asserted; the
exit status is 1 only when something could not be measured or the merged
output differs.
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

PARSED = re.compile(rb"libclang parsed (\d+) translation units")


def timed(cmd, cwd):
    t = time.perf_counter()
    r = subprocess.run(cmd, cwd=cwd, capture_output=True)
    dt = time.perf_counter() - t
    if r.returncode not in (0, 1):
        sys.exit("guard_cache.py: %s failed (exit %d): %s" % (
            " ".join(cmd), r.returncode, r.stderr[-400:].decode(errors="replace")))
    m = PARSED.search(r.stderr)
    return dt, (int(m.group(1)) if m else None), r.stdout


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for a in ("pg", "floor", "resource_dir", "root", "db", "tus"):
        ap.add_argument(a)
    ap.add_argument("--name", required=True)
    ap.add_argument("--touch-c", required=True)
    ap.add_argument("--touch-h", required=True)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--out")
    a = ap.parse_args()
    root = os.path.realpath(a.root)
    db = os.path.realpath(a.db)
    pg = [os.path.realpath(a.pg), "-p", db, "-j1"]
    tmp = tempfile.mkdtemp(prefix="guard-cache-")
    warm, cold_dir = os.path.join(tmp, "warm"), os.path.join(tmp, "cold")
    saved = {}
    for f in (a.touch_c, a.touch_h):
        with open(os.path.join(root, f), "rb") as fh:
            saved[f] = fh.read()
    times = {k: [] for k in ("floor", "cold", "cold_store", "warm", "touch_c",
                             "touch_h", "shards")}
    parsed = {}
    identical = True
    stats = ["--cache-stats"]
    try:
        timed(pg + ["--cache-dir", warm], root)  # warm the cache once
        for rnd in range(a.runs):
            dt, n, _ = timed([os.path.realpath(a.floor), db, a.resource_dir,
                              os.path.realpath(a.tus)], root)
            times["floor"].append(dt)
            parsed["floor"] = n
            dt, n, unsharded = timed(pg + ["--no-cache", "--format", "json"]
                                     + stats, root)
            times["cold"].append(dt)
            parsed["cold"] = n
            shutil.rmtree(cold_dir, ignore_errors=True)
            dt, n, _ = timed(pg + ["--cache-dir", cold_dir] + stats, root)
            times["cold_store"].append(dt)
            parsed["cold_store"] = n
            dt, n, _ = timed(pg + ["--cache-dir", warm] + stats, root)
            times["warm"].append(dt)
            parsed["warm"] = n
            for key, f in (("touch_c", a.touch_c), ("touch_h", a.touch_h)):
                with open(os.path.join(root, f), "ab") as fh:
                    fh.write(b"/* touched %d */\n" % rnd)
                # as any edit is, before the run (a file modified during
                # a run is parsed but not stored)
                past = time.time() - 1
                os.utime(os.path.join(root, f), (past, past))
                dt, n, _ = timed(pg + ["--cache-dir", warm] + stats, root)
                times[key].append(dt)
                parsed[key] = n
            total, reports = 0.0, []
            for k in range(1, 5):
                dt, _, out = timed(pg + ["--no-cache", "--format", "json",
                                         "--shard", "%d/4" % k], root)
                total += dt
                path = os.path.join(tmp, "shard%d.json" % k)
                with open(path, "wb") as fh:
                    fh.write(out)
                reports.append(path)
            times["shards"].append(total)
            _, _, merged = timed([pg[0], "merge", "--format", "json"] + reports,
                                 root)
            identical = identical and merged == unsharded
    finally:
        for f, data in saved.items():
            with open(os.path.join(root, f), "wb") as fh:
                fh.write(data)
        shutil.rmtree(tmp, ignore_errors=True)
    med = {k: statistics.median(v) for k, v in times.items()}
    rows = [
        ("floor", "bare libclang parse loop", None, None),
        ("cold", "procguard -p -j1 --no-cache", "floor", 1.10),
        ("cold_store", "procguard -p -j1, empty cache", "cold", None),
        ("warm", "procguard -p -j1, warm, unchanged", "cold", 0.05),
        ("touch_c", "touch %s" % a.touch_c, "cold", None),
        ("touch_h", "touch %s" % a.touch_h, "cold", None),
        ("shards", "4 shards, sum", "cold", 1.10),
    ]
    print("== guard cache: %s (%d rounds, median)" % (a.name, a.runs))
    result = {"name": a.name, "runs": a.runs, "rows": []}
    for key, what, base, target in rows:
        # paired: the median of per-round ratios (same round, same load)
        ratio = statistics.median(x / y for x, y in zip(times[key],
                                                        times[base])) \
            if base else None
        verdict = ("" if target is None else
                   "  target <= %.2fx: %s" % (target, "met" if ratio <= target
                                              else "MISSED"))
        print("  %-40s %8.3f s %s parsed %-4s%s" % (
            what, med[key], "%6.3fx %-5s" % (ratio, base) if base else " " * 13,
            parsed.get(key, "-") if parsed.get(key) is not None else "-",
            verdict))
        result["rows"].append({"key": key, "what": what, "median_s": med[key],
                               "min_s": min(times[key]),
                               "max_s": max(times[key]),
                               "ratio_to": base, "ratio": ratio,
                               "target": target, "parsed": parsed.get(key)})
    print("  merged 4-shard JSON byte-identical to unsharded: %s"
          % ("yes" if identical else "NO"))
    result["merged_identical"] = identical
    if a.out:
        with open(a.out, "w") as fh:
            json.dump(result, fh, indent=1)
            fh.write("\n")
    return 0 if identical else 1


if __name__ == "__main__":
    sys.exit(main())
