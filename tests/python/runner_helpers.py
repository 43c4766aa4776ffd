# The pidfile helpers of a Python job runner, before and after procid. The
# "after" block is the README's five-line replacement, verbatim
# (test_scenario.py checks that the README shows exactly this code).
import os
import signal

import procid


# ---- before: a bare PID, os.kill --------------------------------------------
def engine_alive_before(pidfile):
    try:
        os.kill(int(open(pidfile).readline()), 0)
        return True
    except (FileNotFoundError, ProcessLookupError):
        return False


def stop_run_before(pidfile):
    try:
        os.kill(int(open(pidfile).readline()), signal.SIGTERM)
    except (FileNotFoundError, ProcessLookupError):
        pass


# ---- after (README) -----------------------------------------------------------
def engine_alive(pidfile):
    try:
        return procid.check(procid.read_pidfile(pidfile)) in (procid.State.RUNNING, procid.State.UNVERIFIED)
    except FileNotFoundError:
        return False


def stop_run(pidfile):  # a pid-only engine.pid from an older version is stopped as before
    procid.stop(pidfile, retry="TERM/10/KILL/5", remove=True, allow_unverified=True)
# ---- end -----------------------------------------------------------------------


def engine_started(pidfile):
    """What the engine does at start (was: open(pidfile, "w").write(str(os.getpid())))."""
    procid.write_pidfile(pidfile, os.getpid())
