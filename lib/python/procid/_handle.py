"""Handle: a verified process held for liveness polls, waits and signals
(procid_open / procid_handle_*), for watchdog loops."""
from __future__ import annotations

import ctypes
import errno
import math
import time
from types import TracebackType
from typing import Optional, Type

from . import _lib
from ._errors import NoSuchProcessError, error_for
from ._identity import Identity, State, _c_of

# A wait is cut into slices this long so that Ctrl-C (KeyboardInterrupt)
# and other Python signal handlers run while waiting: the library restarts
# its poll after EINTR.
_WAIT_SLICE_MS = 200

# alive() is the call watchdogs make in a loop: no lookups it can avoid.
_alive = _lib.lib.procid_handle_alive


class Handle:
    """A process verified once and then held (on Linux by a pidfd): while
    the handle is open no other process can be mistaken for it. Use as a
    context manager, or call :meth:`close`."""

    __slots__ = ("_h", "_identity")

    def __init__(self, identity: Identity, *,
                 allow_unverified: bool = False) -> None:
        """Verify `identity` and hold the process.

        NoSuchProcessError (``state`` DEAD or RECYCLED) when the process is
        not the one recorded. A pid-only identity raises
        ProcidPermissionError unless `allow_unverified`, in which case the
        handle holds whatever process has the PID now."""
        self._h: Optional[ctypes.c_void_p] = None
        self._identity = identity
        h = ctypes.c_void_p()
        st = ctypes.c_int(State.DEAD.value)
        r = _lib.lib.procid_open(ctypes.byref(_c_of(identity)),
                                 1 if allow_unverified else 0,
                                 ctypes.byref(h), ctypes.byref(st))
        if r == -errno.ESRCH:
            state = State(st.value)
            raise NoSuchProcessError(
                r, "pid %d: %s" % (identity.pid,
                                   "now belongs to another process"
                                   if state is State.RECYCLED else
                                   "the process is gone"), state=state)
        if r == -errno.EPERM and State(st.value) is State.UNVERIFIED:
            raise error_for(r, "pid %d: a pid-only record cannot prove it "
                            "names the recorded process (pass "
                            "allow_unverified=True to accept)" % identity.pid)
        if r < 0:
            raise error_for(r, "pid %d: cannot verify the process: %s"
                            % (identity.pid, _lib.strerror(r)))
        self._h = h

    @classmethod
    def open(cls, identity: Identity, *,
             allow_unverified: bool = False) -> "Handle":
        """Same as Handle(identity, allow_unverified=...)."""
        return cls(identity, allow_unverified=allow_unverified)

    @property
    def identity(self) -> Identity:
        """The identity the handle was verified against."""
        return self._identity

    @property
    def pid(self) -> int:
        return self._identity.pid

    @property
    def closed(self) -> bool:
        return self._h is None

    def _held(self) -> ctypes.c_void_p:
        if self._h is None:
            raise ValueError("operation on a closed procid.Handle")
        return self._h

    def alive(self) -> bool:
        """True while the held process runs, False once it has exited
        (zombie included). Linux with pidfd: one poll(2)."""
        h = self._h
        if h is None:
            raise ValueError("operation on a closed procid.Handle")
        r = _alive(h)
        if r == 1:
            return True
        if r < 0:
            raise error_for(r, "pid %d: %s" % (self.pid, _lib.strerror(r)))
        return False

    def wait(self, timeout: Optional[float] = None) -> bool:
        """Wait up to `timeout` seconds (None: forever) for the process to
        exit. True when it has exited, False when it still runs at the
        timeout. The process need not be a child of the caller."""
        h = self._held()
        if timeout is not None and (math.isnan(timeout) or timeout < 0):
            raise ValueError("timeout must be None or >= 0, not %r" % timeout)
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            if deadline is None:
                ms = _WAIT_SLICE_MS
            else:
                left = deadline - time.monotonic()
                ms = max(0, min(_WAIT_SLICE_MS, math.ceil(left * 1000)))
            r = _lib.lib.procid_handle_wait(h, ms)
            if r == 0:
                return True
            if r != -errno.ETIMEDOUT:
                raise error_for(r, "pid %d: cannot wait: %s"
                                % (self.pid, _lib.strerror(r)))
            if deadline is not None and time.monotonic() >= deadline:
                return False

    def signal(self, sig: int) -> None:
        """Signal the held process. NoSuchProcessError once it has
        exited."""
        r = _lib.lib.procid_handle_signal(self._held(), int(sig))
        if r == -errno.ESRCH:
            raise NoSuchProcessError(r, "pid %d: not signalled: the process "
                                     "has exited" % self.pid,
                                     state=State.DEAD)
        if r < 0:
            raise error_for(r, "pid %d: not signalled: %s"
                            % (self.pid, _lib.strerror(r)))

    def close(self) -> None:
        """Release the process (idempotent)."""
        h, self._h = self._h, None
        if h is not None:
            _lib.lib.procid_close(h)

    def __enter__(self) -> "Handle":
        self._held()
        return self

    def __exit__(self, exc_type: Optional[Type[BaseException]],
                 exc: Optional[BaseException],
                 tb: Optional[TracebackType]) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # interpreter shutdown: the library may be gone
            pass

    def __repr__(self) -> str:
        return "<procid.Handle pid=%d%s>" % (
            self.pid, " closed" if self._h is None else "")

