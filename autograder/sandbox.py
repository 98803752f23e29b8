"""Start the child that runs student code, in the strongest sandbox this machine allows.

Three modes, chosen once per process (mode()):
- "bubblewrap": new user, pid, network, IPC and mount namespaces; uid 65534; a read-only view of
  the interpreter and of the child's own folder only; sized tmpfs for /tmp and /dev.
- "dropped" (no namespaces, as in Docker's default seccomp profile, and we are root): before
  exec the child gives up root for a uid and gid of its own (no supplementary groups,
  no_new_privs), so it cannot signal, ptrace or read the grader; only its own scratch folder is
  writable to it; verify_isolation() checks that what it must not see is unreadable to it.
- "none" (not root, no namespaces: a student's laptop): resource limits only. Good for `check`;
  grades of record refuse it unless told --allow-unsandboxed.
In every mode, where the kernel has Landlock, the child confines itself to the interpreter
(read) and its scratch space (write), with TCP and signals to the outside blocked, before it
imports the submission (child.py); the grader knows the ABI and the child fails closed.

Each child gets a private folder holding a copy of the engine's child side and the
submission's exercise files (bytes from intake.py, nothing else), a scrubbed environment with a
fixed hash seed, closed stdin, resource limits and its own session. Closing it kills its
session, its pids cgroup (when root) and any orphan that left the session (we are their
subreaper), and deletes its folder.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import io
import json
import os
import random
import re
import resource
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from . import reaper, wire

ENGINE_FILES = ("child.py", "wire.py")
_HERE = Path(__file__).resolve().parent
_PASSED_ENV = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "LANG", "TZ")
_UID_BASE = 1_500_000_000  # uids of dropped children: far above any account's


@dataclass(frozen=True)
class Limits:
    timeout_s: float = 10.0
    memory_mb: int = 2048
    processes: int = 64
    output_bytes: int = 64_000
    scratch_mb: int = 64


class ChildDied(RuntimeError):
    """The child exited, was killed, or timed out; the message says which, in a student's words.

    dump: at a timeout, the stack the child dumped just before it (untrusted text, maybe empty).
    """

    def __init__(self, message: str, dump: str = ""):
        super().__init__(message)
        self.dump = dump


class SandboxUnavailable(RuntimeError):
    """The sandbox cannot be set up as required here; the message says what to do."""


@functools.cache
def bwrap_works() -> bool:
    """bubblewrap is installed and can create namespaces here (it cannot in some containers)."""
    if sys.platform != "linux" or shutil.which("bwrap") is None:
        return False
    probe = subprocess.run(["bwrap", "--unshare-all", "--ro-bind", "/", "/", "true"], capture_output=True)
    return probe.returncode == 0


def mode() -> str:
    """"bubblewrap", "dropped" or "none" (see the module docstring).

    AUTOGRADER_SANDBOX=dropped or =none forces a weaker mode than the machine allows (tests and
    benchmarks use it; "none" is refused for grades of record unless --allow-unsandboxed).
    For feedback (for_feedback()), root without namespaces whose interpreter no other uid can
    reach falls back to "none" instead of failing: the student's own code, on their own machine.
    """
    forced = os.environ.get("AUTOGRADER_SANDBOX", "")
    if forced == "none":
        return "none"
    if forced != "dropped" and bwrap_works():
        return "bubblewrap"
    if sys.platform == "linux" and os.geteuid() == 0:
        return "none" if _FEEDBACK and unprivileged_can_run() else "dropped"
    return "none"


_FEEDBACK = False


def for_feedback() -> None:
    """This process runs the student's own code for the student (check, report, a notebook's
    check cell), not a grade of record: from now on mode() takes the strongest isolation this
    machine allows, down to none, and never refuses."""
    global _FEEDBACK
    _FEEDBACK = True


@functools.cache
def landlock_abi() -> int:
    """The kernel's Landlock ABI version, 0 where there is none (or AUTOGRADER_LANDLOCK=0)."""
    if sys.platform != "linux" or os.environ.get("AUTOGRADER_LANDLOCK") == "0":
        return 0
    version = _LIBC.syscall(444, None, ctypes.c_size_t(0), ctypes.c_uint32(1))  # LANDLOCK_CREATE_RULESET_VERSION
    return max(int(version), 0)


