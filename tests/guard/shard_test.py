#!/usr/bin/env python3
"""--shard K/N and `procguard merge` (issue 13) against the real thing:
for every fixture, with -p and without, and for a generated corpus, the
--format json reports of shards 1..N (N = 1..7) merged give byte for byte
what the unsharded run prints, as JSON, text and SARIF, with its exit
status; every translation unit is parsed by exactly one shard; a missing,
repeated or damaged shard report is refused (exit 2, naming it).

usage: shard_test.py PROCGUARD FIXTURES_DIR GUARD_INPUTS_PY
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

PG, FIXTURES, INPUTS = (os.path.abspath(a) for a in sys.argv[1:4])
problems = []


def check(cond, what):
    if not cond:
        problems.append(what)
        print("not ok - " + what)
    return cond


def pg(repo, *args):
    cache = [] if args and args[0] == "merge" else ["--no-cache"]
    return subprocess.run([PG] + cache + list(args), cwd=repo,
                          capture_output=True)


def fixture_copy(src, dst):
    shutil.copytree(src, dst, symlinks=True)
    inp = os.path.join(dst, "compile_commands.in.json")
    if os.path.exists(inp):
        os.makedirs(os.path.join(dst, "build"), exist_ok=True)
        with open(inp) as f:
            text = f.read().replace("@ROOT@", dst)
        with open(os.path.join(dst, "build", "compile_commands.json"), "w") as f:
            f.write(text)


def units(out):
    try:
        return json.loads(out)["summary"]["clang_translation_units"]
    except (ValueError, KeyError):
        return None


def shards_merge(name, repo, mode, counts, outdir):
    tag = "%s %s" % (name, " ".join(mode) or "tree-sitter")
    want = {f: pg(repo, *mode, "--format", f) for f in ("json", "text", "sarif")}
    for n in counts:
        reports, tus = [], 0
        for k in range(1, n + 1):
            r = pg(repo, *mode, "--format", "json", "--shard", "%d/%d" % (k, n))
            path = os.path.join(outdir, "%s-%d-%d.json" % (name, k, n))
            with open(path, "wb") as f:
                f.write(r.stdout)
            reports.append(path)
            tus += units(r.stdout) or 0
        if want["json"].returncode != 2:
            check(tus == units(want["json"].stdout),
                  "%s: %d shards parsed %d units, unsharded %s"
                  % (tag, n, tus, units(want["json"].stdout)))
        for fmt, w in want.items():
            m = pg(repo, "merge", "--format", fmt, *reports[::-1])
            diff = [(a, b) for a, b in zip(m.stdout.split(b"\n"),
                                           w.stdout.split(b"\n")) if a != b]
            check(m.stdout == w.stdout and m.returncode == w.returncode,
                  "%s: %d shards merged as %s differ from the unsharded run "
                  "(exit %d vs %d) %r %r" % (tag, n, fmt, m.returncode,
                                             w.returncode, m.stderr[-300:],
                                             diff[:1]))
    return reports


def refusals(repo, reports):
    # reports: shards 1..3 of 3
    m = pg(repo, "merge", reports[0], reports[1])
    check(m.returncode == 2 and b"exactly once" in m.stderr,
          "merge of 2 of 3 shards is refused: %r" % m.stderr)
    m = pg(repo, "merge", reports[0], reports[0], reports[1])
    check(m.returncode == 2 and b"the same shard twice" in m.stderr,
          "merge of a repeated shard is refused: %r" % m.stderr)
    bad = reports[2] + ".bad"
    with open(reports[2], "rb") as f:
        data = bytearray(f.read())
    at = data.index(b'"shard_state": "') + 40
    data[at] = ord("A") if data[at] != ord("A") else ord("B")
    with open(bad, "wb") as f:
        f.write(data)
    m = pg(repo, "merge", reports[0], reports[1], bad)
    check(m.returncode == 2 and bad.encode() in m.stderr and
          b"damaged" in m.stderr,
          "merge of a damaged report is refused naming it: %r" % m.stderr)
    m = pg(repo, "merge", os.path.join(repo, "nonexistent.json"))
    check(m.returncode == 2 and b"nonexistent.json" in m.stderr,
          "merge of a missing file names it: %r" % m.stderr)


def main():
    with tempfile.TemporaryDirectory() as tmp:
        outdir = os.path.join(tmp, "out")
        os.makedirs(outdir)
        for name in sorted(os.listdir(FIXTURES)):
            repo = os.path.join(tmp, "fx", name)
            fixture_copy(os.path.join(FIXTURES, name), repo)
            modes = [[]]
            if os.path.exists(os.path.join(repo, "build")):
                modes.insert(0, ["-p", "build"])
            for mode in modes:
                shards_merge(name, repo, mode, range(1, 8), outdir)
        corpus = os.path.join(tmp, "corpus")
        subprocess.run([sys.executable, INPUTS, "corpus", corpus, "--tus", "12"],
                       check=True, capture_output=True)
        shards_merge("corpus", corpus, ["-p", "."], [4], outdir)
        refusals(corpus, shards_merge("corpus", corpus, ["-p", "."], [3],
                                      outdir))
    print("%d problems" % len(problems))
    sys.exit(1 if problems else 0)


main()
