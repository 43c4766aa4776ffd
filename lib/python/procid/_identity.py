"""Identities, pidfiles, checks and verified signals: thin, typed wrappers
of the C functions, with errors raised as exceptions."""
from __future__ import annotations

import ctypes
import enum
import errno
import os
from dataclasses import dataclass, field
from typing import Optional, Union

from . import _lib
from ._errors import NoSuchProcessError, PathArg, error_for

_U64_MAX = (1 << 64) - 1


class State(enum.Enum):
    """The answer of a check (procid_state)."""

    RUNNING = 0     #: the recorded process is alive, its identity matches
    DEAD = 1        #: no process has the PID, or it is a zombie
    RECYCLED = 2    #: the PID is alive but belongs to another process
    UNVERIFIED = 3  #: pid-only (legacy) record: the PID is alive, nothing
    #: tells whether it is the same process


@dataclass(frozen=True)
class Identity:
    """Who a process is: (pid, start, boot, ino). A field the recorder did
    not know is None; two identities name the same process when every field
    both know is equal (:meth:`matches`). ``str()`` is line 2 of the
    pidfile the library would write for it ("" for a pid-only identity)."""

    pid: int
    start: Optional[int] = None
    boot: Optional[str] = None
    ino: Optional[int] = None
    _c: _lib.CIdentity = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.pid, int) or isinstance(self.pid, bool):
            raise TypeError("Identity.pid must be an int, not %s"
                            % type(self.pid).__name__)
        if self.pid <= 0 or self.pid > 0x7FFFFFFF:
            raise ValueError("Identity.pid must be a positive process id, "
                             "not %d" % self.pid)
        for name in ("start", "ino"):
            v = getattr(self, name)
            if v is not None and (not isinstance(v, int) or isinstance(v, bool)
                                  or not 0 <= v <= _U64_MAX):
                raise ValueError("Identity.%s must be None or an unsigned "
                                 "64-bit int, not %r" % (name, v))
        if self.boot is not None:
            if not isinstance(self.boot, str):
                raise TypeError("Identity.boot must be None or a str")
            try:
                raw = self.boot.encode("ascii")
            except UnicodeEncodeError:
                raise ValueError("Identity.boot must be ASCII, not %r"
                                 % self.boot) from None
            if not raw or len(raw) >= _lib.BOOT_MAX:
                raise ValueError("Identity.boot must be 1 to %d characters"
                                 % (_lib.BOOT_MAX - 1))
        object.__setattr__(self, "_c", self._to_c())

    def _to_c(self) -> _lib.CIdentity:
        c = _lib.CIdentity()  # zeroed, reserved included
        c.pid = self.pid
        if self.start is not None:
            c.have |= _lib.HAVE_START
            c.start = self.start
        if self.boot is not None:
            c.have |= _lib.HAVE_BOOT
            c.boot = self.boot.encode("ascii")
        if self.ino is not None:
            c.have |= _lib.HAVE_INO
            c.ino = self.ino
        return c

    @classmethod
    def _from_c(cls, c: _lib.CIdentity) -> "Identity":
        """Wrap an identity the library filled in (valid by construction:
        no re-validation, and `c` itself is kept as the C form)."""
        self = object.__new__(cls)
        have = c.have
        put = object.__setattr__
        put(self, "pid", c.pid)
        put(self, "start", c.start if have & _lib.HAVE_START else None)
        put(self, "boot", c.boot.decode("ascii", "replace")
            if have & _lib.HAVE_BOOT else None)
        put(self, "ino", c.ino if have & _lib.HAVE_INO else None)
        put(self, "_c", c)
        return self

    @property
    def verifiable(self) -> bool:
        """False for a pid-only (legacy) record: checks answer UNVERIFIED."""
        return self.start is not None or self.ino is not None

    def matches(self, other: "Identity") -> bool:
        """procid_identity_match: same pid, every field both know equal."""
        return bool(_lib.lib.procid_identity_match(
            ctypes.byref(self._c), ctypes.byref(_c_of(other))))

    def __str__(self) -> str:
        lines = format_pidfile(self).split("\n")
        return lines[1] if len(lines) > 2 else ""


# check() is the call watchdogs make in a loop: no lookups it can avoid.
_check = _lib.lib.procid_check
_STATES = tuple(sorted(State, key=lambda s: s.value))


def _c_of(identity: Identity) -> _lib.CIdentity:
    if not isinstance(identity, Identity):
        raise TypeError("expected a procid.Identity, not %s"
                        % type(identity).__name__)
    return identity._c


def _fspath(path: PathArg) -> bytes:
    return os.fsencode(path)


def identity(pid: int) -> Identity:
    """The identity of the live process `pid`. NoSuchProcessError when there
    is none (or it is a zombie); ProcidPermissionError when the platform
    refuses to show its start time."""
    if not isinstance(pid, int) or isinstance(pid, bool):
        raise TypeError("pid must be an int, not %s" % type(pid).__name__)
    if pid <= 0 or pid > 0x7FFFFFFF:
        raise ValueError("not a process id: %d" % pid)
    c = _lib.CIdentity()
    r = _lib.lib.procid_identity_of(pid, ctypes.byref(c))
    if r < 0:
        raise error_for(r, "pid %d: %s" % (pid, _lib.strerror(r)))
    return Identity._from_c(c)


def self_identity() -> Identity:
    """The identity of the calling process."""
    c = _lib.CIdentity()
    r = _lib.lib.procid_self(ctypes.byref(c))
    if r < 0:
        raise error_for(r)
    return Identity._from_c(c)