def of_record() -> bool:
    """Whether grades written here can be trusted: the child cannot reach the grader."""
    return mode() != "none"


def layers() -> dict:
    """The isolation layers a child gets here, as results.json records them."""
    current = mode()
    return {"mode": current, "namespaces": current == "bubblewrap",
            "uid": {"bubblewrap": "65534 in a user namespace", "dropped": "its own unprivileged uid",
                    "none": "the grader's"}[current],
            "no_new_privs": current != "none", "landlock_abi": landlock_abi()}


def describe() -> str:
    current, abi = mode(), landlock_abi()
    text = {"bubblewrap": "bubblewrap (namespaces, no network, no view of the grader's files)",
            "dropped": "unprivileged uid without namespaces (no signals or ptrace to the grader)",
            "none": "plain subprocess with resource limits only (not isolated)",
            }[current]
    return text + (f" + Landlock ABI {abi}" if abi else "")


def feedback_note() -> str:
    """The one line a student path (check, report, a check cell) says about how their code ran."""
    current = mode()
    if current == "bubblewrap":
        return "Your code ran in a sandbox (bubblewrap: no network, no view of your other files)."
    if current == "dropped":
        return "Your code ran as a user of its own, without your rights (no namespaces here for bubblewrap)."
    if os.environ.get("AUTOGRADER_SANDBOX") == "none":
        why = "AUTOGRADER_SANDBOX=none"
    elif sys.platform != "linux":
        why = f"no sandbox for it on {_system()}"
    else:
        why = "bubblewrap is not installed" if shutil.which("bwrap") is None else "bubblewrap cannot create namespaces here"
        if os.geteuid() == 0:  # dropping root needs an interpreter other users can reach (unprivileged_can_run)
            why += ", and this Python is in a folder other users cannot enter"
    limits = "time and memory limits" if sys.platform == "linux" else "time limits"
    return (f"Your code ran as a plain process with {limits} ({why}): "
            "fine for checking your own code; grades are given elsewhere.")


def _system() -> str:
    return {"darwin": "macOS", "win32": "Windows"}.get(sys.platform, sys.platform)


def require_of_record(allow_unsandboxed: bool) -> str:
    """'' when grades may be written here; else raise, or (allowed) return the warning to show.
    Only grades of record call this; feedback (for_feedback()) never refuses."""
    if of_record():
        return ""
    warning = ("NOT SANDBOXED: the submission ran with the grader's own rights (no bubblewrap, not root); "
               "this grade was allowed by --allow-unsandboxed and is only as good as the code is honest.")
    if allow_unsandboxed:
        return warning
    raise SandboxUnavailable("no sandbox here (bubblewrap cannot create namespaces and the grader is not root), "
                             "so a submission could change its own grade: install bubblewrap, run as root (the "
                             "child then drops to its own uid), or pass --allow-unsandboxed for code you trust")


_PROBE = """
import os, signal

def probe(read, write, pid):
    found = []
    for path in read:
        try:
            if os.path.isdir(path):
                os.listdir(path)
            else:
                open(path, "rb").close()
            found.append("can read " + path)
        except OSError:
            pass
    for path in write:
        try:
            open(os.path.join(path, ".autograder-probe"), "x").close()
            os.unlink(os.path.join(path, ".autograder-probe"))
            found.append("can write in " + path)
        except OSError:
            pass
    try:
        os.kill(pid, 0)
        found.append("can signal the grader")
    except OSError:
        pass
    return found
"""


def verify_isolation(read: list[Path], write: list[Path]) -> None:
    """Check, with a child started as every child is, that it cannot read `read`, write in `write`
    or signal this process; tighten the modes of what it could read (we are root) and check again.

    Only the "dropped" mode relies on file modes (bubblewrap shows the child nothing of ours); a
    problem left after tightening raises SandboxUnavailable.
    """
    if mode() != "dropped":
        return
    key = (tuple(map(str, read)), tuple(map(str, write)))
    if key in _VERIFIED:
        return
    problems = _probe(read, write)
    for path in read:
        if f"can read {path}" in problems:
            os.chmod(path, os.stat(path).st_mode & 0o7700)  # the owner's bits only
    problems = _probe(read, write) if problems else problems
    if problems:
        raise SandboxUnavailable("the sandbox's unprivileged user " + "; ".join(problems)
                                 + ": make those paths root's and not world-accessible")
    _VERIFIED.add(key)


