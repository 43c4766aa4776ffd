#!/usr/bin/env python3
"""guard_inputs.py - the inputs of the guard benchmark (issue 5), and the
commands that measure each one the same way.

  guard_inputs.py corpus DIR [--tus N]
      generate N translation units (default 64) into DIR: each has direct,
      macro, concatenated and inactive-#ifdef /proc sites, plus as much code
      without sites; a shared header; compile_commands.json; a git repository
      so procguard sees DIR as the repository it checks.
  guard_inputs.py dense DIR [--sites N]
      one C file with N /proc sites (default 20000), every other one
      acknowledged, the file allowlisted, in the database and a git
      repository: procguard must stay linear in findings (acks per site,
      source lines, SARIF fingerprints), not quadratic.
  guard_inputs.py thirdparty DIR --sqlite TGZ [--grammar TGZ]...
      unpack the SQLite amalgamation from better-sqlite3's npm tarball, copy
      the tree-sitter grammars' parser.c (and scanner.c) into DIR, with a
      compile_commands.json and a git repository. Fetched code: never commit.
  guard_inputs.py commands ROOT DB_DIR OUT_DIR [--name NAME]
      for the repository at ROOT and DB_DIR/compile_commands.json, write into
      OUT_DIR what ci/bench.sh times: floor.sh (clang -fsyntax-only over the
      translation units procguard checks, one after the other, same flags),
      tus.txt (those translation units), sources.txt (the C and Python files
      procguard checks, for grep), five.txt (the pre-commit case: up to 5
      files) and input.json (sizes, for the throughput plot).
"""
import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys
import tarfile

# ---- the generated corpus ---------------------------------------------------

HEADER = """\
/* common.h - shared by every translation unit of the benchmark corpus */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROC_ROOT "/proc"
#define PROC_SELF PROC_ROOT "/self"
#define TMP_ROOT "/tmp"
#define DATA_DIR TMP_ROOT "/bench-data"

struct bench_rec {
    int id;
    long value;
    char name[64];
};

static inline long bench_mix(long a, long b)
{
    return (a * 31) ^ (b >> 3);
}
#endif
"""

SITES = """\
/* {name}: functions with /proc sites */
long {name}_stat(int pid)
{{
    char path[128];
    snprintf(path, sizeof path, "/proc/%d/stat", pid); /* direct */
    FILE *f = fopen(path, "r");
    long v = 0;
    if (f != NULL) {{
        if (fscanf(f, "%ld", &v) != 1)
            v = -1;
        fclose(f);
    }}
    return v;
}}

int {name}_self(char *buf, size_t n)
{{
    return snprintf(buf, n, "%s", PROC_ROOT); /* macro */
}}

int {name}_status(char *buf, size_t n, int pid)
{{
    return snprintf(buf, n, PROC_ROOT "/%d/status", pid); /* concatenated */
}}

const char *{name}_exe(void)
{{
#ifdef __FreeBSD__
    return "/proc/curproc/file"; /* inactive on Linux */
#else
    return PROC_SELF "/exe";
#endif
}}

"""

PLAIN = """\
/* {name}: the same amount of code without sites */
long {name}_load(int id)
{{
    char path[128];
    snprintf(path, sizeof path, "/tmp/bench-%d/data", id);
    FILE *f = fopen(path, "r");
    long v = 0;
    if (f != NULL) {{
        if (fscanf(f, "%ld", &v) != 1)
            v = -1;
        fclose(f);
    }}
    return v;
}}

int {name}_dir(char *buf, size_t n)
{{
    return snprintf(buf, n, "%s", DATA_DIR);
}}

int {name}_name(struct bench_rec *r, int i)
{{
    r->id = i;
    r->value = bench_mix(i, r->value);
    return snprintf(r->name, sizeof r->name, TMP_ROOT "/rec-%d", i);
}}

const char *{name}_where(void)
{{
#ifdef __FreeBSD__
    return "/var/run/bench";
#else
    return "/run/bench";
#endif
}}

"""


def git_init(root):
    env = dict(os.environ, GIT_AUTHOR_NAME="bench", GIT_AUTHOR_EMAIL="bench@localhost",
               GIT_COMMITTER_NAME="bench", GIT_COMMITTER_EMAIL="bench@localhost")
    if not os.path.isdir(os.path.join(root, ".git")):
        subprocess.run(["git", "init", "-q", root], check=True)
    # the database is generated next to the sources: not a tracked file
    with open(os.path.join(root, ".gitignore"), "w") as f:
        f.write("compile_commands.json\n")
    subprocess.run(["git", "-C", root, "add", "-A"], check=True)
    subprocess.run(["git", "-C", root, "commit", "-q", "--allow-empty", "-m",
                    "benchmark input"], check=True, env=env)


