"""stop(): the `procid stop` command's behaviour, in Python, on top of
Handle.signal and Handle.wait. The retry schedule is start-stop-daemon's."""
from __future__ import annotations

import errno
import os
import signal as _signal
from typing import List, Optional, Tuple, Union

from ._errors import NoSuchProcessError, PathArg, StillRunningError
from ._handle import Handle
from ._identity import State, read_pidfile

Step = Tuple[str, float]  # ("signal", signo) | ("wait", seconds) | ("forever", 0)

DEFAULT_RETRY = "TERM/30/KILL/5"


def _seconds(tok: str) -> Optional[float]:
    if not tok or not all(ch.isdigit() or ch == "." for ch in tok) \
            or tok.count(".") > 1 or tok.startswith(".") or tok.endswith("."):
        return None
    return float(tok)


def _signo(tok: str) -> Optional[int]:
    name = tok[1:] if tok.startswith("-") else tok
    if name.isdigit():
        n = int(name)
        return n if 1 <= n <= 64 else None
    name = name.upper()
    if not name.startswith("SIG"):
        name = "SIG" + name
    sig = _signal.Signals.__members__.get(name)
    return int(sig) if sig is not None else None


def parse_schedule(retry: str,
                   sig: Union[int, _signal.Signals] = _signal.SIGTERM
                   ) -> List[Step]:
    """A start-stop-daemon schedule as steps: ``TERM/30/KILL/5`` (signal,
    wait up to 30 s, KILL, wait up to 5 s); a lone timeout ``T`` means
    ``SIG/T/KILL/T``; ``forever`` repeats what follows it. ValueError names
    the item that is wrong."""
    secs = _seconds(retry)
    if secs is not None:
        return [("signal", int(sig)), ("wait", secs),
                ("signal", int(_signal.SIGKILL)), ("wait", secs)]
    steps: List[Step] = []
    for i, tok in enumerate(retry.split("/"), 1):
        if tok == "forever":
            steps.append(("forever", 0))
        elif _seconds(tok) is not None:
            steps.append(("wait", float(tok)))
        elif _signo(tok) is not None:
            steps.append(("signal", _signo(tok) or 0))
        else:
            raise ValueError(
                "retry schedule %r: item %d %r is not a signal, a timeout in "
                "seconds or 'forever'" % (retry, i, tok))
    if not any(kind != "forever" for kind, _ in steps):
        raise ValueError("retry schedule %r has no signal or timeout" % retry)
    return steps


def _run(h: Handle, steps: List[Step]) -> bool:
    """Follow the schedule; True once the process has exited."""
    forever = -1
    i = 0
    while i < len(steps):
        kind, value = steps[i]
        if kind == "forever":
            forever = i + 1
        elif kind == "signal":
            try:
                h.signal(int(value))
            except NoSuchProcessError:
                return True
        elif h.wait(value):
            return True
        i += 1
        if i == len(steps) and 0 <= forever < len(steps):
            i = forever
    return False


def _remove_if_same(path: PathArg, seen: os.stat_result) -> bool:
    """Delete `path` only if it is still the file that was read."""
    try:
        now = os.lstat(path)
        if (now.st_dev, now.st_ino) != (seen.st_dev, seen.st_ino):
            return False
        os.unlink(path)
        return True
    except FileNotFoundError:
        return False


def stop(path: PathArg, *, retry: Optional[str] = DEFAULT_RETRY,
         sig: Union[int, _signal.Signals] = _signal.SIGTERM,
         remove: bool = False, allow_unverified: bool = False,
         insecure: bool = False) -> State:
    """Stop the process recorded in the pidfile `path`, as ``procid stop``.

    Nothing is signalled unless the process still is the recorded one: the
    process is verified once and then held by a Handle for the whole
    schedule, so a PID recycled meanwhile is never signalled.

    `retry` is a start-stop-daemon schedule (``TERM/30/KILL/5``, a lone
    timeout T meaning SIG/T/KILL/T with SIG = `sig`, ``forever``); None
    sends `sig` once and does not wait. `remove` deletes the pidfile once
    the process is gone, only if the file was not replaced meanwhile.
    A pid-only (legacy) pidfile is refused (ProcidPermissionError) unless
    `allow_unverified`: then whatever process has the PID is stopped, as a
    bare-PID pidfile always was.

    Returns what was found: RUNNING (it ran and has now exited, or with
    retry=None: it was signalled), UNVERIFIED (the same, for a pid-only
    file), DEAD (gone, or no pidfile) or RECYCLED (the PID belongs to
    another process: nothing signalled). Raises PidfileError for an
    unusable pidfile (left untouched), StillRunningError when the process
    outlives the schedule, ProcidError when it cannot be verified or
    signalled."""
    steps = parse_schedule(retry, sig) if retry is not None else []
    try:
        seen = os.lstat(path)
        ident = read_pidfile(path, insecure=insecure)
    except FileNotFoundError:
        return State.DEAD
    try:
        h = Handle(ident, allow_unverified=allow_unverified)
    except NoSuchProcessError as e:
        if remove:
            _remove_if_same(path, seen)
        return e.state or State.DEAD
    with h:
        found = State.RUNNING if ident.verifiable else State.UNVERIFIED
        if steps:
            exited = _run(h, steps)
        else:
            try:
                h.signal(int(sig))
            except NoSuchProcessError:
                pass
            exited = not h.alive()
        if steps and not exited:
            raise StillRunningError(
                errno.ETIMEDOUT, "pid %d still running after the retry "
                "schedule %r" % (ident.pid, retry), path)
        if remove and exited:
            _remove_if_same(path, seen)
    return found
