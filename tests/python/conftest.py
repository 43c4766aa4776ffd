"""Fixtures for the procid Python package tests: real forked children
synchronised with pipes, and private directories. No mocks.

Environment (set by ctest and by ci/test.sh's installed-package step):
  PROCID_LIBRARY      the libprocid under test (else the package finds it)
  PROCID_CLI          the procid command built from the same sources
  PROCID_INCLUDE_DIR  the directory holding procid.h (ABI test)
  PROCID_EXPECT_INSTALLED  if set, a directory the imported package must
                      live under (proves the installed copy is tested)
"""
from __future__ import annotations

import os
import signal
import subprocess
from typing import Iterator, List, Optional

import pytest

import procid


def pytest_report_header(config: object) -> List[str]:
    return ["procid package: %s" % os.path.dirname(procid.__file__),
            "libprocid %s: %s" % (procid.library_version,
                                  procid.library_path)]


class Child:
    """A forked child that reports ready, then blocks until released,
    signalled or killed. Never a zombie past the test: reaped at teardown."""

    def __init__(self, ignore_term: bool = False,
                 exit_after_usr1: int = 0) -> None:
        r, w = os.pipe()
        ctl_r, ctl_w = os.pipe()
        pid = os.fork()
        if pid == 0:  # child: no pytest code runs here
            try:
                os.close(r)
                os.close(ctl_w)
                if ignore_term:
                    signal.signal(signal.SIGTERM, signal.SIG_IGN)
                if exit_after_usr1:
                    count = [0]

                    def on_usr1(signo: int, frame: object) -> None:
                        count[0] += 1
                        if count[0] >= exit_after_usr1:
                            os._exit(3)
                    signal.signal(signal.SIGUSR1, on_usr1)
                os.write(w, b"r")
                os.read(ctl_r, 1)  # PEP 475: retried after a signal
                os._exit(0)
            finally:
                os._exit(70)
        os.close(w)
        os.close(ctl_r)
        assert os.read(r, 1) == b"r"
        os.close(r)
        self.pid = pid
        self._ctl = ctl_w
        self.status: Optional[int] = None

    def release(self) -> None:
        """Let the child exit(0); it is not reaped."""
        os.write(self._ctl, b"x")

    def wait_exited(self) -> None:
        """Wait until the child has exited, leaving it a zombie."""
        os.waitid(os.P_PID, self.pid, os.WEXITED | os.WNOWAIT)

    def reap(self) -> int:
        if self.status is None:
            _, self.status = os.waitpid(self.pid, 0)
            os.close(self._ctl)
        return self.status

    def kill(self) -> int:
        """SIGKILL and reap; the wait status. WTERMSIG == SIGKILL proves that
        no earlier fatal signal (SIGTERM) reached the child."""
        if self.status is None:
            os.kill(self.pid, signal.SIGKILL)
        return self.reap()

    def running(self) -> bool:
        """Not yet exited (a zombie counts as exited). Reaps nothing."""
        if self.status is not None:
            return False
        info = os.waitid(os.P_PID, self.pid,
                         os.WEXITED | os.WNOHANG | os.WNOWAIT)
        return info is None


@pytest.fixture
def spawn() -> Iterator["type[Child]"]:
    made: List[Child] = []

    def make(**kw: object) -> Child:
        c = Child(**kw)  # type: ignore[arg-type]
        made.append(c)
        return c
    yield make  # type: ignore[misc]
    for c in made:
        c.kill()


@pytest.fixture
def cli() -> str:
    path = os.environ.get("PROCID_CLI")
    if not path:
        pytest.skip("PROCID_CLI is not set: no procid command to compare "
                    "the binding with")
    return path


def run_cli(cli: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([cli, *args], capture_output=True, text=True,
                          timeout=60)


def signalled_with(status: int) -> Optional[int]:
    return os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
