#!/usr/bin/env python3
"""report.py - merge benchmark result files into one table and results.json.

Each input is a file written by bench_runtime, bench_spawn, peer_psutil.py
(or any benchmark using the same format: {"benchmark", "meta", "rows": [{
"name", "label", "kind", "baseline", "samples", "maxrss_kb", ...}]}).
Files of the same benchmark (several rounds) are pooled: medians over all
samples; ratios are the median of per-batch ratios, each batch divided by
the baseline batch measured next to it in the same file.

Cross-benchmark comparisons and the issue's targets are declared below in
COMPARISONS and TARGETS; a benchmark that was not run leaves its targets
"not run".

usage: report.py -o RESULTS_JSON [--machine TEXT] [--command TEXT] FILE...
"""
import argparse
import json
import statistics
import sys
from collections import OrderedDict

# (key, label, numerator "bench/name", denominator "bench/name"): rows
# measured by different programs. When both ran the same number of rounds
# (ci/bench.sh alternates them), the ratio of the two medians is taken round
# by round and the median of those is reported; otherwise the ratio of the
# pooled medians.
COMPARISONS = [
    ("psutil_vs_check", "psutil is_running / procid_check (ino)",
     "psutil/psutil_is_running", "runtime/check_ino"),
    ("psutil_vs_handle", "psutil is_running / procid_handle_alive",
     "psutil/psutil_is_running", "runtime/handle_alive"),
]

# The guard benchmark's inputs (ci/bench.sh bench_guard): rows are
# "<input>_<tool>", all of one input timed side by side by one bench_spawn.
GUARD_INPUTS = ["repo", "corpus", "thirdparty"]
for _i in GUARD_INPUTS:
    COMPARISONS += [
        (_i + "_j1_over_j2", _i + ": procguard -j1 / -j2",
         "guard/%s_pg_j1" % _i, "guard/%s_pg_j2" % _i),
        (_i + "_tidy_over_j1", _i + ": clang-tidy / procguard -j1",
         "guard/%s_tidy" % _i, "guard/%s_pg_j1" % _i),
        (_i + "_tidy_over_j2", _i + ": clang-tidy / procguard -j2",
         "guard/%s_tidy" % _i, "guard/%s_pg_j2" % _i),
        (_i + "_j1_over_ts", _i + ": procguard -j1 / tree-sitter only",
         "guard/%s_pg_j1" % _i, "guard/%s_pg_ts" % _i),
    ]

# (label, "bench/name" of a row or comparison, field, op, limit, unit)
# field "ratio": the row's paired ratio to its baseline; "median": ns.
TARGETS = [
    ("verified check <= 0.8x the /proc read floor",
     "runtime/check_ino", "ratio", "<=", 0.8, "x"),
    ("held-handle liveness <= 0.3 us",
     "runtime/handle_alive", "median", "<=", 300.0, "ns"),
    (">= 2.5x faster than psutil is_running",
     "compare/psutil_vs_check", "ratio", ">=", 2.5, "x"),
    ("procid status within 1.5x of /bin/true (process)",
     "process/procid_status", "ratio", "<=", 1.5, "x"),
    # the Python package (bench_python.py): psutil rows' baseline is
    # procid.check, procid rows' is os.kill, all in the same batches
    ("Python: procid.check >= 3x faster than psutil is_running",
     "python/psutil_is_running", "ratio", ">=", 3.0, "x"),
    ("Python: Handle.alive() within 2x of os.kill(pid, 0)",
     "python/py_handle_alive", "ratio", "<=", 2.0, "x"),
]
for _i in GUARD_INPUTS:
    TARGETS += [
        (_i + ": semantic -j1 <= 1.15x clang -fsyntax-only",
         "guard/%s_pg_j1" % _i, "ratio", "<=", 1.15, "x"),
        (_i + ": -j2 >= 1.7x faster than -j1",
         "compare/%s_j1_over_j2" % _i, "ratio", ">=", 1.7, "x"),
        (_i + ": >= 1.3x faster than clang-tidy (-j1)",
         "compare/%s_tidy_over_j1" % _i, "ratio", ">=", 1.3, "x"),
        (_i + ": tree-sitter only >= 10x faster than -j1",
         "compare/%s_j1_over_ts" % _i, "ratio", ">=", 10.0, "x"),
        (_i + ": pre-commit (5 files) < 300 ms",
         "guard/%s_pg_5" % _i, "median", "<=", 300e6, "ns"),
    ]


# Sections in the table: the runtime ones first, then anything else.
ORDER = ["runtime", "psutil", "python", "process", "guard"]


def section_order(item):
    name = item[0]
    return (ORDER.index(name) if name in ORDER else len(ORDER), name)


def fmt_ns(ns):
    if ns >= 1e6:
        return "%.2f ms" % (ns / 1e6)
    if ns >= 1e3:
        return "%.2f us" % (ns / 1e3)
    return "%.0f ns" % ns