_VERIFIED: set = set()


def _probe(read: list[Path], write: list[Path]) -> list[str]:
    try:
        child = Child({"autograder_probe.py": _PROBE.encode()}, Limits(timeout_s=30))
    except PermissionError as error:
        raise SandboxUnavailable(_unreachable(error)) from None
    try:
        reply = child.request(wire.encode({"op": "import", "module": "autograder_probe"}), 30)
        if "ok" in reply:
            reply = child.request(wire.encode({"op": "call", "target": "probe", "args": [
                [str(p) for p in read if os.path.exists(p)], [str(p) for p in write if os.path.isdir(p)],
                os.getpid()]}))
    except ChildDied as error:
        raise SandboxUnavailable(f"the sandbox's test child failed ({error}): {_unreachable(None)}") from None
    finally:
        child.close()
    if "ok" not in reply or not isinstance(reply["ok"], list):
        raise SandboxUnavailable(f"the sandbox's test child failed: {str(reply.get('error'))[:200]}")
    return [str(item) for item in reply["ok"]]


@functools.cache
def unprivileged_can_run() -> str:
    """'' if a uid of no account can start this Python and use the temporary folder; else why not."""
    reason = _unreachable(None)
    return "" if reason.startswith("an unprivileged user cannot start") else reason


def _unreachable(error) -> str:
    """Why an unprivileged uid cannot start this Python, and what to do about it."""
    for folder in [*reversed(Path(sys.executable).parents), Path(os.path.realpath(sys.executable)).parent,
                   *reversed(Path(sys.base_prefix).parents), Path(sys.base_prefix),
                   *reversed(Path(tempfile.gettempdir()).parents), Path(tempfile.gettempdir())]:
        try:
            if not os.stat(folder).st_mode & 0o001:
                return (f"an unprivileged user cannot run {sys.executable}: {folder} is not searchable by other "
                        f"users (chmod o+x {folder}, or install Python where every user may run it, e.g. /usr)")
        except OSError:
            continue
    return f"an unprivileged user cannot start {sys.executable} ({error})"


def _environment(home: str) -> dict[str, str]:
    # Built from nothing: the only PYTHON* variables the child sees are these, so hash() is the
    # same on every run (the child is started with -s, not -I, which would drop PYTHONHASHSEED).
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": home, "TMPDIR": home, "LC_ALL": "C.UTF-8",
           "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1", "MPLBACKEND": "Agg",
           "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
           "TF_CPP_MIN_LOG_LEVEL": "2", "TF_ENABLE_ONEDNN_OPTS": "0", "KERAS_BACKEND": "tensorflow",
           "HDF5_USE_FILE_LOCKING": "FALSE"}  # locks are no-ops in the child (child.filter_system_calls)
    env.update({key: os.environ[key] for key in _PASSED_ENV if key in os.environ})
    return env


def _interpreter_paths() -> list[str]:
    paths = {"/usr", sys.prefix, sys.base_prefix, os.path.dirname(os.path.realpath(sys.executable))}
    for link in ("bin", "lib", "lib64", "sbin"):
        if os.path.isdir(f"/{link}") and not os.path.islink(f"/{link}"):
            paths.add(f"/{link}")
    return sorted(path for path in paths if os.path.exists(path))


