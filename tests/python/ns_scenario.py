"""The forced-reuse scenario, run as PID 1 of a new user + PID + mount
namespace (test_scenario.py starts it with `unshare -Urpf --mount-proc`).

Each round: an engine child writes its pidfile through the package and is
SIGKILLed and reaped; ns_last_pid is set so that the next fork, an
impostor, receives the engine's PID, as often as this machine allows within
the engine's 10 ms start-time tick (each round starts at a tick boundary;
rounds go on until WANT_SAME of them landed in the same tick, or
MAX_ROUNDS). The runner's helpers (runner_helpers.py) then look at the pidfile.
Nothing is asserted here: every observation goes into a JSON report that
the test judges.

usage: ns_scenario.py DIR MAX_ROUNDS WANT_SAME REPORT_JSON
exit: 0 report written (it says "skip" with a reason when the namespace
cannot force a PID), anything else a failure.
"""
import ctypes
import gc
import json
import os
import signal
import sys
import time

import procid
import runner_helpers as runner

NS_LAST_PID = "/proc/sys/kernel/ns_last_pid"  # portability: forced PID reuse, the kernel's only knob for choosing the next PID
TICK_NS = 10_000_000  # USER_HZ 100: the unit of the start time


_last_pid_fd = -1


def set_last_pid(pid):
    """The next fork in this PID namespace gets pid + 1. The file stays
    open: between the engine's death and the impostor's fork every
    microsecond counts."""
    global _last_pid_fd
    if _last_pid_fd < 0:
        _last_pid_fd = os.open(NS_LAST_PID, os.O_WRONLY | os.O_CLOEXEC)
    os.pwrite(_last_pid_fd, b"%d" % pid, 0)


def tmpfs_on(d):
    """Our own tmpfs on d (this is our mount namespace): an fsync there
    costs nothing, so the engine's atomic write fits in a clock tick."""
    libc = ctypes.CDLL(None, use_errno=True)
    return libc.mount(b"tmpfs", os.fsencode(d), b"tmpfs", 0, b"mode=0700") == 0


def tick_phase(phase_ns):
    """Return when CLOCK_BOOTTIME (the clock start times are taken from) is
    phase_ns into a start-time tick. The engine's start time is stamped at
    the end of its fork, some milliseconds after the call: successive
    rounds try different phases so that some stamp lands early in a tick
    and leave the rest of it for the death and the impostor's fork."""
    while True:
        now = time.clock_gettime_ns(time.CLOCK_BOOTTIME)
        if phase_ns <= now % TICK_NS < phase_ns + 300_000:
            return now


def engine(path):
    """The engine: records itself through the package, then dies by
    SIGKILL (as from the OOM killer or a kill -9). It sends the SIGKILL
    itself only so that no wake-up of this process stands between its
    death and the impostor's fork."""
    pid = os.fork()
    if pid == 0:
        try:
            runner.engine_started(path)
            os.kill(os.getpid(), signal.SIGKILL)
        finally:
            os._exit(70)
    _, status = os.waitpid(pid, 0)
    return pid, (os.WTERMSIG(status) if os.WIFSIGNALED(status) else -1)


def impostor():
    """A process that merely happens to get the PID next (a sleep)."""
    return os.posix_spawn("/bin/sleep", ["sleep", "1000"], {})


def running(pid):
    """Not exited yet (zombies count as exited); reaps nothing."""
    return os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None


def kill_status(pid):
    """SIGKILL and reap; the signal that ended the process."""
    os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    return os.WTERMSIG(status) if os.WIFSIGNALED(status) else -1


def one_round(d, n):
    path = os.path.join(d, "engine-%d.pid" % n)
    gc.collect()
    gc.freeze()  # fewer copy-on-write faults in the engine after fork
    t0 = tick_phase((n * 1_300_000) % TICK_NS)
    eng, obs_status = engine(path)
    t1 = time.clock_gettime_ns(time.CLOCK_BOOTTIME)
    set_last_pid(eng - 1)
    imp = impostor()
    t2 = time.clock_gettime_ns(time.CLOCK_BOOTTIME)
    obs = {"engine_pid": eng, "engine_status": obs_status, "impostor_pid": imp,
           "engine_ms": (t1 - t0) / 1e6, "reuse_ms": (t2 - t1) / 1e6}
    try:
        recorded = procid.read_pidfile(path)
        mine = procid.identity(imp)
        obs["recorded_is_engine"] = recorded.pid == eng and recorded.verifiable
        obs["same_tick"] = mine.start == recorded.start
        obs["tick_gap"] = (None if recorded.start is None
                           else mine.start - recorded.start)
        obs["same_ino"] = mine.ino == recorded.ino
        obs["check"] = procid.check(procid.read_pidfile(path)).name
        obs["alive_before"] = runner.engine_alive_before(path)
        obs["alive_after"] = runner.engine_alive(path)
        runner.stop_run(path)
        obs["impostor_running_after_stop"] = running(imp)
        obs["pidfile_removed"] = not os.path.exists(path)
    finally:
        obs["impostor_status"] = kill_status(imp)
    return obs


def main():
    d, max_rounds, want_same, out = (sys.argv[1], int(sys.argv[2]),
                                     int(sys.argv[3]), sys.argv[4])
    report = {"pid1": os.getpid() == 1, "rounds": [], "tmpfs": tmpfs_on(d)}
    try:
        set_last_pid(100)
    except OSError as e:
        report["skip"] = "cannot write %s in the new PID namespace: %s" % (
            NS_LAST_PID, e)
    else:
        if procid.self_identity().ino is None:
            report["skip"] = ("no pidfs inode (Linux < 6.9): a PID reused in "
                              "the same clock tick cannot be told apart here")
    if "skip" not in report:
        rounds = report["rounds"]
        while len(rounds) < max_rounds and \
                sum(r.get("same_tick", False) for r in rounds) < want_same:
            rounds.append(one_round(d, len(rounds)))
    with open(out, "w") as f:
        json.dump(report, f, indent=1)


if __name__ == "__main__":
    main()
