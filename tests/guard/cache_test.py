#!/usr/bin/env python3
"""The result cache (issue 13) against the real procguard, libclang and
files: whatever the cache holds, the answer is the uncached one.

  differential   every fixture and a generated corpus, a seeded random
                 sequence of edits (a literal, an ack, a header, a macro, a
                 compile flag, the allowlist): after every step procguard
                 with the cache (-p and without) prints byte for byte what
                 --no-cache prints, with the same exit status
  incremental    an unchanged tree parses nothing; touching one .c parses
                 that translation unit; touching the shared header parses
                 every unit that includes it
  corruption     entries flipped, truncated and deleted between runs: same
                 output, the bad ones counted as corrupt in --cache-stats
                 and rebuilt
  concurrency    four runs at once on one empty cache: all correct
  cap            --cache-size: the cache stays under it, oldest out
  bad dir        an unusable --cache-dir is exit 2 naming it

usage: cache_test.py PROCGUARD FIXTURES_DIR GUARD_INPUTS_PY [SEED]
"""
import json
import os
import random
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

PG, FIXTURES, INPUTS = (os.path.abspath(a) for a in sys.argv[1:4])
SEED = int(sys.argv[4]) if len(sys.argv) > 4 else 13
# portability: text the edits write into and take out of C sources; never opened
PROC = "/proc"
problems = []


def check(cond, what):
    if not cond:
        problems.append(what)
        print("not ok - " + what)
    return cond


def run(repo, args, cache=None, stats=False):
    cmd = [PG, "--format", "json"] + args
    cmd += ["--cache-dir", cache] if cache else ["--no-cache"]
    if stats:
        cmd.append("--cache-stats")
    r = subprocess.run(cmd, cwd=repo, capture_output=True)
    return r


STATS = re.compile(rb"(\d+) hits, (\d+) misses, (\d+) corrupt entries rebuilt"
                   rb".*; (\d+) entries, (\d+) bytes in .*libclang parsed "
                   rb"(\d+) translation units, tree-sitter (\d+) files")


def stats(r):
    m = STATS.search(r.stderr)
    if m is None:
        raise SystemExit("no cache statistics on stderr: %r" % r.stderr[-400:])
    k = ("hits", "misses", "corrupt", "entries", "size", "parsed", "scanned")
    return dict(zip(k, (int(x) for x in m.groups())))


def fixture_copy(src, dst):
    shutil.copytree(src, dst, symlinks=True)
    inp = os.path.join(dst, "compile_commands.in.json")
    if os.path.exists(inp):
        os.makedirs(os.path.join(dst, "build"), exist_ok=True)
        with open(inp) as f:
            text = f.read().replace("@ROOT@", dst)
        with open(os.path.join(dst, "build", "compile_commands.json"), "w") as f:
            f.write(text)


def files(repo, exts):
    out = []
    for d, dirs, fs in os.walk(repo):
        dirs[:] = [x for x in dirs if x not in (".git", "build")]
        out += [os.path.join(d, f) for f in fs if f.endswith(exts)]
    return sorted(out)


def rewrite(path, fn):
    with open(path, errors="surrogateescape") as f:
        text = f.read()
    new = fn(text)
    with open(path, "w", errors="surrogateescape") as f:
        f.write(new)
    # an edit made just now would be too new to store (cache.h): date it a
    # second back, as any edit is before the run that checks it
    past = time.time() - 1
    os.utime(path, (past, past))
    return new != text


# ---- the edits: each changes the tree the way a developer would ----------

def edit_literal(rng, repo, step):
    src = files(repo, (".c", ".cc", ".cpp", ".h", ".py"))
    if not src:
        return "no source"
    p = rng.choice(src)
    if p.endswith(".py"):
        line = 'EDIT_%d = "/proc/edit/%d"\n' % (step, step)
    else:
        line = 'const char *edit_%d = "/proc/edit/%d";\n' % (step, step)
    if rng.random() < 0.5:
        rewrite(p, lambda t: t.replace('"/proc/', '"/tmp/', 1))
        return "literal out of " + os.path.relpath(p, repo)
    rewrite(p, lambda t: t + line)
    return "literal into " + os.path.relpath(p, repo)


