"""procid: pidfiles that cannot point at the wrong process.

A pidfile that stores a bare PID lies once the process is gone and the
kernel hands the number to someone else. procid records the process's
identity (pid, start, boot, ino) and every check or signal compares it with
the process that holds the PID now. This package is a ctypes binding of
libprocid (the C library does the work; nothing here re-implements it).

    import procid

    procid.write_pidfile("engine.pid", os.getpid())      # atomic
    ident = procid.read_pidfile("engine.pid")              # safe read
    procid.check(ident)            # State.RUNNING / DEAD / RECYCLED / UNVERIFIED
    procid.stop("engine.pid", retry="TERM/30/KILL/5", remove=True)

    with procid.exclusive_pidfile("engine.pid"):  # one instance at a time
        serve()

Errors are exceptions: ProcidError (an OSError with the errno) and its
subclasses PidfileError (filename, and the parser's exact message),
PidfileNotFoundError, NoSuchProcessError (``state``: DEAD or RECYCLED),
ProcidPermissionError and StillRunningError.

The shared library is found through $PROCID_LIBRARY, else next to the
package (cmake install), else as libprocid.so.0 on the loader's path.
"""
from __future__ import annotations

from . import _lib
from ._errors import (NoSuchProcessError, PidfileError, PidfileNotFoundError,
                      ProcidError, ProcidPermissionError, StillRunningError)
from ._exclusive import (AlreadyRunningError, ExclusivePidfile,
                         exclusive_pidfile)
from ._handle import Handle
from ._identity import (Identity, State, check, format_pidfile, identity,
                        parse_pidfile, read_pidfile, self_identity, signal,
                        write_pidfile)
from ._stop import DEFAULT_RETRY, parse_schedule, stop

__version__ = "0.1.0"

#: Version of the libprocid that was loaded ("MAJOR.MINOR.PATCH").
library_version: str = _lib.version
#: Path or name it was loaded from.
library_path: str = _lib.path

#: Verify `identity` and hold the process: ``with procid.open(ident) as h:``.
open = Handle.open  # noqa: A001 - procid.open, as the API names it

__all__ = [
    "AlreadyRunningError",
    "DEFAULT_RETRY",
    "ExclusivePidfile",
    "Handle",
    "Identity",
    "NoSuchProcessError",
    "PidfileError",
    "PidfileNotFoundError",
    "ProcidError",
    "ProcidPermissionError",
    "State",
    "StillRunningError",
    "check",
    "exclusive_pidfile",
    "format_pidfile",
    "identity",
    "library_path",
    "library_version",
    "parse_pidfile",
    "parse_schedule",
    "read_pidfile",
    "self_identity",
    "signal",
    "stop",
    "write_pidfile",
]