def _bwrap_prefix(workdir: str, scratch_mb: int, slots: int = 0) -> list[str]:
    scratch = str(scratch_mb * 1024 * 1024)
    command = ["bwrap", "--unshare-all", "--die-with-parent", "--new-session",
               "--uid", "65534", "--gid", "65534", "--proc", "/proc",
               # Every writable place is a sized tmpfs: /dev holds only the device nodes, and
               # /dev/shm is /tmp, so scratch_mb bounds what the child can take of the host's memory.
               "--size", str(1024 * 1024), "--tmpfs", "/dev"]
    for device in ("null", "zero", "full", "random", "urandom"):
        command += ["--dev-bind", f"/dev/{device}", f"/dev/{device}"]
    command += ["--symlink", "/proc/self/fd", "/dev/fd", "--symlink", "/proc/self/fd/0", "/dev/stdin",
                "--symlink", "/proc/self/fd/1", "/dev/stdout", "--symlink", "/proc/self/fd/2", "/dev/stderr",
                "--symlink", "/tmp", "/dev/shm",
                "--size", scratch, "--tmpfs", "/tmp", "--ro-bind", "/sys/devices/system/cpu", "/sys/devices/system/cpu"]
    for slot in range(slots):  # a zygote's children: each its own sized tmpfs
        command += ["--size", scratch, "--tmpfs", slot_folder(slot)]
    read_only = set(_interpreter_paths()) | {"/etc/ld.so.cache", "/etc/alternatives"}
    for link in ("bin", "lib", "lib64", "sbin"):
        if os.path.islink(f"/{link}"):
            command += ["--symlink", os.readlink(f"/{link}"), f"/{link}"]
    for path in sorted(read_only):
        if os.path.exists(path):
            command += ["--ro-bind", path, path]
    return command + ["--ro-bind", workdir, workdir, "--chdir", "/tmp", "--setenv", "HOME", "/tmp",
                      "--setenv", "TMPDIR", "/tmp"]


def slot_folder(slot: int) -> str:
    """Under bubblewrap, the scratch tmpfs of a zygote's child number `slot` (as the sandbox sees it)."""
    return f"/tmp/{slot}"


# Of /proc a child reads only its own /proc/<pid> ("/proc/self": child.confine pins it) and these
# files of the whole machine (what NumPy and TensorFlow open, seen with strace): no other
# process's command line, status or memory map, so no sibling's.
PROC_FILES = ("/proc/self", "/proc/cpuinfo", "/proc/meminfo", "/proc/stat")


def _landlock_rules(readable: list[str], writable: list[str], *, all_of_proc: bool = False) -> dict:
    """What the child may read and write under Landlock (child.py applies it to itself): the
    interpreter and the system's read-only parts, with `readable`; only `writable` to write.
    all_of_proc: a zygote, which runs no submission code and whose children stack their own rules
    (a layer granting only its own /proc/<pid> would deny each child its own)."""
    proc = ["/proc"] if all_of_proc else list(PROC_FILES)
    read = _interpreter_paths() + ["/etc", *proc, "/sys/devices/system/cpu", *readable]
    return {"abi": landlock_abi(), "read": sorted(set(read)), "write": list(writable),
            "devices": ["/dev/null", "/dev/zero", "/dev/urandom", "/dev/random", "/dev/full"]}