def edit_ack(rng, repo, step):
    src = files(repo, (".c", ".cc", ".cpp", ".h", ".py"))
    if not src:
        return "no source"
    p = rng.choice(src)
    py = p.endswith(".py")

    def flip(t):
        if "portability:" in t and rng.random() < 0.5:
            return t.replace("portability:", "note:", 1)
        lines = t.split("\n")
        idx = [i for i, l in enumerate(lines) if PROC in l]
        if not idx:
            return t
        i = rng.choice(idx)
        lines[i] += ("  # portability: edit %d" if py
                     else " /* portability: edit %d */") % step
        return "\n".join(lines)
    rewrite(p, flip)
    return "ack in " + os.path.relpath(p, repo)


def edit_header(rng, repo, step):
    hs = files(repo, (".h", ".hpp"))
    if not hs:
        return edit_literal(rng, repo, step)
    p = rng.choice(hs)
    rewrite(p, lambda t: t + '\nstatic const char *hdr_%d = "/proc/h%d";\n'
            % (step, step))
    return "header " + os.path.relpath(p, repo)


def edit_macro(rng, repo, step):
    src = files(repo, (".c", ".cc", ".cpp", ".h"))
    cands = []
    for p in src:
        with open(p, errors="surrogateescape") as f:
            if re.search(r'#\s*define\s+\w+\s+"', f.read()):
                cands.append(p)
    if not cands:
        return edit_header(rng, repo, step)
    p = rng.choice(cands)

    def swap(t):
        m = list(re.finditer(r'(#\s*define\s+\w+\s+)"(%s|/tmp)' % PROC, t))
        if not m:
            return t
        x = rng.choice(m)
        to = "/tmp" if x.group(2) == PROC else PROC
        return t[:x.start(2)] + to + t[x.end(2):]
    rewrite(p, swap)
    return "macro in " + os.path.relpath(p, repo)


def edit_flag(rng, repo, step):
    db = os.path.join(repo, "build", "compile_commands.json")
    if not os.path.exists(db):
        db = os.path.join(repo, "compile_commands.json")
    if not os.path.exists(db):
        return edit_macro(rng, repo, step)
    with open(db, encoding="utf-8-sig") as f:
        try:
            entries = json.load(f)
        except ValueError:
            return "database not JSON"
    if not entries:
        return "empty database"
    flag = rng.choice(["-D__FreeBSD__", "-DEDIT_%d" % step, "-DNDEBUG",
                       '-DPROC_ROOT="/proc/flag"'])
    e = rng.choice(entries)
    if "arguments" in e:
        e["arguments"].insert(1, flag)
    else:
        e["command"] = e["command"].replace(" ", " " + shlex.quote(flag) + " ",
                                            1)
    with open(db, "w") as f:
        json.dump(entries, f, indent=1)
    return "flag %s on %s" % (flag, e["file"])


def edit_allowlist(rng, repo, step):
    al = os.path.join(repo, "allowlist", "proc.allow")
    if not os.path.exists(al):
        os.makedirs(os.path.dirname(al), exist_ok=True)
        open(al, "w").close()
    src = [os.path.relpath(p, repo) for p in
           files(repo, (".c", ".cc", ".cpp", ".h", ".py"))]

    def change(t):
        lines = [l for l in t.split("\n") if l.strip()]
        entries = [i for i, l in enumerate(lines) if not l.startswith("#")]
        if entries and rng.random() < 0.5:
            del lines[rng.choice(entries)]
        elif src:
            lines.append("%s   edit %d" % (rng.choice(src), step))
        return "\n".join(lines) + "\n"
    rewrite(al, change)
    return "allowlist"


EDITS = [edit_literal, edit_ack, edit_header, edit_macro, edit_flag,
         edit_allowlist]


changed_steps = [0, 0]  # steps that changed the uncached output, steps


def differential(name, repo, steps, rng, cache):
    last = None
    modes = [[]]
    for d in ("build", "."):
        if os.path.exists(os.path.join(repo, d, "compile_commands.json")):
            modes = [["-p", d], []]
            break
    for step in range(steps + 1):
        what = "start" if step == 0 else rng.choice(EDITS)(rng, repo, step)
        outs = []
        for mode in modes:
            on = run(repo, mode, cache)
            off = run(repo, mode)
            outs.append(off.stdout)
            tag = "%s step %d (%s) %s" % (name, step, what,
                                          " ".join(mode) or "tree-sitter")
            if not check(on.stdout == off.stdout and
                         on.returncode == off.returncode,
                         "differential %s: cached exit %d, uncached exit %d"
                         % (tag, on.returncode, off.returncode)):
                print("  cached stderr: %r\n  uncached: %r" %
                      (on.stderr[-300:], off.stderr[-300:]))
        if step > 0:
            changed_steps[1] += 1
            changed_steps[0] += outs != last
        last = outs


