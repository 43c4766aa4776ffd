"""Handle: verified once, then held; alive(), wait(), signal(), and the
context manager."""
from __future__ import annotations

import signal
import subprocess
import time

import pytest

import procid
from conftest import signalled_with
from test_check_signal import impostor_of


def test_handle_follows_the_process_until_it_exits(spawn) -> None:
    c = spawn()
    with procid.open(procid.identity(c.pid)) as h:
        assert h.alive()
        assert h.wait(0.05) is False
        h.signal(signal.SIGTERM)
        assert h.wait(10) is True
        assert not h.alive()
        with pytest.raises(procid.NoSuchProcessError):
            h.signal(signal.SIGTERM)
    assert signalled_with(c.reap()) == signal.SIGTERM


def test_wait_returns_when_the_process_exits_not_at_the_timeout(spawn) -> None:
    c = spawn()
    with procid.Handle(procid.identity(c.pid)) as h:
        t0 = time.monotonic()
        c.release()
        assert h.wait(30) is True
        assert time.monotonic() - t0 < 10


def test_wait_for_a_process_that_is_not_our_child(tmp_path) -> None:
    # sh starts sleep in the background and exits: sleep is reparented
    out = subprocess.run(["sh", "-c", "sleep 1 </dev/null >/dev/null 2>&1 & "
                          "echo $!"],
                         capture_output=True, text=True, check=True)
    pid = int(out.stdout)
    with procid.open(procid.identity(pid)) as h:
        assert h.wait(30) is True
        assert not h.alive()


def test_closed_handle_refuses_use(spawn) -> None:
    c = spawn()
    h = procid.Handle(procid.identity(c.pid))
    with h:
        pass
    assert h.closed
    for call in (h.alive, lambda: h.wait(0), lambda: h.signal(0)):
        with pytest.raises(ValueError):
            call()
    h.close()  # idempotent
    assert c.running()


def test_open_a_recycled_pid_raises_recycled(spawn) -> None:
    c = spawn()
    with pytest.raises(procid.NoSuchProcessError) as ei:
        procid.open(impostor_of(procid.identity(c.pid)))
    assert ei.value.state is procid.State.RECYCLED


def test_open_a_dead_process_raises_dead(spawn) -> None:
    c = spawn()
    ident = procid.identity(c.pid)
    c.kill()
    with pytest.raises(procid.NoSuchProcessError) as ei:
        procid.open(ident)
    assert ei.value.state is procid.State.DEAD


def test_open_a_pid_only_identity_needs_consent(spawn) -> None:
    c = spawn()
    legacy = procid.Identity(c.pid)
    with pytest.raises(procid.ProcidPermissionError) as ei:
        procid.open(legacy)
    assert "allow_unverified" in str(ei.value)
    with procid.open(legacy, allow_unverified=True) as h:
        assert h.alive()
        assert h.identity == legacy


@pytest.mark.parametrize("bad", [-1, float("nan")])
def test_wait_refuses_a_negative_timeout(spawn, bad: float) -> None:
    c = spawn()
    with procid.open(procid.identity(c.pid)) as h:
        with pytest.raises(ValueError):
            h.wait(bad)


class _Interrupted(Exception):
    pass


def test_wait_forever_lets_python_signal_handlers_run(spawn) -> None:
    # Ctrl-C during h.wait(): the handler's exception must surface while
    # the process still runs, not when it exits
    c = spawn()

    def on_alarm(signo: int, frame: object) -> None:
        raise _Interrupted()
    old = signal.signal(signal.SIGALRM, on_alarm)
    try:
        with procid.open(procid.identity(c.pid)) as h:
            signal.setitimer(signal.ITIMER_REAL, 0.1)
            t0 = time.monotonic()
            with pytest.raises(_Interrupted):
                h.wait()
            assert time.monotonic() - t0 < 5
            assert h.alive()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