class Child:
    """One sandboxed Python process serving requests for one exercise.

    files: {"model.py": bytes} as intake.read() took them in. deadline: a monotonic time no
    request may run past (the exercise's and the submission's time budgets), with the words
    that say which budget it was.
    """

    def __init__(self, files: dict[str, bytes], limits: Limits, *, deadline: tuple[float, str] | None = None,
                 zygote=None, exercise: str = "", slots: int = 0):
        """zygote: a zygote.Zygote to fork this child from (a fresh process started here if it
        cannot); exercise: the one this child serves (the zygote may have forked it ahead).
        slots: start a zygote instead of a child, with that many scratch slots for the
        children it will fork (zygote.Zygote does this; it talks over `control`, not requests)."""
        self.limits = limits
        self.deadline = deadline
        self._closed = False
        self._pending = 0.0  # time limit of the request whose reply is due; its clock starts in receive()
        self.mode = mode()
        self.killed_for = ""  # why the scratch watchdog killed it, if it did
        self.cgroup = None
        self._files, self._queued = files, []
        self._adoption = threading.Lock()  # taking a zygote's child in, from here or a background thread
        self._forked = zygote.fork(limits, exercise) if zygote is not None else None  # None again once adopted
        if self._forked is not None:
            # A child of the zygote: its folders are the zygote's, its inbox and scratch its own.
            forked = self._forked
            self.workdir, self.inbox, self.uid, self.gid = forked.workdir, forked.inbox, None, None
            self.process, self.cgroup, self._requests, self._replies = forked, forked.cgroup, forked.requests, forked.replies
            self._own = [forked.inbox] + ([forked.scratch] if self.mode != "bubblewrap" else [])
            self._start_drains(forked.scratch)
            if not forked.zygote_answers():  # the zygote is starting up: take the child in when it can
                threading.Thread(target=self._adopt_when_forked, name="autograder-adopt", daemon=True).start()
            return
        self._spawn(files, slots)

    def _adopt_when_forked(self) -> None:
        # In the background while pytest starts: the requests sent meanwhile (the import) go out
        # as soon as the child is ours, so they run while the grader is busy elsewhere.
        with contextlib.suppress(Exception):
            self._adopt(time.monotonic() + self.limits.timeout_s * 3)

    def _adopt(self, deadline: float) -> None:
        """Before anything is written to a zygote's child: take it in (its pid, its cgroup), or, if
        the zygote could not give it, start a fresh process in its place; then send what waited."""
        forked = self._forked
        if forked is not None:
            forked.adopt()  # may wait for the zygote to start: with no lock of ours held
        with self._adoption:
            if not self._closed:
                self._adopt_now(deadline)

    def _adopt_now(self, deadline: float) -> None:
        forked, self._forked = self._forked, None
        if forked is not None and forked.adopt():
            with reaper.SPAWNING:  # its session, for the CLI to kill after an interrupt (as a fresh child's)
                reaper.LIVE.add(forked.pid)
        elif forked is not None:
            forked.returncode = -signal.SIGKILL  # never ran: its watchdog and drain end
            for fd in (self._requests, self._replies):
                os.close(fd)
            if self.cgroup is not None:
                self.cgroup.kill_and_remove()
            for path in self._own:
                shutil.rmtree(path, ignore_errors=True)
            self._spawn(self._files, 0)
        queued, self._queued = self._queued, []
        for frame in queued:  # like the reply, on the clock of the receive() that waits for it
            _write_all(self._requests, frame, deadline)

    def _spawn(self, files: dict[str, bytes], slots: int) -> None:
        self.workdir = tempfile.mkdtemp(prefix=reaper.prefix())  # reaper.reap(pid) finds it by name
        self.inbox, self._own = self.workdir, [self.workdir]
        opened: list = []  # pipe descriptors and sockets to close if the child never starts
        try:
            self._start(files, slots, opened)
        except BaseException:
            # Nothing runs (the interpreter could not be started, a limit could not be set): leave
            # no folder, cgroup or pipe behind, whoever called us and however they exit.
            if self.cgroup is not None:
                self.cgroup.kill_and_remove()
            for end in opened:
                with contextlib.suppress(OSError):
                    end.close() if isinstance(end, socket.socket) else os.close(end)
            shutil.rmtree(self.workdir, ignore_errors=True)
            raise

    def _start(self, files: dict[str, bytes], slots: int, opened: list) -> None:
        engine, submission, home = (Path(self.workdir, name) for name in ("engine", "submission", "home"))
        workdir = Path(self.workdir)
        engine.mkdir(), submission.mkdir(), home.mkdir()
        for name in ENGINE_FILES:
            shutil.copyfile(_HERE / name, engine / name)
        for name, data in files.items():
            Path(submission, os.path.basename(name)).write_bytes(data)
        # The folder and what the grader put in it are the grader's, read-only to the child;
        # only home/ (its cwd, HOME and TMPDIR without namespaces) is the child's to write.
        for path in (self.workdir, engine, submission):
            os.chmod(path, 0o755)
        self.uid = self.gid = None
        if self.mode == "dropped":
            # Its own uid and gid; the folder is root's and readable by that gid only, so children
            # grading other submissions at the same time cannot read this one.
            self.uid = self.gid = _UID_BASE + random.SystemRandom().randrange(1 << 28)
            for path in (workdir, engine, submission, *engine.iterdir(), *submission.iterdir()):
                os.chown(path, 0, self.gid)
                os.chmod(path, 0o750 if path.is_dir() else 0o640)
            os.chown(home, self.uid, self.gid)
            os.chmod(home, 0o700)
        else:
            os.chmod(home, 0o777)  # the sandboxed uid (65534 under bubblewrap) writes scratch files here
        self.cgroup = reaper.PidsCgroup(self.limits.processes) if os.geteuid() == 0 else None
        reaper.become_subreaper()
        rules = _landlock_rules([self.workdir], ["/tmp"] if self.mode == "bubblewrap" else [str(home)],
                                all_of_proc=bool(slots))
        settings = {"landlock": rules}
        if slots:
            # A zygote: one socket for fork requests (each with the new child's pipes) and replies.
            self.control, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
            opened += [self.control, theirs]
            fds, self._requests, self._replies = (theirs.fileno(), theirs.fileno()), -1, -1
            settings["zygote"] = True
        else:
            request_read, self._requests = os.pipe()
            self._replies, reply_write = os.pipe()
            fds = (request_read, reply_write)
            opened += [request_read, self._requests, self._replies, reply_write]
        # -s, not -I: -I would also drop PYTHONHASHSEED, and the environment is ours, not the submission's.
        command = [sys.executable, "-s", str(engine / "child.py"), str(submission),
                   *map(str, fds), json.dumps(settings)]
        environment = _environment(str(home))
        if self.mode == "bubblewrap":
            command = _bwrap_prefix(self.workdir, self.limits.scratch_mb, slots) + command
        with reaper.SPAWNING:  # a sweep in another thread must not take this child for a leftover
            self.process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                pass_fds=fds, start_new_session=True, cwd=str(home),
                env=environment, preexec_fn=self._limit)
            reaper.LIVE.add(self.process.pid)
        if slots:
            theirs.close()
        else:
            os.close(fds[0]), os.close(fds[1])
            os.set_blocking(self._requests, False)
        # A zygote writes nothing: each child it forks has a watchdog on its own folder.
        self._start_drains(str(home), watch=not slots)

    def _start_drains(self, scratch: str, *, watch: bool = True) -> None:
        self._output = bytearray()
        self.output_dropped = 0
        self._drain = threading.Thread(target=self._read_output, daemon=True)
        self._drain.start()
        if watch and self.mode != "bubblewrap":  # bubblewrap's tmpfs has a size; a plain folder needs a watchdog
            threading.Thread(target=self._watch_scratch, args=(scratch,), daemon=True).start()

    def _limit(self) -> None:
        # Between fork and exec, in the child: limits are inherited by bwrap and Python.
        memory = self.limits.memory_mb * 1024 * 1024
        if sys.platform == "linux":  # macOS refuses RLIMIT_AS (EINVAL: every child would fail to start)
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        resource.setrlimit(resource.RLIMIT_FSIZE, (self.limits.scratch_mb * 1024 * 1024,) * 2)
        if self.cgroup is not None:
            self.cgroup.join()
        if self.uid is not None:
            # Give up root for good before exec: no groups, our own gid and uid (real, effective
            # and saved), and no way back through set-uid files.
            os.setgroups([])
            os.setresgid(self.gid, self.gid, self.gid)
            os.setresuid(self.uid, self.uid, self.uid)
            resource.setrlimit(resource.RLIMIT_NPROC, (self.limits.processes,) * 2)  # counts this uid only
        elif os.geteuid() != 0:
            used = reaper.tasks_of_user(os.getuid())
            resource.setrlimit(resource.RLIMIT_NPROC, (used + self.limits.processes,) * 2)
        if self.mode != "bubblewrap":
            _no_new_privs()

    def _read_output(self) -> None:
        # Keep the first output_bytes and count the rest, so a print loop cannot fill memory.
        for chunk in iter(lambda: self.process.stdout.read1(65536), b""):
            room = self.limits.output_bytes - len(self._output)
            self._output += chunk[:max(room, 0)]
            self.output_dropped += max(len(chunk) - max(room, 0), 0)

    def _watch_scratch(self, home: str) -> None:
        # Without namespaces the child writes to a plain folder: size it by looking. RLIMIT_FSIZE
        # bounds each file, so the overshoot between two looks is small.
        limit = self.limits.scratch_mb * 1024 * 1024
        while not self._closed and self.process.poll() is None:
            used, count = _usage(home, limit)
            if used > limit or count > MAX_SCRATCH_FILES:
                self.killed_for = (f"wrote more than the {self.limits.scratch_mb} MB (or {MAX_SCRATCH_FILES} files) "
                                   "of scratch space a check may use")
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                return
            time.sleep(0.1)

    @property
    def output(self) -> str:
        text = self._output.decode(errors="replace")
        return text + (f"\n[... {self.output_dropped} more bytes of output dropped]" if self.output_dropped else "")

    def request(self, message: dict, timeout_s: float | None = None) -> dict:
        """Send one request and wait for its reply; kills the child on timeout or death."""
        self.send(message, timeout_s)
        return self.receive()

    def send(self, message: dict, timeout_s: float | None = None) -> None:
        """Send one request; receive() reads its reply. The time limit runs from receive(), so a
        request sent ahead (a prefetched import) is never charged for waiting its turn."""
        timeout_s = self.limits.timeout_s if timeout_s is None else timeout_s
        self._pending = timeout_s
        deadline, budget = self._deadline(timeout_s)
        with self._adoption:
            if self._forked is not None and not self._forked.zygote_answers():
                self._queued.append(_frame(message))  # the zygote is starting up: written once the child is ours
                return
        with self._failures(timeout_s, budget):
            self._adopt(deadline)  # a zygote that is up forks in milliseconds
            _write_all(self._requests, _frame(message), deadline)

    def receive(self) -> dict:
        """The reply to the last request sent; kills the child on timeout or death."""
        deadline, budget = self._deadline(self._pending)
        with self._failures(self._pending, budget):
            self._adopt(deadline)
            return wire.receive(_DeadlineReader(self._replies, deadline))

    def _deadline(self, timeout_s: float) -> tuple[float, str]:
        """(when to give up, '' or the budget that ends first)."""
        own = time.monotonic() + timeout_s
        if self.deadline is not None and self.deadline[0] < own:
            return self.deadline
        return own, ""

    @contextlib.contextmanager
    def _failures(self, timeout_s: float, budget: str = ""):
        try:
            yield
        except TimeoutError:
            self.close()  # joins the output drain, so the stack the child dumped is in self.output
            raise self._timed_out(timeout_s, budget) from None
        except (EOFError, BrokenPipeError):
            raise self._died(timeout_s, budget) from None
        except wire.WireError as error:  # a forged reply; the stream may be out of step, so end the child
            self.close()
            raise ChildDied(f"sent back something that is not plain data ({error})") from None
        except OSError:  # any other error on the pipes of a child that has died (seen under load): its death
            if self.process.poll() is None:
                raise
            raise self._died(timeout_s, budget) from None

    def _died(self, timeout_s: float, budget: str) -> ChildDied:
        """The child's death, in words. One that crashed while its watchdog was writing the stack
        it dumps just before the time limit (faulthandler, from a signal handler, can fault on a
        frame the loop is changing; nothing else in the child writes that header) ran out of time."""
        code = self.process.wait()
        self.close()  # joins the output drain
        if _signal_of(code) in _FAULTS and _DUMP_START.search(self.output) and not self.killed_for:
            return self._timed_out(timeout_s, budget)
        return ChildDied(self.killed_for or _death(code, self.limits))

    def _timed_out(self, timeout_s: float, budget: str) -> ChildDied:
        """The time limit (or the budget that ended first), with the stack the child dumped (closed first)."""
        start = _DUMP_START.search(self.output)
        dump = self.output[start.start():] if start else ""
        return ChildDied(budget or f"took longer than the {timeout_s:g} s time limit (an endless loop?)",
                         dump=dump[:8000])

    def close(self, *, wait: bool = True) -> None:
        """Kill the child, everything it started, and delete its files (again: does nothing).

        The child and its session die at once either way. wait=False leaves the rest (reaping,
        the cgroup, the sweep for processes that left the session, deleting its folder) to a
        background thread, so the next exercise need not wait; join_closing() waits for it.
        """
        if self._closed:
            return
        self._closed = True
        # A zygote's child not yet taken in has run nothing of the submission: _finish_close
        # takes it in (its pid is unknown until then) and kills it.
        if self.process.pid and self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if wait:
            self._finish_close()
            return
        thread = threading.Thread(target=self._finish_close, name="autograder-close", daemon=True)
        with _CLOSING_LOCK:
            _CLOSING.append(thread)
        thread.start()

    def _finish_close(self) -> None:
        if self._forked is not None and self._forked.adopt():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
        # First: nothing it started may write on while its scratch is emptied.
        contained = self.cgroup is not None and self.cgroup.kill_and_remove()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        with reaper.SPAWNING:
            reaper.LIVE.discard(self.process.pid)
        reaper.kill_leftovers(session=self.process.pid, contained=contained)
        for fd in (self._requests, self._replies):
            try:
                os.close(fd)
            except OSError:
                pass
        if hasattr(self, "control"):
            self.control.close()
        self._drain.join(timeout=1)
        for path in self._own:
            shutil.rmtree(path, ignore_errors=True)


