"""A zygote per submission: one sandboxed process that imports NumPy once and forks a fresh child
for each exercise, so an exercise pays a fork (milliseconds) instead of a sandbox, an interpreter
and NumPy (a fifth of a second).

The zygote is started like any child (sandbox.Child: the same folder, uid, limits, bubblewrap
or dropped mode and Landlock layer), never imports the submission, and runs nothing but the fork
loop in child.py. Each child it forks, before anything of the submission runs:
- takes its own pipes (sent here with SCM_RIGHTS), session, memory limit and pids cgroup (the
  grader moves it there through the pidfd the zygote sends back);
- stacks its own Landlock layer: it reads only the interpreter, the engine, the submission and
  its own inbox (the arrays `Student.put` places for it), writes only its own scratch folder (a
  sized tmpfs of its own under bubblewrap), and cannot signal, ptrace or reach over abstract
  sockets the zygote or its siblings, whose domains are not inside its own;
- under bubblewrap, enters user, network and IPC namespaces of its own, so no loopback port or
  System V queue is shared with a sibling.
So a sibling (another exercise of the same submission, perhaps started ahead) can neither touch
this child nor read what the grader gave it. That needs Landlock's signal scoping (ABI 6);
without it, or when the zygote fails in any way, each child is a fresh sandboxed process
(sandbox.Child), as it always was.
"""

from __future__ import annotations

import collections
import contextlib
import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

from . import reaper, sandbox
from .config import Config

MIN_LANDLOCK_ABI = 6  # scoped signals and abstract sockets: a child cannot touch its siblings
FORK_TIMEOUT_S = 30.0  # the zygote's start (interpreter and NumPy) included, on a loaded machine
SPARE_SLOTS = 4  # children beyond one per exercise (a check that killed its child gets a new one)


def available() -> bool:
    """Whether children may be forked from a zygote here (Linux, Landlock ABI 6, a sandbox)."""
    return (sys.platform == "linux" and sandbox.landlock_abi() >= MIN_LANDLOCK_ABI
            and os.environ.get("AUTOGRADER_ZYGOTE", "1") != "0")


def start(config: Config, files: dict[str, bytes], exercises: list[str]) -> Zygote | None:
    """The zygote of a submission whose `exercises` are graded, started at once so that it starts
    up while the grader does; None where children cannot be forked safely, or nothing is graded.

    Nothing here imports NumPy or pytest: the CLI calls it before it loads them (half a second),
    and the zygote starts up meanwhile on another core.
    """
    sections = [config.exercises[name] for name in exercises]
    if not sections or not available():
        return None
    largest = sandbox.Limits(max(s.timeout_s for s in sections), max(s.memory_mb for s in sections),
                             sum(s.processes for s in sections) + 1, scratch_mb=config.scratch_mb)
    try:
        forks = Zygote(files, largest, slots=len(sections) + SPARE_SLOTS,
                       preload={s.name: s.preload for s in sections if s.preload})
    except (OSError, sandbox.SandboxUnavailable):
        return None  # each child starts on its own, as without a zygote
    for section in sections:
        if section.preload and f"{section.module}.py" in files:
            # Forked now, it imports those packages while the grader starts and earlier exercises
            # are graded; the submission's import waits for the grader's request, as always.
            forks.fork_ahead(section.name, sandbox.Limits(section.timeout_s, section.memory_mb, section.processes,
                                                          scratch_mb=config.scratch_mb))
    return forks


