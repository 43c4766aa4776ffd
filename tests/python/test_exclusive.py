"""exclusive_pidfile() and read_pidfile(owner=...): one instance at a time
and a daemon's own pidfile, over the C library's procid_pidlock_* and
procid_pidfile_read_owner, with real processes and files."""
from __future__ import annotations

import os
import pwd
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import shutil
import tempfile
from typing import Iterator

import pytest

import procid


def test_the_context_records_this_process_and_removes_it(tmp_path: Path) -> None:
    path = tmp_path / "engine.pid"
    with procid.exclusive_pidfile(path) as lock:
        assert procid.read_pidfile(path) == procid.self_identity()
        assert (tmp_path / "engine.pid.lock").exists()
        assert lock.fileno() >= 0
    assert not path.exists()
    assert not (tmp_path / "engine.pid.lock").exists()


def _holder(path: Path) -> subprocess.Popen:
    """Another Python process that holds `path` until stdin closes."""
    code = textwrap.dedent("""
        import sys, procid
        with procid.exclusive_pidfile(sys.argv[1]):
            print("held", flush=True)
            sys.stdin.read()
    """)
    p = subprocess.Popen([sys.executable, "-c", code, str(path)],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         text=True, env=os.environ.copy())
    assert p.stdout is not None
    assert p.stdout.readline() == "held\n"
    return p


def test_a_live_holder_raises_already_running_with_its_identity(tmp_path: Path) -> None:
    path = tmp_path / "engine.pid"
    p = _holder(path)
    try:
        with pytest.raises(procid.AlreadyRunningError) as info:
            with procid.exclusive_pidfile(path):
                pytest.fail("two holders at once")
        assert isinstance(info.value, FileExistsError)
        assert info.value.holder is not None
        assert info.value.holder.pid == p.pid
        assert procid.check(info.value.holder) is procid.State.RUNNING
    finally:
        p.communicate("")
    assert not path.exists()  # the holder removed its own record


def test_a_holder_killed_with_sigkill_is_taken_over(tmp_path: Path) -> None:
    path = tmp_path / "engine.pid"
    p = _holder(path)
    p.kill()
    p.wait()
    assert path.exists()
    with procid.exclusive_pidfile(path):
        assert procid.read_pidfile(path).pid == os.getpid()


def test_write_false_leaves_the_write_for_after_the_fork(tmp_path: Path) -> None:
    path = tmp_path / "engine.pid"
    lock = procid.exclusive_pidfile(path, write=False).open()
    assert not path.exists()
    lock.write()
    assert procid.read_pidfile(path) == procid.self_identity()
    lock.remove()
    assert lock.closed and not path.exists()


def test_an_unsafe_pidfile_is_not_taken_over(tmp_path: Path) -> None:
    path = tmp_path / "engine.pid"
    path.write_text("1\n")
    path.chmod(0o666)
    with pytest.raises(procid.PidfileError) as info:
        procid.exclusive_pidfile(path).open()
    assert "writable" in str(info.value)
    assert path.read_text() == "1\n"


@pytest.fixture
def nobody() -> pwd.struct_passwd:
    if os.geteuid() != 0:
        pytest.skip("needs root to switch to nobody")
    try:
        return pwd.getpwnam("nobody")
    except KeyError:
        pytest.skip("no user nobody")


@pytest.fixture
def open_dir() -> Iterator[Path]:
    """A directory nobody can reach (pytest's tmp_path sits under 0700
    directories)."""
    d = Path(tempfile.mkdtemp(prefix="procid-py-"))
    d.chmod(0o711)
    yield d
    shutil.rmtree(d)


def test_owner_accepts_a_daemons_own_pidfile_for_its_process(
        open_dir: Path, nobody: pwd.struct_passwd) -> None:
    rundir = open_dir / "run"
    rundir.mkdir()
    os.chown(rundir, nobody.pw_uid, nobody.pw_gid)
    path = rundir / "engine.pid"
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the daemon: drops to nobody, records itself
        try:
            os.close(r)
            os.setgroups([])
            os.setgid(nobody.pw_gid)
            os.setuid(nobody.pw_uid)
            lock = procid.exclusive_pidfile(path, write=False).open()
            lock.write()
            os.write(w, b"r")
            signal.pause()
        finally:
            os._exit(1)
    os.close(w)
    try:
        assert os.read(r, 1) == b"r"
        with pytest.raises(procid.PidfileError) as info:
            procid.read_pidfile(path)
        assert "owned by uid" in str(info.value)
        assert procid.read_pidfile(path, owner="nobody").pid == pid
        assert procid.read_pidfile(path, owner=nobody.pw_uid).pid == pid
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(r)


def test_owner_refuses_a_pidfile_naming_another_users_process(
        tmp_path: Path, nobody: pwd.struct_passwd, spawn) -> None:
    c = spawn()  # runs as root
    path = tmp_path / "engine.pid"
    procid.write_pidfile(path, c.pid)
    os.chown(path, nobody.pw_uid, nobody.pw_gid)
    with pytest.raises(procid.PidfileError) as info:
        procid.read_pidfile(path, owner="nobody")
    assert "runs as uid 0" in str(info.value)
    with pytest.raises(ValueError):
        procid.read_pidfile(path, owner="no-such-user-here")
