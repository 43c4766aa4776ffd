"""Identity, identity(pid), self_identity(): the binding hands over what the
library reads, field by field (compared with the procid command, a separate
C path over the same library), and str() is the library's own line 2."""
from __future__ import annotations

import dataclasses
import errno
import os
from pathlib import Path

import pytest

import procid
from conftest import run_cli


def test_identity_of_a_child_is_what_the_cli_reports(spawn, cli) -> None:
    c = spawn()
    ident = procid.identity(c.pid)
    out = run_cli(cli, "id", str(c.pid))
    assert out.returncode == 0, out.stderr
    # the values, whatever the layout ("<pid> <start> <boot>" or line 2's
    # "start=<start> boot=<boot> ino=<ino>")
    values = [t.split("=", 1)[-1] for t in out.stdout.split()]
    assert str(ident.start) in values and ident.boot in values, \
        (ident, out.stdout)


def test_identity_fields_round_trip_through_the_library(spawn, tmp_path) -> None:
    # pid, start, boot and ino survive Python -> C (write) -> file -> C
    # (parse) -> Python, so no field is lost or shifted in the mirror
    c = spawn()
    ident = procid.identity(c.pid)
    path = tmp_path / "child.pid"
    procid.write_pidfile(path, ident)
    back = procid.read_pidfile(path)
    assert back == ident
    assert back.matches(ident) and ident.matches(back)


def test_str_is_line_2_of_the_pidfile_the_library_writes(spawn, tmp_path) -> None:
    c = spawn()
    ident = procid.write_pidfile(tmp_path / "e.pid", c.pid)
    lines = (tmp_path / "e.pid").read_text().split("\n")
    assert lines[0] == str(c.pid)
    assert str(ident) == lines[1] != ""
    assert procid.format_pidfile(ident) == (tmp_path / "e.pid").read_text()


def test_str_is_line_2_written_by_the_cli(spawn, cli, tmp_path) -> None:
    c = spawn()
    path = tmp_path / "cli.pid"
    out = run_cli(cli, "write", str(path), str(c.pid))
    assert out.returncode == 0, out.stderr
    ident = procid.read_pidfile(path)
    assert str(ident) == path.read_text().split("\n")[1]


def test_str_of_a_pid_only_identity_is_empty() -> None:
    # a legacy record has no line 2
    assert str(procid.Identity(4242)) == ""
    assert procid.format_pidfile(procid.Identity(4242)).split("\n")[0] == "4242"


def test_self_identity_is_this_process_and_running() -> None:
    me = procid.self_identity()
    assert me.pid == os.getpid()
    assert me == procid.identity(os.getpid())
    assert procid.check(me) is procid.State.RUNNING


def test_identity_of_a_reaped_child_raises_no_such_process(spawn) -> None:
    c = spawn()
    pid = c.pid
    c.kill()
    with pytest.raises(procid.NoSuchProcessError) as ei:
        procid.identity(pid)
    assert ei.value.errno == errno.ESRCH
    assert isinstance(ei.value, ProcessLookupError)
    assert isinstance(ei.value, procid.ProcidError)
    assert "pid %d" % pid in str(ei.value)


def test_identity_of_a_zombie_raises_no_such_process(spawn) -> None:
    c = spawn()
    c.release()
    c.wait_exited()
    with pytest.raises(procid.NoSuchProcessError):
        procid.identity(c.pid)


@pytest.mark.parametrize("bad", [0, -1, 1 << 31])
def test_identity_refuses_impossible_pids(bad: int) -> None:
    with pytest.raises(ValueError):
        procid.identity(bad)
    with pytest.raises(ValueError):
        procid.Identity(bad)


@pytest.mark.parametrize("bad", ["1", 1.0, True, None])
def test_identity_refuses_non_int_pids(bad: object) -> None:
    with pytest.raises(TypeError):
        procid.identity(bad)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        procid.Identity(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("kw", [{"start": -1}, {"ino": 1 << 64},
                                {"start": "12"}, {"boot": ""},
                                {"boot": "x" * 64}, {"boot": "b\u00f6ot"}])
def test_identity_refuses_fields_the_library_cannot_hold(kw) -> None:
    with pytest.raises((TypeError, ValueError)):
        procid.Identity(1, **kw)


def test_identity_is_frozen_and_hashable() -> None:
    a = procid.Identity(7, start=1, boot="b", ino=9)
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.pid = 8  # type: ignore[misc]
    assert {a: 1}[procid.Identity(7, start=1, boot="b", ino=9)] == 1


def test_matches_ignores_fields_one_side_does_not_know() -> None:
    full = procid.Identity(7, start=1, boot="b", ino=9)
    assert full.matches(procid.Identity(7, start=1))
    assert full.matches(procid.Identity(7))
    assert not full.matches(procid.Identity(7, start=2))
    assert not full.matches(procid.Identity(7, start=1, ino=10))
    assert not full.matches(procid.Identity(8, start=1))


def test_format_of_an_identity_the_library_refuses_raises() -> None:
    with pytest.raises(procid.ProcidError) as ei:
        procid.format_pidfile(procid.Identity(7, start=1, boot="has space"))
    assert ei.value.errno == errno.EINVAL


def test_the_installed_copy_is_the_one_tested() -> None:
    want = os.environ.get("PROCID_EXPECT_INSTALLED")
    if not want:
        pytest.skip("PROCID_EXPECT_INSTALLED not set: testing the package "
                    "wherever it is imported from")
    assert Path(procid.__file__).resolve().is_relative_to(
        Path(want).resolve()), procid.__file__