def pool(files):
    """benchmark -> OrderedDict name -> merged row."""
    benches = OrderedDict()
    for path in files:
        with open(path) as f:
            doc = json.load(f)
        b = benches.setdefault(doc["benchmark"],
                               {"meta": doc.get("meta", {}), "files": [],
                                "rows": OrderedDict()})
        b["files"].append(path)
        by_name = {r["name"]: r for r in doc["rows"]}
        for r in doc["rows"]:
            m = b["rows"].setdefault(r["name"], {
                "name": r["name"], "label": r["label"], "kind": r["kind"],
                "baseline": r["baseline"], "samples": [], "ratios": [],
                "maxrss": [], "round_medians": []})
            m["samples"].extend(r["samples"])
            m["round_medians"].append(statistics.median(r["samples"]))
            base = by_name[r["baseline"]]["samples"]
            m["ratios"].extend(x / y for x, y in zip(r["samples"], base)
                               if y > 0)
            if r.get("maxrss_kb", -1) >= 0:
                m["maxrss"].append(r["maxrss_kb"])
    for b in benches.values():
        for m in b["rows"].values():
            s = m["samples"]
            m.update(median=statistics.median(s), min=min(s), max=max(s),
                     n=len(s), ratio=statistics.median(m["ratios"]),
                     maxrss_kb=(statistics.median(m["maxrss"])
                                if m["maxrss"] else None))
            del m["ratios"], m["maxrss"]
    return benches


def compare(benches):
    out = OrderedDict()
    for key, label, num, den in COMPARISONS:
        nb, nn = num.split("/")
        db, dn = den.split("/")
        try:
            a = benches[nb]["rows"][nn]
            b = benches[db]["rows"][dn]
        except KeyError:
            continue
        ra, rb = a["round_medians"], b["round_medians"]
        if nb == db and len(a["samples"]) == len(b["samples"]):
            # one program timed both in the same rounds: pair them
            ratio = statistics.median(x / y for x, y in
                                      zip(a["samples"], b["samples"]))
            how = "median of %d paired ratios" % len(a["samples"])
        elif len(ra) == len(rb) > 1:
            ratio = statistics.median(x / y for x, y in zip(ra, rb))
            how = "median of %d per-round ratios" % len(ra)
        else:
            ratio, how = a["median"] / b["median"], "ratio of medians"
        out[key] = {"name": key, "label": label, "numerator": num,
                    "denominator": den, "ratio": ratio, "method": how}
    return out


def judge(benches, comps):
    res = []
    for label, ref, field, op, limit, unit in TARGETS:
        bench, name = ref.split("/")
        row = (comps.get(name) if bench == "compare"
               else benches.get(bench, {}).get("rows", {}).get(name))
        t = {"target": label, "ref": ref, "field": field, "op": op,
             "limit": limit, "unit": unit}
        if row is None:
            t.update(value=None, met=None)
        else:
            v = row[field]
            t.update(value=v, met=(v <= limit) if op == "<=" else
                     (v >= limit))
        res.append(t)
    return res


def print_table(benches, comps, targets):
    w = 48
    print("%-*s %10s %10s %10s %8s  %s" % (w, "operation", "median", "min",
                                           "max", "ratio", "vs"))
    for bname, b in sorted(benches.items(), key=section_order):
        print("-- %s (%s)" % (bname, ", ".join(
            "%s=%s" % kv for kv in b["meta"].items() if kv[0] != "pid")))
        for m in b["rows"].values():
            extra = (" [max RSS %d kB]" % m["maxrss_kb"]
                     if m["maxrss_kb"] is not None else "")
            print("%-*s %10s %10s %10s %7.2fx  %s%s" % (
                w, m["label"][:w], fmt_ns(m["median"]), fmt_ns(m["min"]),
                fmt_ns(m["max"]), m["ratio"],
                "itself" if m["name"] == m["baseline"] else m["baseline"],
                extra))
    if comps:
        print("-- comparisons (ratio of times: numerator / denominator)")
        for c in comps.values():
            print("%-*s %10s %10s %10s %7.2fx  %s" % (
                w, c["label"][:w], "", "", "", c["ratio"], c["method"]))
    print()
    print("targets")
    for t in targets:
        if t["met"] is None:
            verdict, val = "NOT RUN", "-"
        else:
            verdict = "met" if t["met"] else "MISSED"
            val = ("%.2fx" % t["value"] if t["unit"] == "x"
                   else fmt_ns(t["value"]))
        print("  %-52s %10s  %s" % (t["target"], val, verdict))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("--machine", default="")
    ap.add_argument("--command", default="")
    ap.add_argument("files", nargs="+")
    args = ap.parse_args()

    benches = pool(args.files)
    comps = compare(benches)
    targets = judge(benches, comps)
    print_table(benches, comps, targets)
    doc = {"machine": args.machine, "command": args.command,
           "benchmarks": benches, "comparisons": comps, "targets": targets}
    with open(args.output, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    return 0  # speed is reported, never a failure: see "targets"


if __name__ == "__main__":
    sys.exit(main())