class Zygote:
    """The fork server of one submission. limits: the largest any of its children gets (each child
    then lowers its memory limit to its own exercise's); slots: how many children it may fork;
    preload: {exercise: installed modules each of its children imports as soon as it is forked}."""

    def __init__(self, files: dict[str, bytes], limits: sandbox.Limits, slots: int,
                 preload: dict[str, tuple[str, ...]] | None = None):
        self.preload = dict(preload or {})
        self._ahead: dict[str, tuple[sandbox.Limits, Forked]] = {}  # forked before their exercise asked
        self._send_lock = threading.Lock()  # requests go out whole, and a fork's child joins _pending first
        self._read_lock = threading.Lock()  # one reader of answers at a time (see _read_one)
        self._statuses: dict[int, int | None] = {}
        self._next = 0
        self.slots = slots
        self.broken = False
        self.answered = False  # it has forked a child: it is up, and forks in milliseconds
        self._pending: collections.deque[Forked] = collections.deque()  # forks whose answer is unread
        self.why = ""  # what broke it, for tests and benchmarks
        self._server = sandbox.Child(files, limits, slots=slots)
        self.mode, self.workdir = self._server.mode, Path(self._server.workdir)

    def fork_ahead(self, exercise: str, limits: sandbox.Limits) -> None:
        """Fork `exercise`'s first child now (it imports its preload meanwhile); fork() hands it out."""
        forked = self.fork(limits, exercise)
        if forked is not None:
            self._ahead[exercise] = (limits, forked)

    def fork(self, limits: sandbox.Limits, exercise: str = "") -> Forked | None:
        """A new child for one exercise, or None (no slot left, or the zygote failed: start a fresh one).

        It does not wait: the zygote forks while the grader goes on (it may still be starting up),
        and Forked.adopt() takes the child in before its first request is written. The child
        fork_ahead() made for `exercise`, if any, is handed out first."""
        with self._send_lock:
            ahead = self._ahead.get(exercise)
            if ahead is not None and (ahead[0].memory_mb, ahead[0].processes) == (limits.memory_mb, limits.processes):
                del self._ahead[exercise]  # (other limits: not the child asked for, and close() ends it)
                return ahead[1]
            if self.broken or self._next >= self.slots:
                return None
            slot, self._next = self._next, self._next + 1
            try:
                forked, message, theirs = self._prepare(slot, limits, self.preload.get(exercise, ()))
            except OSError as error:
                self._break(error)
                return None
            self._pending.append(forked)  # before the request: its answer may come at once
            try:
                socket.send_fds(self._server.control, [json.dumps(message).encode()], list(theirs))
            except OSError as error:
                self._break(error)
                forked.discard()
                return None
            finally:
                for fd in theirs:
                    os.close(fd)
            return forked

    def _prepare(self, slot: int, limits: sandbox.Limits,
                 preload: tuple[str, ...]) -> tuple[Forked, dict, tuple[int, int, int]]:
        """The child's folders, pipes and cgroup; the fork request and the pipe ends it takes along."""
        inbox = self.workdir / f"inbox-{slot}"
        inbox.mkdir()
        gid, uid = self._server.gid, self._server.uid
        if self.mode == "bubblewrap":
            scratch = sandbox.slot_folder(slot)
        else:
            scratch = str(self.workdir / "home" / str(slot))
            os.mkdir(scratch, 0o700)
            if uid is not None:
                os.chown(scratch, uid, gid)
        if gid is not None:
            os.chown(inbox, 0, gid)
            os.chmod(inbox, 0o750)
        else:
            os.chmod(inbox, 0o755)
        rules = sandbox._landlock_rules([str(self.workdir / "engine"), str(self.workdir / "submission"), str(inbox)],
                                        [scratch])
        request_read, requests = os.pipe()
        replies, reply_write = os.pipe()
        output_read, output_write = os.pipe()
        os.set_blocking(requests, False)
        message = {"op": "fork", "memory": limits.memory_mb * 1024 * 1024, "scratch": scratch,
                   "landlock": rules, "namespaces": self.mode == "bubblewrap", "preload": list(preload)}
        cgroup = reaper.PidsCgroup(limits.processes) if os.geteuid() == 0 else None
        forked = Forked(self, output_read, requests, replies, str(inbox), scratch, cgroup)
        return forked, message, (request_read, reply_write, output_write)

    def _read_one(self) -> None:
        """Read the zygote's next answer (the caller holds _read_lock): a status is kept for whoever
        asked; a fork's answer (they come in order) goes to the oldest child waiting for one."""
        try:
            reply, fds = self._receive(1)
        except (OSError, TimeoutError, ValueError) as error:
            self._break(error)
            return
        if "status" in reply:
            for fd in fds:
                os.close(fd)
            self._statuses[reply.get("pid")] = reply["status"]
            return
        if not self._pending:
            for fd in fds:
                os.close(fd)
            self._break(ValueError("the zygote answered a fork no one asked for"))
            return
        forked = self._pending.popleft()
        try:
            if len(fds) != 1 or not isinstance(reply.get("pid"), int):
                for fd in fds:
                    os.close(fd)
                raise ValueError("the zygote sent no pidfd")
            forked._take(reply["pid"], fds[0])
            self.answered = True
        except (OSError, ValueError, StopIteration) as error:
            if forked._pidfd >= 0:  # forked, but not taken in: it must not run on
                with contextlib.suppress(ProcessLookupError):
                    signal.pidfd_send_signal(forked._pidfd, signal.SIGKILL)
            forked.failed = True
            self._break(error)

    def _break(self, error: Exception) -> None:
        self.broken, self.why = True, f"{type(error).__name__}: {error}"
        while self._pending:  # their replies will never be read: each starts a fresh process instead
            self._pending.popleft().failed = True

    def _receive(self, max_fds: int) -> tuple[dict, list[int]]:
        control = self._server.control
        if not select.select([control], [], [], FORK_TIMEOUT_S)[0]:
            raise TimeoutError("the zygote did not answer")
        data, fds, _, _ = socket.recv_fds(control, 4096, max_fds)
        if not data:
            for fd in fds:
                os.close(fd)
            raise OSError("the zygote is gone")
        return json.loads(data), fds

    def status(self, pid: int) -> int | None:
        """The exit status of child `pid` (the zygote's view of it), as subprocess gives one; None if unknown."""
        with self._send_lock:
            if self.broken:
                return None
            try:
                socket.send_fds(self._server.control, [json.dumps({"op": "status", "pid": pid}).encode()], [])
            except OSError as error:
                self._break(error)
                return None
        with self._read_lock:
            while pid not in self._statuses and not self.broken:
                self._read_one()
            code = self._statuses.pop(pid, None)
        return code if isinstance(code, int) else None

    def close(self, *, wait: bool = True) -> None:
        """End the zygote and the children forked ahead that no exercise took (they ran only
        their preload); each child an exercise took is ended by its own sandbox.Child."""
        with self._send_lock:
            unclaimed, self._ahead = [forked for _, forked in self._ahead.values()], {}
            self._break(OSError("closed"))
        for forked in unclaimed:
            forked.end()
        self._server.close(wait=wait)


