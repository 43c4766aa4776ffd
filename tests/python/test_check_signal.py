"""check() and signal(): states from real processes, and signals that reach
only the recorded process."""
from __future__ import annotations

import dataclasses
import errno
import signal

import pytest

import procid
from conftest import signalled_with


def impostor_of(ident: procid.Identity) -> procid.Identity:
    """The record of an earlier process that had the same PID: one start
    tick earlier, a different pidfs inode where there is one."""
    return dataclasses.replace(
        ident, start=ident.start - 1,
        ino=None if ident.ino is None else ident.ino + 1)


def test_check_running_child(spawn) -> None:
    c = spawn()
    assert procid.check(procid.identity(c.pid)) is procid.State.RUNNING


def test_check_reaped_child_is_dead(spawn) -> None:
    c = spawn()
    ident = procid.identity(c.pid)
    c.kill()
    assert procid.check(ident) is procid.State.DEAD


def test_check_zombie_is_dead(spawn) -> None:
    c = spawn()
    ident = procid.identity(c.pid)
    c.release()
    c.wait_exited()
    assert procid.check(ident) is procid.State.DEAD


def test_check_other_process_on_the_pid_is_recycled(spawn) -> None:
    c = spawn()
    assert procid.check(impostor_of(procid.identity(c.pid))) \
        is procid.State.RECYCLED


def test_record_differing_only_in_the_inode_is_recycled(spawn) -> None:
    # what a PID reused within the same clock tick looks like: pid, start
    # and boot all equal; the binding must hand the inode to the library
    c = spawn()
    ident = procid.identity(c.pid)
    if ident.ino is None:
        pytest.skip("no pidfs inode on this kernel (Linux < 6.9)")
    same_tick = dataclasses.replace(ident, ino=ident.ino + 1)
    assert procid.check(same_tick) is procid.State.RECYCLED
    with pytest.raises(procid.NoSuchProcessError) as ei:
        procid.signal(same_tick, signal.SIGTERM)
    assert ei.value.state is procid.State.RECYCLED
    assert signalled_with(c.kill()) == signal.SIGKILL


def test_check_refuses_what_is_not_an_identity() -> None:
    with pytest.raises(TypeError):
        procid.check(1234)  # type: ignore[arg-type]


def test_signal_reaches_the_recorded_process(spawn) -> None:
    c = spawn()
    procid.signal(procid.identity(c.pid), signal.SIGTERM)
    assert signalled_with(c.reap()) == signal.SIGTERM


def test_signal_zero_probes_without_harm(spawn) -> None:
    c = spawn()
    procid.signal(procid.identity(c.pid), 0)
    assert c.running()


def test_signal_to_a_recycled_pid_sends_nothing(spawn) -> None:
    c = spawn()
    with pytest.raises(procid.NoSuchProcessError) as ei:
        procid.signal(impostor_of(procid.identity(c.pid)), signal.SIGTERM)
    assert ei.value.state is procid.State.RECYCLED
    assert ei.value.errno == errno.ESRCH
    assert "another process" in str(ei.value)
    assert signalled_with(c.kill()) == signal.SIGKILL  # TERM never came


def test_signal_to_a_dead_process_raises_dead(spawn) -> None:
    c = spawn()
    ident = procid.identity(c.pid)
    c.kill()
    with pytest.raises(ProcessLookupError) as ei:
        procid.signal(ident, signal.SIGTERM)
    assert ei.value.state is procid.State.DEAD


def test_signal_refuses_a_pid_only_identity(spawn) -> None:
    c = spawn()
    with pytest.raises(PermissionError) as ei:
        procid.signal(procid.Identity(c.pid), signal.SIGTERM)
    assert isinstance(ei.value, procid.ProcidPermissionError)
    assert ei.value.errno == errno.EPERM
    assert "pid-only" in str(ei.value)
    assert signalled_with(c.kill()) == signal.SIGKILL