def join_closing() -> None:
    """Wait until every child closed with wait=False is fully cleaned up."""
    while True:
        with _CLOSING_LOCK:
            if not _CLOSING:
                return
            thread = _CLOSING.pop()
        thread.join()


# The first line of the stacks the child dumps (child._Watchdog, faulthandler's format).
_DUMP_START = re.compile(r"^(?:Current thread|Thread) 0x[0-9a-f]+ \(most recent call first\):$", re.MULTILINE)
LANDLOCK_FAILED = 97  # child.py's exit status when it could not confine itself


_FAULTS = (signal.SIGSEGV, signal.SIGABRT, signal.SIGBUS)


def _signal_of(code: int) -> int:
    """The signal a child died of, 0 if it exited: bubblewrap passes death by signal n on as status 128 + n."""
    return -code if code < 0 else code - 128 if 128 < code < 160 else 0


def _death(code: int, limits: Limits) -> str:
    if code == LANDLOCK_FAILED:
        return "the sandbox could not be set up on this machine (Landlock failed); please tell your instructor"
    number = _signal_of(code)
    name = signal.Signals(number).name if number in signal.Signals._value2member_map_ else ""
    if number == signal.SIGKILL:
        return f"the process was killed (over the {limits.memory_mb} MB memory limit, or another limit?)"
    if number in _FAULTS:
        return f"the process crashed ({name}); near the {limits.memory_mb} MB memory limit that usually means out of memory"
    if name:
        return f"the process died with signal {name}"
    if code < 0:  # a real-time signal has no name
        return f"the process died with signal {number}"
    return f"the process exited with status {code} (sys.exit or os._exit in your code?)"


