"""read_pidfile / write_pidfile / parse_pidfile: atomic writes, safe reads,
the parser's exact messages, and legacy files that read as UNVERIFIED."""
from __future__ import annotations

import errno
import os
import stat

import pytest

import procid
from conftest import run_cli


def test_write_then_read_gives_the_identity_back(spawn, tmp_path) -> None:
    c = spawn()
    written = procid.write_pidfile(str(tmp_path / "a.pid"), c.pid)
    assert written == procid.identity(c.pid)
    assert procid.read_pidfile(str(tmp_path / "a.pid")) == written
    assert procid.read_pidfile(os.fsencode(tmp_path / "a.pid")) == written


def test_write_is_atomic_and_leaves_only_the_pidfile(spawn, tmp_path) -> None:
    old = tmp_path / "a.pid"
    old.write_text("1\n")
    c = spawn()
    procid.write_pidfile(old, c.pid)
    assert os.listdir(tmp_path) == ["a.pid"]  # no temporary file left
    st = os.stat(old)
    assert stat.S_IMODE(st.st_mode) == 0o644
    assert old.read_text().split("\n")[0] == str(c.pid)


def test_write_failure_raises_and_creates_nothing(spawn, tmp_path) -> None:
    c = spawn()
    with pytest.raises(procid.ProcidError) as ei:
        procid.write_pidfile(tmp_path / "missing" / "a.pid", c.pid)
    assert ei.value.errno == errno.ENOENT
    assert str(tmp_path / "missing" / "a.pid") in str(ei.value)
    assert os.listdir(tmp_path) == []


def test_write_of_a_dead_pid_raises_and_writes_nothing(spawn, tmp_path) -> None:
    c = spawn()
    pid = c.pid
    c.kill()
    with pytest.raises(procid.NoSuchProcessError):
        procid.write_pidfile(tmp_path / "a.pid", pid)
    assert os.listdir(tmp_path) == []


def test_missing_pidfile_is_file_not_found(tmp_path) -> None:
    with pytest.raises(FileNotFoundError) as ei:
        procid.read_pidfile(tmp_path / "none.pid")
    assert isinstance(ei.value, procid.PidfileNotFoundError)
    assert isinstance(ei.value, procid.PidfileError)
    assert ei.value.errno == errno.ENOENT
    assert ei.value.filename == tmp_path / "none.pid"


BAD = [b"+12\n", b"0x1f\n", b"012\n", b"0\n", b"99999999999999999999\n",
       b"12 34 56 78\n", b"12\nbogus\n", b"", b"1\x002\n", b"1" * 300,
       b"12\n34 not-a-uuid 56 78\n"]


@pytest.mark.parametrize("content", BAD)
def test_malformed_pidfile_message_is_the_parsers(content, cli, tmp_path) -> None:
    # the message must be the library's, word for word: the procid command
    # prints the same one for the same file
    path = tmp_path / "bad.pid"
    path.write_bytes(content)
    with pytest.raises(procid.PidfileError) as ei:
        procid.read_pidfile(path)
    e = ei.value
    assert e.filename == path
    assert e.errno == errno.EINVAL
    assert e.message
    out = run_cli(cli, "status", str(path))
    assert out.returncode == 4
    assert out.stderr.strip() == "procid: %s: %s" % (path, e.message)
    assert str(e) == "%s: %s" % (path, e.message)
    assert path.read_bytes() == content  # left untouched


def test_parse_pidfile_reports_line_and_column() -> None:
    with pytest.raises(procid.PidfileError) as ei:
        procid.parse_pidfile("+12\n")
    assert ei.value.message.startswith("line 1, column 1:")
    assert ei.value.filename is None


def test_group_writable_pidfile_is_refused_unless_insecure(spawn, tmp_path) -> None:
    c = spawn()
    path = tmp_path / "a.pid"
    procid.write_pidfile(path, c.pid)
    os.chmod(path, 0o664)
    with pytest.raises(procid.PidfileError) as ei:
        procid.read_pidfile(path)
    assert ei.value.errno == errno.EPERM
    assert "writable" in ei.value.message
    assert procid.read_pidfile(path, insecure=True).pid == c.pid


def test_symlinked_pidfile_is_refused(spawn, tmp_path) -> None:
    c = spawn()
    procid.write_pidfile(tmp_path / "real.pid", c.pid)
    os.symlink(tmp_path / "real.pid", tmp_path / "link.pid")
    with pytest.raises(procid.PidfileError) as ei:
        procid.read_pidfile(tmp_path / "link.pid")
    assert ei.value.errno in (errno.EPERM, errno.ELOOP)


def test_legacy_bare_int_file_reads_unverified_not_an_error(spawn, tmp_path) -> None:
    c = spawn()
    path = tmp_path / "engine.pid"
    path.write_text("%d\n" % c.pid)  # what os.getpid() writers leave
    ident = procid.read_pidfile(path)
    assert ident == procid.Identity(c.pid)
    assert not ident.verifiable
    assert procid.check(ident) is procid.State.UNVERIFIED
    c.kill()
    assert procid.check(ident) is procid.State.DEAD


@pytest.mark.parametrize("text", ["%d", "%d\n"])
def test_legacy_file_with_or_without_newline_reads_unverified(spawn, tmp_path,
                                                           text) -> None:
    c = spawn()
    path = tmp_path / "engine.pid"
    path.write_text(text % c.pid)
    assert procid.check(procid.read_pidfile(path)) is procid.State.UNVERIFIED


def test_legacy_pid_and_start_file_is_verified(spawn, tmp_path) -> None:
    c = spawn()
    ident = procid.identity(c.pid)
    path = tmp_path / "old.pid"
    path.write_text("%d %d\n" % (c.pid, ident.start))
    back = procid.read_pidfile(path)
    assert (back.pid, back.start, back.ino) == (c.pid, ident.start, None)
    assert procid.check(back) is procid.State.RUNNING