def write_db(root, entries):
    with open(os.path.join(root, "compile_commands.json"), "w") as f:
        json.dump(entries, f, indent=1)
        f.write("\n")


def corpus(args):
    root = os.path.abspath(args.dir)
    if os.path.exists(root):
        shutil.rmtree(root)
    os.makedirs(os.path.join(root, "src"))
    with open(os.path.join(root, "src", "common.h"), "w") as f:
        f.write(HEADER)
    entries = []
    for i in range(args.tus):
        path = os.path.join(root, "src", "tu%03d.c" % i)
        with open(path, "w") as f:
            f.write('#include "common.h"\n\n')
            for k in range(args.funcs):
                f.write(SITES.format(name="s%03d_%d" % (i, k)))
                f.write(PLAIN.format(name="p%03d_%d" % (i, k)))
        entries.append({"directory": root, "file": path, "arguments": [
            "cc", "-std=c11", "-O2", "-Wall", "-I", "src", "-c", "-o",
            "tu%03d.o" % i, path]})
    write_db(root, entries)
    git_init(root)
    return 0


# ---- many sites in one file --------------------------------------------------

def dense(args):
    root = os.path.abspath(args.dir)
    if os.path.exists(root):
        shutil.rmtree(root)
    os.makedirs(os.path.join(root, "src"))
    os.makedirs(os.path.join(root, "allowlist"))
    path = os.path.join(root, "src", "dense.c")
    with open(path, "w") as f:
        f.write("/* dense.c: %d /proc sites, every other one acknowledged */\n"
                % args.sites)
        for i in range(args.sites):
            ack = " /* portability: benchmark */" if i % 2 == 0 else ""
            f.write('const char *p%d = "/proc/%d/stat";%s\n' % (i, i, ack))
    with open(os.path.join(root, "allowlist", "proc.allow"), "w") as f:
        f.write("src/dense.c   the dense benchmark input\n")
    write_db(root, [{"directory": root, "file": path,
                     "arguments": ["cc", "-c", "-o", "dense.o", path]}])
    git_init(root)
    return 0


# ---- fetched third-party C --------------------------------------------------

def thirdparty(args):
    root = os.path.abspath(args.dir)
    if os.path.exists(root):
        shutil.rmtree(root)
    os.makedirs(os.path.join(root, "sqlite3"))
    entries = []
    with tarfile.open(args.sqlite) as t:
        for name in ("sqlite3.c", "sqlite3.h"):
            m = t.getmember("package/deps/sqlite3/" + name)
            with t.extractfile(m) as src, \
                    open(os.path.join(root, "sqlite3", name), "wb") as dst:
                shutil.copyfileobj(src, dst)
    entries.append({"directory": root, "file": os.path.join(root, "sqlite3/sqlite3.c"),
                    "arguments": ["cc", "-O2", "-DSQLITE_THREADSAFE=1",
                                  "-DSQLITE_ENABLE_FTS5", "-DSQLITE_ENABLE_JSON1",
                                  "-I", "sqlite3", "-c", "-o", "sqlite3.o",
                                  os.path.join(root, "sqlite3/sqlite3.c")]})
    for g in args.grammar or []:
        name = os.path.basename(g)[:-len(".tgz")]
        dst = os.path.join(root, name, "src")
        with tarfile.open(g) as t:
            for m in t.getmembers():
                rel = m.name[len("package/src/"):]
                if not m.name.startswith("package/src/") or not m.isfile() or \
                        rel not in ("parser.c", "scanner.c") and \
                        not (rel.startswith("tree_sitter/") and rel.endswith(".h")):
                    continue
                os.makedirs(os.path.dirname(os.path.join(dst, rel)), exist_ok=True)
                with t.extractfile(m) as src, \
                        open(os.path.join(dst, rel), "wb") as out:
                    shutil.copyfileobj(src, out)
                if rel.endswith(".c"):
                    entries.append({"directory": root, "file": os.path.join(dst, rel),
                                    "arguments": ["cc", "-std=c11", "-O2", "-I",
                                                  name + "/src", "-c", "-o",
                                                  name + "-" + rel + ".o",
                                                  os.path.join(dst, rel)]})
    write_db(root, entries)
    git_init(root)
    return 0


# ---- the commands -------------------------------------------------------------