def format_pidfile(identity: Identity) -> str:
    """The pidfile contents the library writes for `identity`."""
    buf = ctypes.create_string_buffer(_lib.PIDFILE_MAX + 1)
    n = _lib.lib.procid_pidfile_format(ctypes.byref(_c_of(identity)), buf,
                                       len(buf))
    if n < 0:
        raise error_for(n, "pid %d: identity cannot be written as a pidfile:"
                        " %s" % (identity.pid, _lib.strerror(n)))
    return buf.raw[:n].decode("ascii")


def _pidfile_error(r: int, err: _lib.CError,
                   filename: Optional[PathArg]) -> Exception:
    msg = err.msg.decode("utf-8", "replace") or _lib.strerror(r)
    return error_for(r, msg, filename, pidfile=True)


def parse_pidfile(data: Union[str, bytes],
                  filename: Optional[PathArg] = None) -> Identity:
    """Parse pidfile contents (as read from a file); PidfileError, with the
    parser's message, when they are malformed."""
    raw = data.encode("utf-8", "surrogateescape") if isinstance(data, str) \
        else bytes(data)
    c, err = _lib.CIdentity(), _lib.CError()
    r = _lib.lib.procid_pidfile_parse(raw, len(raw), ctypes.byref(c),
                                      ctypes.byref(err))
    if r < 0:
        raise _pidfile_error(r, err, filename)
    return Identity._from_c(c)


def _uid_of(owner: Union[int, str]) -> int:
    if isinstance(owner, bool) or not isinstance(owner, (int, str)):
        raise TypeError("owner must be a uid or a user name, not %s"
                        % type(owner).__name__)
    if isinstance(owner, int):
        if owner < 0:
            raise ValueError("not a uid: %d" % owner)
        return owner
    import pwd
    try:
        return pwd.getpwnam(owner).pw_uid
    except KeyError:
        raise ValueError("no such user: %r" % owner) from None


def read_pidfile(path: PathArg, *, insecure: bool = False,
                 owner: Optional[Union[int, str]] = None) -> Identity:
    """Read and parse the pidfile at `path`.

    Unless `insecure`, refuses a symlink, anything but a regular file, a
    file owned by someone other than the caller or root, and a group- or
    world-writable file. Raises PidfileNotFoundError (a FileNotFoundError)
    when there is no file, PidfileError otherwise; ``message`` says what
    was wrong and where. A legacy pid-only file is not an error: it gives an
    Identity with only a pid, which checks as UNVERIFIED.

    `owner` (a uid or user name) trusts the pidfile of a daemon that runs
    as that user: a file, and a directory, it owns are accepted, and then
    only when the recorded process, if alive, runs as `owner` (real,
    effective and saved uid); PidfileError (EPERM) otherwise."""
    c, err = _lib.CIdentity(), _lib.CError()
    flags = _lib.READ_INSECURE if insecure else 0
    if owner is None:
        r = _lib.lib.procid_pidfile_read(_fspath(path), flags,
                                         ctypes.byref(c), ctypes.byref(err))
    else:
        r = _lib.lib.procid_pidfile_read_owner(_fspath(path), flags,
                                               _uid_of(owner),
                                               ctypes.byref(c),
                                               ctypes.byref(err))
    if r < 0:
        raise _pidfile_error(r, err, path)
    return Identity._from_c(c)


def write_pidfile(path: PathArg, pid: Union[int, Identity]) -> Identity:
    """Atomically record the identity of `pid` (or the given Identity) in
    `path`: a temporary file in the same directory, fsync, rename, fsync of
    the directory. On failure `path` is untouched. Returns what was
    recorded."""
    ident = pid if isinstance(pid, Identity) else identity(pid)
    r = _lib.lib.procid_pidfile_write(_fspath(path), ident._c)
    if r < 0:
        raise error_for(r, "cannot write: %s" % _lib.strerror(r), path)
    return ident


def check(identity: Identity) -> State:
    """Compare `identity` with the process that holds its PID now.
    ProcidPermissionError (EACCES) when the identity cannot be read: that is
    never reported as RECYCLED."""
    st = ctypes.c_int(0)
    r = _check(_c_of(identity), st)  # ctypes passes both by reference
    if r < 0:
        raise error_for(r, "pid %d: cannot verify the process: %s"
                        % (identity.pid, _lib.strerror(r)))
    return _STATES[st.value]


def signal(identity: Identity, sig: int) -> None:
    """Send `sig` to the process `identity` names, only if it still is that
    process (Linux: through a pidfd, no reuse window). NoSuchProcessError,
    with ``state`` DEAD or RECYCLED, when nothing was sent because the
    process is gone; ProcidPermissionError for a pid-only identity or when
    the identity cannot be read (fails closed)."""
    st = ctypes.c_int(State.DEAD.value)
    r = _lib.lib.procid_signal(ctypes.byref(_c_of(identity)), int(sig),
                               ctypes.byref(st))
    if r == 0:
        return
    if r == -errno.ESRCH:
        state = State(st.value)
        raise NoSuchProcessError(
            r, "pid %d: not signalled: %s" % (
                identity.pid, "the PID now belongs to another process"
                if state is State.RECYCLED else "the process is gone"),
            state=state)
    if r == -errno.EPERM and not identity.verifiable:
        raise error_for(r, "pid %d: refusing to signal: a pid-only record "
                        "cannot prove it names the recorded process"
                        % identity.pid)
    raise error_for(r, "pid %d: not signalled: %s"
                    % (identity.pid, _lib.strerror(r)))
