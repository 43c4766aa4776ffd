"""Exclusive pidfiles: one instance at a time (procid_pidlock_*).

    with procid.exclusive_pidfile("/run/engine.pid") as lock:
        serve()          # the pidfile records this process; removed on exit

The lock is an flock on "<path>.lock" held as long as the lock is open (and
by children and exec'd programs that inherit its descriptor with
``inherit=True``); the pidfile is still written by atomic rename. A live,
verified holder raises AlreadyRunningError with its identity.
"""
from __future__ import annotations

import ctypes
import errno
import os
from types import TracebackType
from typing import Optional, Type

from . import _lib
from ._errors import PathArg, ProcidError, error_for
from ._identity import Identity


class AlreadyRunningError(ProcidError, FileExistsError):
    """A live process holds the pidfile. ``holder`` is its verified
    Identity, or None when the lock is held but the holder has not recorded
    itself yet."""

    def __init__(self, message: str, filename: PathArg,
                 holder: Optional[Identity]) -> None:
        super().__init__(errno.EEXIST, message, filename)
        self.holder = holder


class ExclusivePidfile:
    """The lock of one pidfile, taken by open(); see the module doc."""

    def __init__(self, path: PathArg, *, inherit: bool = False,
                 insecure: bool = False, write: bool = True) -> None:
        self.path = path
        self._flags = (_lib.PIDLOCK_INHERIT if inherit else 0) | \
            (_lib.READ_INSECURE if insecure else 0)
        self._write_on_enter = write
        self._lk = ctypes.c_void_p()

    def open(self) -> "ExclusivePidfile":
        """Take the lock. AlreadyRunningError when a live process holds the
        pidfile; PidfileError when it is unsafe, malformed or cannot be
        verified (it is then never taken over)."""
        if self._lk:
            raise ValueError("already open")
        holder, err = _lib.CIdentity(), _lib.CError()
        r = _lib.lib.procid_pidlock_open(os.fsencode(self.path), self._flags,
                                         ctypes.byref(self._lk),
                                         ctypes.byref(holder),
                                         ctypes.byref(err))
        msg = err.msg.decode("utf-8", "replace") or _lib.strerror(r)
        if r == -errno.EEXIST:
            raise AlreadyRunningError(
                msg, self.path,
                Identity._from_c(holder) if holder.pid > 0 else None)
        if r < 0:
            raise error_for(r, msg, self.path, pidfile=True)
        return self

    def write(self, identity: Optional[Identity] = None) -> None:
        """Record `identity` (default: this process; call it after the
        last fork) in the pidfile, atomically."""
        arg = None if identity is None else ctypes.byref(identity._c)
        r = _lib.lib.procid_pidlock_write(self._handle(), arg)
        if r < 0:
            raise error_for(r, "cannot write: %s" % _lib.strerror(r),
                            self.path)

    def remove(self) -> None:
        """Remove the pidfile if it still records what write() wrote,
        remove the lock file and release the lock. A pidfile that records
        another process now is kept (ProcidError ESTALE); the lock is
        released in every case."""
        err = _lib.CError()
        r = _lib.lib.procid_pidlock_remove(self._handle(), ctypes.byref(err))
        self._lk = ctypes.c_void_p()
        if r < 0 and r != -errno.ENOENT:
            raise error_for(r, err.msg.decode("utf-8", "replace")
                            or _lib.strerror(r), self.path)

    def close(self) -> None:
        """Close this process's descriptor of the lock, touching no file
        (a parent that forked the daemon)."""
        if self._lk:
            _lib.lib.procid_pidlock_close(self._lk)
            self._lk = ctypes.c_void_p()

    def fileno(self) -> int:
        """The lock's descriptor."""
        return int(_lib.lib.procid_pidlock_fd(self._handle()))

    @property
    def closed(self) -> bool:
        return not self._lk

    def _handle(self) -> ctypes.c_void_p:
        if not self._lk:
            raise ValueError("the exclusive pidfile is not open")
        return self._lk

    def __enter__(self) -> "ExclusivePidfile":
        self.open()
        if self._write_on_enter:
            try:
                self.write()
            except BaseException:
                self.remove()
                raise
        return self

    def __exit__(self, exc_type: Optional[Type[BaseException]],
                 exc: Optional[BaseException],
                 tb: Optional[TracebackType]) -> None:
        if self._lk:
            self.remove()

    def __del__(self) -> None:
        if getattr(self, "_lk", None):
            self.close()


def exclusive_pidfile(path: PathArg, *, inherit: bool = False,
                      insecure: bool = False,
                      write: bool = True) -> ExclusivePidfile:
    """``with exclusive_pidfile(path) as lock:`` takes the lock, records
    this process (unless write=False: call lock.write() after forking) and
    removes both on exit."""
    return ExclusivePidfile(path, inherit=inherit, insecure=insecure,
                            write=write)


__all__ = ["AlreadyRunningError", "ExclusivePidfile", "exclusive_pidfile"]
