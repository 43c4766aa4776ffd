"""The scenario procid exists for, from Python: a job runner's engine dies,
its PID goes to another process in the same clock tick, and the runner's
helpers must neither call the stranger "running" nor signal it; a bare-int
engine.pid left by an older version still works as it did."""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
from pathlib import Path
from typing import List

import pytest

import procid
import runner_helpers as runner
from conftest import signalled_with

HERE = Path(__file__).resolve().parent
MAX_ROUNDS = 150  # forced reuses at most
WANT_SAME = 3     # stop once this many landed in the engine's tick


def realtime() -> List[str]:
    """`chrt -f 10` where permitted (root): on a loaded machine the engine,
    its death and the impostor's fork then fit in one 10 ms tick most of
    the time instead of almost never. Only the scenario runs so."""
    chrt = shutil.which("chrt")
    if chrt and subprocess.run([chrt, "-f", "10", "true"],
                               capture_output=True).returncode == 0:
        return [chrt, "-f", "10"]
    return []


@pytest.fixture(scope="module")
def reuse(tmp_path_factory) -> dict:
    """Run ns_scenario.py as PID 1 of a new user + PID + mount namespace;
    its report (one observation per round)."""
    unshare = shutil.which("unshare")
    if unshare is None:
        pytest.skip("no unshare command (util-linux): cannot create the "
                    "user + PID namespace the forced-reuse test needs")
    top = tmp_path_factory.mktemp("reuse")
    run = top / "run"
    run.mkdir()
    report = top / "report.json"
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(HERE)] + [p for p in [env.get("PYTHONPATH")] if p])
    proc = subprocess.run(
        realtime() + [unshare, "--user", "--map-root-user", "--pid", "--fork", "--mount",
         "--mount-proc", sys.executable, str(HERE / "ns_scenario.py"),
         str(run), str(MAX_ROUNDS), str(WANT_SAME), str(report)],
        capture_output=True, text=True, env=env, timeout=300)
    if proc.returncode != 0 and not report.exists() \
            and proc.stderr.startswith("unshare:"):
        pytest.skip("namespaces refused here: %s" % proc.stderr.strip())
    assert proc.returncode == 0, "ns_scenario.py failed:\n" + proc.stderr
    doc = json.loads(report.read_text())
    if "skip" in doc:
        pytest.skip(doc["skip"])
    assert doc["pid1"], "the scenario did not run as PID 1 of a new namespace"
    assert doc["rounds"], "no round ran"
    same = sum(r.get("same_tick", False) for r in doc["rounds"])
    print("\nforced reuse: %d rounds, %d with the impostor in the engine's "
          "start tick (pidfile on %s, %s scheduling)"
          % (len(doc["rounds"]), same, "tmpfs" if doc["tmpfs"] else "disk",
             "real-time" if realtime() else "normal"))
    return doc


def check_round(n: int, r: dict) -> None:
    where = "round %d: %r" % (n, r)
    assert r["engine_status"] == signal.SIGKILL, where
    assert r["recorded_is_engine"], where  # the engine wrote its pidfile
    assert r["impostor_pid"] == r["engine_pid"], where  # forced reuse
    assert not r["same_ino"], where
    assert r["check"] == "RECYCLED", where
    assert r["alive_before"] is True, where  # the old helper is fooled
    assert r["alive_after"] is False, where
    assert r["impostor_running_after_stop"], where
    assert r["impostor_status"] == signal.SIGKILL, where  # no TERM came
    assert r["pidfile_removed"], where


def test_forced_reuse_is_recycled_and_the_impostor_spared(reuse) -> None:
    for n, r in enumerate(reuse["rounds"]):
        check_round(n, r)


def test_forced_reuse_in_the_same_clock_tick_is_recycled(reuse) -> None:
    # the hard case: (pid, start, boot) all equal, only the pidfs inode
    # differs
    same = [(n, r) for n, r in enumerate(reuse["rounds"]) if r["same_tick"]]
    if not same:
        rounds = reuse["rounds"]
        pytest.skip("no impostor landed in the engine's clock tick in %d "
                    "rounds (machine too slow or loaded: tick gaps %s, the "
                    "engine's fork-record-die-reap took %.1f ms median); "
                    "reuse in a later tick was checked above"
                    % (len(rounds), sorted({r["tick_gap"] for r in rounds}),
                       statistics.median(r["engine_ms"] for r in rounds)))
    for n, r in same:
        assert r["tick_gap"] == 0
        check_round(n, r)


def test_legacy_bare_int_pidfile_behaves_as_before(spawn, tmp_path) -> None:
    path = tmp_path / "engine.pid"
    engine = spawn()
    path.write_text(str(engine.pid))  # what the older version wrote
    assert procid.check(procid.read_pidfile(path)) is procid.State.UNVERIFIED
    assert runner.engine_alive(path) is runner.engine_alive_before(path) is True
    runner.stop_run(path)  # stopped, as the os.kill version did
    assert signalled_with(engine.reap()) == signal.SIGTERM
    assert not path.exists()
    assert runner.engine_alive(path) is runner.engine_alive_before(path) is False


def test_legacy_bare_int_pidfile_of_a_dead_engine_is_not_alive(spawn,
                                                              tmp_path) -> None:
    path = tmp_path / "engine.pid"
    engine = spawn()
    path.write_text("%d\n" % engine.pid)
    engine.kill()
    assert procid.check(procid.read_pidfile(path)) is procid.State.DEAD
    assert runner.engine_alive(path) is runner.engine_alive_before(path) is False
    runner.stop_run(path)
    assert not path.exists()


def test_engine_pidfile_written_through_the_package_is_running(tmp_path) -> None:
    path = tmp_path / "engine.pid"
    runner.engine_started(path)
    assert procid.read_pidfile(path) == procid.self_identity()
    assert runner.engine_alive(path) is True


def test_readme_shows_the_tested_helpers() -> None:
    readme = HERE.parent.parent / "README.md"
    if not readme.is_file():
        pytest.skip("no README.md beside the tests (%s)" % readme)
    src = (HERE / "runner_helpers.py").read_text()
    after = re.search(r"# -+ after \(README\) -+\n(.*?)# -+ end", src, re.S)
    assert after is not None
    assert after.group(1).strip() in readme.read_text()