def corpus(tmp, tus):
    root = os.path.join(tmp, "corpus")
    subprocess.run([sys.executable, INPUTS, "corpus", root, "--tus", str(tus)],
                   check=True, capture_output=True)
    past = time.time() - 1  # written before the runs (see rewrite)
    for p in files(root, (".c", ".h", ".json")):
        os.utime(p, (past, past))
    return root


def test_incremental(tmp):
    repo = corpus(tmp, 6)
    cache = os.path.join(tmp, "inc-cache")
    p = ["-p", "."]
    want = run(repo, p)
    cold = run(repo, p, cache, stats=True)
    s = stats(cold)
    check(cold.stdout == want.stdout, "incremental: cold run = uncached")
    check(s["parsed"] == 6, "incremental: cold run parses 6 units, not %d"
          % s["parsed"])
    warm = run(repo, p, cache, stats=True)
    s = stats(warm)
    check(warm.stdout == want.stdout, "incremental: warm run = uncached")
    check(s["parsed"] == 0 and s["scanned"] == 0 and s["misses"] == 0,
          "incremental: an unchanged tree parses nothing (%r)" % s)
    cs = sorted(f for f in files(repo, (".c",)))
    rewrite(cs[0], lambda t: t + "\nint touched_once;\n")
    s = stats(run(repo, p, cache, stats=True))
    check(s["parsed"] == 1 and s["scanned"] == 1,
          "incremental: touching one .c parses one unit and one file (%r)" % s)
    hs = files(repo, (".h",))
    rewrite(hs[0], lambda t: t + "\n/* touched */\n")
    r = run(repo, p, cache, stats=True)
    s = stats(r)
    check(s["parsed"] == 6 and s["scanned"] == 1,
          "incremental: touching the shared header parses all 6 units and "
          "tree-sitter reads only it (%r)" % s)
    check(r.stdout == run(repo, p).stdout, "incremental: after edits = uncached")
    # a file modified while a run parses it (its mtime is not before the
    # run's start; here: in the future) may not be what was hashed: the
    # unit is parsed, its result not stored
    later = time.time() + 3600
    rewrite(cs[1], lambda t: t + "\nint touched_later;\n")
    os.utime(cs[1], (later, later))
    s1 = stats(run(repo, p, cache, stats=True))
    s2 = stats(run(repo, p, cache, stats=True))
    check(s1["parsed"] == 1 and s2["parsed"] == 1,
          "incremental: a unit reading a too-new file is not stored "
          "(%r, %r)" % (s1, s2))
    past = time.time() - 60
    os.utime(cs[1], (past, past))
    s3 = stats(run(repo, p, cache, stats=True))
    s4 = stats(run(repo, p, cache, stats=True))
    check(s3["parsed"] == 1 and s4["parsed"] == 0,
          "incremental: once the file is older than the run it is stored "
          "(%r, %r)" % (s3, s4))


def entries(cache):
    out = []
    for d, _, fs in os.walk(cache):
        out += [os.path.join(d, f) for f in fs if not f.startswith(".")]
    return sorted(out)