class Forked:
    """A zygote's child as sandbox.Child holds a process: pid (this namespace's), poll(), wait(),
    stdout; plus what Child needs of it (its pipes, inbox, scratch, cgroup). adopt() must succeed
    before anything is written to it."""

    def __init__(self, zygote: Zygote, output: int, requests: int, replies: int, inbox: str, scratch: str, cgroup):
        self._zygote, self._inner, self._pidfd = zygote, 0, -1
        self.pid, self.requests, self.replies = 0, requests, replies
        self.workdir, self.inbox, self.scratch, self.cgroup = str(zygote.workdir), inbox, scratch, cgroup
        self.stdout = os.fdopen(output, "rb")
        self.returncode: int | None = None
        self.failed = False  # the zygote never forked it, or it could not be taken in

    def adopt(self) -> bool:
        """Wait for the zygote's answer; True once this child is ours (in its cgroup), False if it never will be."""
        with self._zygote._read_lock:
            while not self.pid and not self.failed:
                self._zygote._read_one()
        return not self.failed

    def zygote_answers(self) -> bool:
        """Whether the zygote is up (taking this child in will not wait for it to start)."""
        return self._zygote.answered or self.failed

    def _take(self, inner_pid: int, pidfd: int) -> None:
        self._inner, self._pidfd = inner_pid, pidfd
        pid = _pid_of(pidfd)
        if not _descends_from(pid, self._zygote._server.process.pid):
            raise ValueError("the zygote named a process that is not its child")
        if self.cgroup is not None:
            self.cgroup.add(pid)  # before its first request: nothing of the submission has run yet
        self.pid = pid

    def end(self) -> None:
        """Never used by an exercise: kill it if it was taken in, and give back what it holds (a
        child not taken in is still in the zygote's sandbox, and dies with it)."""
        if self._pidfd >= 0:
            with contextlib.suppress(ProcessLookupError):
                signal.pidfd_send_signal(self._pidfd, signal.SIGKILL)
            os.close(self._pidfd)
            self._pidfd = -1
        self.discard()

    def discard(self) -> None:
        """Never forked: give back its pipes and cgroup."""
        for fd in (self.requests, self.replies):
            os.close(fd)
        self.stdout.close()
        if self.cgroup is not None:
            self.cgroup.kill_and_remove()

    def poll(self) -> int | None:
        if self.returncode is None and self._pidfd >= 0 and select.select([self._pidfd], [], [], 0)[0]:
            self._reaped()
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            if self._pidfd < 0:
                self.returncode = -signal.SIGKILL  # never ours: nothing to wait for
                return self.returncode
            if not select.select([self._pidfd], [], [], timeout)[0]:
                raise subprocess.TimeoutExpired("zygote child", timeout)
            self._reaped()
        return self.returncode

    def _reaped(self) -> None:
        code = self._zygote.status(self._inner)
        self.returncode = -signal.SIGKILL if code is None else code  # unknown: say it was killed
        os.close(self._pidfd)
        self._pidfd = -1


def _descends_from(pid: int, ancestor: int, depth: int = 3) -> bool:
    """Whether `ancestor` is the parent of pid, or its parent's (bubblewrap's init is between them)."""
    for _ in range(depth):
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            return False
        pid = int(next(line.split()[1] for line in status.splitlines() if line.startswith("PPid:")))
        if pid == ancestor:
            return True
    return False


def _pid_of(pidfd: int) -> int:
    """The pid, in this namespace, of the process a pidfd refers to (the zygote's child)."""
    for line in Path(f"/proc/self/fdinfo/{pidfd}").read_text().splitlines():
        if line.startswith("Pid:"):
            pid = int(line.split()[1])
            if pid > 0:
                return pid
    raise ValueError("the pidfd names no live process")