def _frame(message: dict) -> bytes:
    buffer = io.BytesIO()
    wire.send(buffer, message)
    return buffer.getvalue()


def _write_all(fd: int, data: bytes, deadline: float) -> None:
    # A child that stops reading must not hang the grader: wait for room, up to the deadline.
    # The pipe is non-blocking: write at once while there is room (a request usually fits).
    view = memoryview(data)
    while view:
        try:
            view = view[os.write(fd, view[:65536]):]
            continue
        except BlockingIOError:
            pass
        wait = deadline - time.monotonic()
        if wait <= 0 or not select.select([], [fd], [], wait)[1]:
            raise TimeoutError


class _DeadlineReader:
    """A file-like read() on a pipe that raises TimeoutError at a deadline."""

    def __init__(self, fd: int, deadline: float):
        self.fd, self.deadline = fd, deadline

    def read(self, size: int) -> bytes:
        chunks, remaining = [], size
        while remaining:
            wait = self.deadline - time.monotonic()
            if wait <= 0 or not select.select([self.fd], [], [], wait)[0]:
                raise TimeoutError
            chunk = os.read(self.fd, min(remaining, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        return b"".join(chunks)


MAX_SCRATCH_FILES = 10_000


def _usage(folder: str, limit: int) -> tuple[int, int]:
    """(bytes, entries) below folder, not following links; stops counting past the limits."""
    used, count, pending = 0, 0, [folder]
    while pending and used <= limit and count <= MAX_SCRATCH_FILES:
        try:
            with os.scandir(pending.pop()) as entries:
                for entry in entries:
                    count += 1
                    try:
                        if entry.is_dir(follow_symlinks=False):
                            pending.append(entry.path)
                        else:
                            used += entry.stat(follow_symlinks=False).st_blocks * 512
                    except OSError:
                        pass
        except OSError:
            pass
    return used, count


def _no_new_privs() -> None:
    if _LIBC is not None and _LIBC.prctl(38, 1, 0, 0, 0) != 0:  # PR_SET_NO_NEW_PRIVS
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS)")


_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform == "linux" else None


_CLOSING: list[threading.Thread] = []  # clean-ups still running in the background
_CLOSING_LOCK = threading.Lock()