def test_corruption(tmp):
    repo = corpus(tmp, 6)
    cache = os.path.join(tmp, "bad-cache")
    p = ["-p", "."]
    want = run(repo, p)
    run(repo, p, cache)
    es = entries(cache)
    check(len(es) >= 9, "corruption: at least 9 entries to damage (%d)" % len(es))
    rng = random.Random(SEED)
    rng.shuffle(es)
    flipped, cut, gone = es[0:3], es[3:6], es[6:9]
    for e in flipped:
        with open(e, "r+b") as f:
            size = os.path.getsize(e)
            f.seek(rng.randrange(0, size))
            b = f.read(1)
            f.seek(-1, 1)
            f.write(bytes([b[0] ^ 0x40]))
    for e in cut:
        os.truncate(e, os.path.getsize(e) // 2)
    for e in gone:
        os.unlink(e)
    r = run(repo, p, cache, stats=True)
    s = stats(r)
    check(r.stdout == want.stdout and r.returncode == want.returncode,
          "corruption: damaged cache gives the uncached output")
    check(s["corrupt"] == 6, "corruption: 6 damaged entries counted, not %d"
          % s["corrupt"])
    check(s["misses"] == 9, "corruption: 9 entries rebuilt, not %d"
          % s["misses"])
    r = run(repo, p, cache, stats=True)
    s = stats(r)
    check(s["corrupt"] == 0 and s["misses"] == 0 and r.stdout == want.stdout,
          "corruption: rebuilt entries are good again (%r)" % s)
    # an entry copied under another key's name is not trusted either
    es = entries(cache)
    shutil.copyfile(es[0], es[1])
    r = run(repo, p, cache, stats=True)
    s = stats(r)
    check(s["corrupt"] == 1 and r.stdout == want.stdout,
          "corruption: an entry under the wrong name is rejected (%r)" % s)


def test_concurrency(tmp):
    repo = corpus(tmp, 8)
    cache = os.path.join(tmp, "conc-cache")
    want = run(repo, ["-p", "."])
    procs = [subprocess.Popen([PG, "--format", "json", "-p", ".", "-j1",
                               "--cache-dir", cache], cwd=repo,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for _ in range(4)]
    outs = [p.communicate()[0] for p in procs]
    check(all(o == want.stdout for o in outs),
          "concurrency: four runs on one cache all give the uncached output")
    r = run(repo, ["-p", "."], cache, stats=True)
    s = stats(r)
    check(s["corrupt"] == 0 and s["misses"] == 0 and r.stdout == want.stdout,
          "concurrency: the cache they left is complete and sound (%r)" % s)
    check(not [f for d, _, fs in os.walk(cache) for f in fs
               if f.startswith(".tmp.")],
          "concurrency: no temporary files left behind")


def test_cap(tmp):
    repo = corpus(tmp, 8)
    cache = os.path.join(tmp, "cap-cache")
    want = run(repo, ["-p", "."])
    r = subprocess.run([PG, "--format", "json", "-p", ".", "--cache-dir", cache,
                        "--cache-size", "8K", "--cache-stats"], cwd=repo,
                       capture_output=True)
    s = stats(r)
    total = sum(os.path.getsize(e) for e in entries(cache))
    check(r.stdout == want.stdout, "cap: output unchanged")
    check(total <= 8192 and s["size"] == total and s["entries"] > 0,
          "cap: %d bytes on disk, stats say %d, cap 8192" % (total, s["size"]))


def test_bad_dir(tmp):
    blocker = os.path.join(tmp, "not-a-dir")
    open(blocker, "w").close()
    r = subprocess.run([PG, "--cache-dir", blocker], cwd=tmp,
                       capture_output=True, text=True)
    check(r.returncode == 2 and blocker in r.stderr,
          "bad dir: exit 2 naming it (exit %d, %r)" % (r.returncode, r.stderr))


def main():
    rng = random.Random(SEED)
    with tempfile.TemporaryDirectory() as tmp:
        cache = os.path.join(tmp, "cache")
        for name in sorted(os.listdir(FIXTURES)):
            repo = os.path.join(tmp, "fx", name)
            fixture_copy(os.path.join(FIXTURES, name), repo)
            differential(name, repo, 5, rng, cache)
        differential("corpus", corpus(tmp, 8), 14, rng, cache)
        # the edits must bite, or the comparison proves nothing
        check(changed_steps[0] * 2 >= changed_steps[1],
              "differential: only %d of %d edits changed the output"
              % tuple(changed_steps))
        print("differential: %d of %d edits changed the output"
              % tuple(changed_steps))
        test_incremental(os.path.join(tmp, "i"))
        test_corruption(os.path.join(tmp, "c"))
        test_concurrency(os.path.join(tmp, "k"))
        test_cap(os.path.join(tmp, "cap"))
        test_bad_dir(tmp)
    print("%d problems (seed %d)" % (len(problems), SEED))
    sys.exit(1 if problems else 0)


main()
