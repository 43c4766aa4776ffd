"""stop(): the retry schedule on top of Handle, as `procid stop` does it;
only the recorded process is ever signalled."""
from __future__ import annotations

import errno
import os
import signal

import pytest

import procid
from conftest import signalled_with
from test_check_signal import impostor_of


def test_stop_terminates_and_removes(spawn, tmp_path) -> None:
    c = spawn()
    path = tmp_path / "e.pid"
    procid.write_pidfile(path, c.pid)
    assert procid.stop(path, retry="TERM/10/KILL/5", remove=True) \
        is procid.State.RUNNING
    assert signalled_with(c.reap()) == signal.SIGTERM
    assert not path.exists()


def test_stop_escalates_to_kill(spawn, tmp_path) -> None:
    c = spawn(ignore_term=True)
    path = tmp_path / "e.pid"
    procid.write_pidfile(path, c.pid)
    assert procid.stop(path, retry="TERM/0.2/KILL/10") is procid.State.RUNNING
    assert signalled_with(c.reap()) == signal.SIGKILL
    assert path.exists()  # remove=False


def test_stop_lone_timeout_means_sig_t_kill_t(spawn, tmp_path) -> None:
    assert procid.parse_schedule("5") == [
        ("signal", signal.SIGTERM), ("wait", 5.0),
        ("signal", signal.SIGKILL), ("wait", 5.0)]
    c = spawn(ignore_term=True)
    path = tmp_path / "e.pid"
    procid.write_pidfile(path, c.pid)
    procid.stop(path, retry="0.2")
    assert signalled_with(c.reap()) == signal.SIGKILL


def test_stop_forever_repeats_the_rest(spawn, tmp_path) -> None:
    c = spawn(ignore_term=True, exit_after_usr1=3)
    path = tmp_path / "e.pid"
    procid.write_pidfile(path, c.pid)
    assert procid.stop(path, retry="TERM/0.05/forever/USR1/0.2") \
        is procid.State.RUNNING
    status = c.reap()
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 3


def test_stop_still_running_after_the_schedule(spawn, tmp_path) -> None:
    c = spawn(ignore_term=True)
    path = tmp_path / "e.pid"
    procid.write_pidfile(path, c.pid)
    with pytest.raises(procid.StillRunningError) as ei:
        procid.stop(path, retry="TERM/0.1", remove=True)
    assert isinstance(ei.value, TimeoutError)
    assert ei.value.errno == errno.ETIMEDOUT
    assert "still running" in str(ei.value)
    assert c.running() and path.exists()


def test_stop_without_retry_signals_once_and_does_not_wait(spawn, tmp_path) -> None:
    c = spawn(ignore_term=True)
    path = tmp_path / "e.pid"
    procid.write_pidfile(path, c.pid)
    assert procid.stop(path, retry=None, remove=True) is procid.State.RUNNING
    assert c.running() and path.exists()  # not exited: file kept


def test_stop_no_pidfile_is_dead(tmp_path) -> None:
    assert procid.stop(tmp_path / "none.pid") is procid.State.DEAD


def test_stop_dead_process_signals_nothing_and_removes(spawn, tmp_path) -> None:
    c = spawn()
    path = tmp_path / "e.pid"
    procid.write_pidfile(path, c.pid)
    c.kill()
    assert procid.stop(path, remove=True) is procid.State.DEAD
    assert not path.exists()


def test_stop_recycled_pid_spares_the_other_process(spawn, tmp_path) -> None:
    c = spawn()
    path = tmp_path / "e.pid"
    procid.write_pidfile(path, impostor_of(procid.identity(c.pid)))
    assert procid.stop(path, remove=True) is procid.State.RECYCLED
    assert not path.exists()
    assert signalled_with(c.kill()) == signal.SIGKILL


def test_stop_legacy_pidfile_refused_unless_allowed(spawn, tmp_path) -> None:
    c = spawn()
    path = tmp_path / "engine.pid"
    path.write_text("%d\n" % c.pid)
    with pytest.raises(procid.ProcidPermissionError):
        procid.stop(path)
    assert c.running()
    assert procid.stop(path, allow_unverified=True, remove=True) \
        is procid.State.UNVERIFIED
    assert signalled_with(c.reap()) == signal.SIGTERM
    assert not path.exists()


def test_stop_malformed_pidfile_raises_and_leaves_it(tmp_path) -> None:
    path = tmp_path / "e.pid"
    path.write_bytes(b"12 x\n")
    with pytest.raises(procid.PidfileError):
        procid.stop(path, remove=True)
    assert path.read_bytes() == b"12 x\n"


@pytest.mark.parametrize("bad", ["", "TERM/soon", "TERM/0x10", "NOSUCH/5",
                                 "forever", "TERM/1.", "TERM/.5", "TERM//5"])
def test_bad_schedule_is_a_value_error_naming_it(bad: str) -> None:
    with pytest.raises(ValueError) as ei:
        procid.parse_schedule(bad)
    assert repr(bad) in str(ei.value)


def test_schedule_accepts_names_numbers_and_fractions() -> None:
    assert procid.parse_schedule("SIGHUP/1.5/-9/forever/TERM/2") == [
        ("signal", signal.SIGHUP), ("wait", 1.5), ("signal", 9),
        ("forever", 0), ("signal", signal.SIGTERM), ("wait", 2.0)]
