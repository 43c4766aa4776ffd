"""The exceptions: every failure of the library is a ProcidError (an OSError
with the errno the C library returned), refined so that the usual
``except FileNotFoundError`` / ``ProcessLookupError`` / ``PermissionError``
clauses keep working."""
from __future__ import annotations

import errno as _errno
import os
from typing import TYPE_CHECKING, Optional, Union

from . import _lib

if TYPE_CHECKING:
    from ._identity import State

PathArg = Union[str, bytes, "os.PathLike[str]", "os.PathLike[bytes]"]


class ProcidError(OSError):
    """Base of every procid error. ``errno`` is the positive errno value,
    ``strerror`` libprocid's name for it, ``filename`` the file involved
    (or None)."""

    def __init__(self, err: int, message: Optional[str] = None,
                 filename: Optional[PathArg] = None) -> None:
        name = _lib.strerror(-abs(err))
        if filename is None:
            super().__init__(abs(err), name)
        else:
            super().__init__(abs(err), name, filename)
        self.message = message

    def __str__(self) -> str:
        text = self.message or self.strerror
        if self.filename is not None:
            return "%s: %s" % (os.fsdecode(self.filename), text)
        return text


class PidfileError(ProcidError):
    """A pidfile that could not be read or was refused. ``message`` is the
    library's exact explanation (procid_error.msg: the line, the column and
    what was found), ``filename`` the pidfile."""


class PidfileNotFoundError(PidfileError, FileNotFoundError):
    """There is no such pidfile (errno ENOENT)."""


class ProcidPermissionError(ProcidError, PermissionError):
    """EPERM or EACCES: the identity cannot be read, the pidfile is unsafe,
    a legacy pid-only record cannot be signalled, or the kernel refused the
    signal."""


class NoSuchProcessError(ProcidError, ProcessLookupError):
    """ESRCH: the process is gone. ``state`` says whether no process has the
    PID (State.DEAD) or another process holds it now (State.RECYCLED);
    nothing was signalled."""

    def __init__(self, err: int, message: Optional[str] = None,
                 filename: Optional[PathArg] = None,
                 state: Optional["State"] = None) -> None:
        super().__init__(err, message, filename)
        self.state = state


class StillRunningError(ProcidError, TimeoutError):
    """stop(): the process still runs after the whole retry schedule."""


def error_for(err: int, message: Optional[str] = None,
              filename: Optional[PathArg] = None,
              pidfile: bool = False) -> ProcidError:
    """The exception for a negative errno value returned by libprocid."""
    e = -err if err < 0 else err
    if pidfile and e == _errno.ENOENT:
        return PidfileNotFoundError(e, message, filename)
    if pidfile:
        return PidfileError(e, message, filename)
    if e in (_errno.EPERM, _errno.EACCES):
        return ProcidPermissionError(e, message, filename)
    if e == _errno.ESRCH:
        return NoSuchProcessError(e, message, filename)
    return ProcidError(e, message, filename)