def entry_args(e):
    if "arguments" in e:
        return list(e["arguments"])
    return shlex.split(e["command"])


def syntax_only(e):
    """clang -fsyntax-only with the entry's flags: the compiler, -c, -o X
    and the source file dropped, everything else kept as the build has it."""
    a = entry_args(e)[1:]
    out, i = [], 0
    src = os.path.normpath(os.path.join(e["directory"], e["file"]))
    while i < len(a):
        x = a[i]
        if x == "-o":
            i += 2
            continue
        if x == "-c" or (x.startswith("-o") and len(x) > 2):
            i += 1
            continue
        if os.path.normpath(os.path.join(e["directory"], x)) == src:
            i += 1
            continue
        out.append(x)
        i += 1
    return (["clang", "-fsyntax-only", "-Wno-unknown-warning-option"] + out
            + [src])


def tracked(root):
    r = subprocess.run(["git", "-C", root, "ls-files", "-z"], check=True,
                       capture_output=True)
    return [p for p in r.stdout.decode().split("\0") if p]


def commands(args):
    root = os.path.realpath(args.root)
    with open(os.path.join(args.db_dir, "compile_commands.json")) as f:
        db = json.load(f)
    files = tracked(root)
    checked = [p for p in files if p.endswith((".c", ".h", ".py"))
               and os.path.isfile(os.path.join(root, p))]
    in_repo = set(os.path.join(root, p) for p in checked)
    tus, lines, seen = [], [], set()
    for e in db:
        src = os.path.realpath(os.path.join(e["directory"], e["file"]))
        if src not in in_repo or src in seen:
            continue  # procguard checks only the repository's files
        seen.add(src)
        tus.append(src)
        lines.append("cd %s && %s" % (shlex.quote(e["directory"]),
                                     " ".join(shlex.quote(x) for x in syntax_only(e))))
    os.makedirs(args.out_dir, exist_ok=True)
    with open(os.path.join(args.out_dir, "floor.sh"), "w") as f:
        f.write("#!/bin/sh\n# clang -fsyntax-only over %d translation units, "
                "one after the other\nset -e\n" % len(tus))
        f.write("\n".join(lines) + "\n")
    os.chmod(os.path.join(args.out_dir, "floor.sh"), 0o755)
    with open(os.path.join(args.out_dir, "tus.txt"), "w") as f:
        f.write("".join(t + "\n" for t in tus))
    with open(os.path.join(args.out_dir, "sources.txt"), "w") as f:
        f.write("".join(os.path.join(root, p) + "\n" for p in checked))
    # the pre-commit case: the five biggest C files, what a large change
    # to the code would stage
    cfiles = sorted((p for p in checked if p.endswith(".c")),
                    key=lambda p: (-os.path.getsize(os.path.join(root, p)), p))
    with open(os.path.join(args.out_dir, "five.txt"), "w") as f:
        f.write("".join(p + "\n" for p in cfiles[:5]))
    meta = {"name": args.name or os.path.basename(root), "root": root,
            "tus": len(tus),
            "tu_bytes": sum(os.path.getsize(t) for t in tus),
            "files": len(checked),
            "file_bytes": sum(os.path.getsize(os.path.join(root, p))
                              for p in checked),
            "five_bytes": sum(os.path.getsize(os.path.join(root, p))
                              for p in cfiles[:5])}
    with open(os.path.join(args.out_dir, "input.json"), "w") as f:
        json.dump(meta, f, indent=1)
        f.write("\n")
    print("%s: %d translation units (%.1f MB), %d files checked (%.1f MB)" % (
        meta["name"], meta["tus"], meta["tu_bytes"] / 1e6, meta["files"],
        meta["file_bytes"] / 1e6), file=sys.stderr)
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("corpus")
    c.add_argument("dir")
    c.add_argument("--tus", type=int, default=64)
    c.add_argument("--funcs", type=int, default=8,
                   help="site/plain function groups per translation unit")
    d = sub.add_parser("dense")
    d.add_argument("dir")
    d.add_argument("--sites", type=int, default=20000)
    t = sub.add_parser("thirdparty")
    t.add_argument("dir")
    t.add_argument("--sqlite", required=True)
    t.add_argument("--grammar", action="append", metavar="TGZ",
                   help="a tree-sitter grammar's npm tarball")
    m = sub.add_parser("commands")
    m.add_argument("root")
    m.add_argument("db_dir")
    m.add_argument("out_dir")
    m.add_argument("--name")
    args = ap.parse_args()
    return {"corpus": corpus, "dense": dense, "thirdparty": thirdparty,
            "commands": commands}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
