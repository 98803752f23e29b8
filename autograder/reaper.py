"""Process limits and clean-up for the sandbox's children.

A pids cgroup gives root a process limit (root ignores RLIMIT_NPROC) and a way to kill
everything a child started; as a subreaper this process inherits orphans that left a
child's session, so kill_leftovers() can find them; tasks_of_user() sizes RLIMIT_NPROC
for users who are not root.

Everything a grading process creates for its children is named after its pid: workdirs
`$TMPDIR/autograder-<pid>-*` and pids cgroups `autograder-<pid>-*`. So when a grading
process dies without cleaning up (SIGKILL, grade-all's wall limit), reap(pid) removes all
of it, and kills what its children left running.
"""

from __future__ import annotations

import functools
import glob
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path


class PidsCgroup:
    """A pids cgroup (v1 or v2) when we may create one: the process limit that also binds root.

    Root ignores RLIMIT_NPROC, inside bubblewrap's user namespace too, so for root this is
    the only process limit; killing the cgroup also catches processes that left the session.
    """

    def __init__(self, limit: int):
        self.path = None
        parent = _pids_cgroup_parent()
        if parent is None:
            return
        path = f"{parent}/{prefix()}{uuid.uuid4().hex[:12]}"
        try:
            os.mkdir(path)
            Path(path, "pids.max").write_text(str(limit))
            self.path = path
        except OSError:
            shutil.rmtree(path, ignore_errors=True)

    def join(self) -> None:  # runs in the child between fork and exec
        self.add(os.getpid())

    def add(self, pid: int) -> None:
        if self.path:
            Path(self.path, "cgroup.procs").write_text(str(pid))

    def kill_and_remove(self) -> bool:
        """Kill every process in it and remove it; True once it is gone (nothing of it runs on),
        False if it could not be removed within a second (or there was none)."""
        if not self.path:
            return False
        deadline, pause = time.monotonic() + 1.0, 0.001
        while time.monotonic() < deadline:
            try:
                pids = Path(self.path, "cgroup.procs").read_text().split()
            except OSError:
                pids = []
            for pid in pids:
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except (ProcessLookupError, ValueError):
                    pass
            try:
                os.rmdir(self.path)
                self.path = None
                return True
            except FileNotFoundError:
                self.path = None
                return True
            except OSError:  # still busy: its last processes are exiting (usually within a few ms)
                time.sleep(pause)
                pause = min(pause * 2, 0.02)
        return False


def prefix(pid: int | None = None) -> str:
    """The name every workdir and cgroup of grading process `pid` (default: this one) starts with."""
    return f"autograder-{os.getpid() if pid is None else pid}-"


def reap(pid: int, *, orphans: bool = True) -> None:
    """Remove everything grading process `pid` left (it is dead, or is this process at exit):
    its children's processes (its cgroups, and with `orphans` those that came to us as their
    subreaper: a sweep of /proc, tenths of a second under load), its pids cgroups and workdirs."""
    parent = _pids_cgroup_parent()
    for path in glob.glob(f"{parent}/{prefix(pid)}*") if parent else []:
        cgroup = PidsCgroup.__new__(PidsCgroup)
        cgroup.path = path
        cgroup.kill_and_remove()
    if orphans:
        kill_orphans()
    for path in glob.glob(os.path.join(tempfile.gettempdir(), f"{prefix(pid)}*")):
        shutil.rmtree(path, ignore_errors=True)


def kill_orphans() -> None:
    """Kill our children that are not in our session: in a process that starts no sandbox
    child itself (grade-all's main process) those are orphans of a killed worker's children."""
    kill_leftovers(session=-1)


def _pids_cgroup_parent() -> str | None:
    """This process's own pids cgroup, if we may create cgroups below it (v1 or v2)."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        _, controllers, own = line.split(":", 2)
        if "pids" in controllers.split(","):
            base = f"/sys/fs/cgroup/pids{own.rstrip('/')}"
        elif controllers == "" and "pids" in _read("/sys/fs/cgroup/cgroup.controllers").split():
            base = f"/sys/fs/cgroup{own.rstrip('/')}"
            if "pids" not in _read(f"{base}/cgroup.subtree_control").split():
                continue
        else:
            continue
        if os.access(f"{base}/cgroup.procs", os.W_OK) and os.access(base, os.W_OK):
            return base
    return None


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


LIVE: set[int] = set()  # pids (= session ids) of children not yet closed; sandbox.Child keeps it
SPAWNING = threading.Lock()  # held while a child starts, so a half-started one is never a leftover


@functools.cache
def become_subreaper() -> None:
    """Orphans of our children become our children (not init's), so close() can find them."""
    if sys.platform == "linux":
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER


def kill_leftovers(session: int, *, contained: bool = False) -> None:
    """Kill what a closed child left running: its session, and orphans that left it (setsid).

    Orphans come to us because we are a subreaper. Sandboxed processes never share our
    session, so our children outside our session that are no live child are leftovers;
    children we start ourselves (in our session) are never touched. Repeat until quiet:
    a dying process hands its own children to us a moment later. contained: the child's
    pids cgroup was killed and removed, so nothing it started runs on (none can leave a
    cgroup): one pass reaps what came to us, without waiting for quiet.
    """
    if not os.path.isdir("/proc"):
        return
    me, ours = os.getpid(), os.getsid(0)
    quiet, deadline = 0, time.monotonic() + 5
    while quiet < 3 and time.monotonic() < deadline:
        with SPAWNING:
            found = [(pid, ppid) for pid, ppid, sid in _processes()
                     if pid != me and (sid == session and session not in LIVE  # not a new child that reused the pid
                                       or ppid == me and sid != ours and pid not in LIVE)]
        quiet = 0 if found else quiet + 1
        for pid, _ in found:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for pid, ppid in found:
            if ppid == me:
                try:
                    os.waitpid(pid, 0)  # reap it, or it stays a zombie of ours
                except ChildProcessError:
                    pass
        if contained:
            return
        time.sleep(0.005)


def _processes():
    """(pid, parent pid, session id) of every process /proc shows."""
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            yield int(entry), int(fields[1]), int(fields[3])


def tasks_of_user(uid: int) -> int:
    """Threads and processes this uid already runs (RLIMIT_NPROC counts them all)."""
    if not os.path.isdir("/proc"):
        return 1024
    count = 0
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                if os.stat(f"/proc/{pid}").st_uid == uid:
                    count += len(os.listdir(f"/proc/{pid}/task"))
            except OSError:
                pass
    return count
