"""Start the child that runs student code: bubblewrap where it works, else a limited subprocess.

Each child gets a private temporary directory holding a copy of the engine's child
side and of the submission's exercise files (nothing else from the submission), a
scrubbed environment, closed stdin, resource limits, and its own session. Closing it
kills its session, its pids cgroup (when root may create one) and any orphan that
left the session (this process is their subreaper). Under bubblewrap it also has no
network, an unprivileged uid, a read-only view of the interpreter only, and no view
of this repository.
"""

from __future__ import annotations

import contextlib
import functools
import io
import os
import resource
import select
import shutil
import signal
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


@dataclass(frozen=True)
class Limits:
    timeout_s: float = 10.0
    memory_mb: int = 2048
    processes: int = 64
    output_bytes: int = 64_000


class ChildDied(RuntimeError):
    """The child exited, was killed, or timed out; the message says which, in a student's words."""


@functools.cache
def bwrap_works() -> bool:
    """bubblewrap is installed and can create namespaces here (it cannot in some containers)."""
    if sys.platform != "linux" or shutil.which("bwrap") is None or os.environ.get("AUTOGRADER_SANDBOX") == "none":
        return False
    probe = subprocess.run(["bwrap", "--unshare-all", "--ro-bind", "/", "/", "true"], capture_output=True)
    return probe.returncode == 0


def describe() -> str:
    if bwrap_works():
        return "bubblewrap (no network, no view of the grader's files)"
    return "plain subprocess with resource limits (bubblewrap not available: install it for full isolation)"


def _environment(home: str) -> dict[str, str]:
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": home, "TMPDIR": home, "LC_ALL": "C.UTF-8",
           "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1", "MPLBACKEND": "Agg",
           "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
           "TF_CPP_MIN_LOG_LEVEL": "2", "TF_ENABLE_ONEDNN_OPTS": "0", "KERAS_BACKEND": "tensorflow"}
    env.update({key: os.environ[key] for key in _PASSED_ENV if key in os.environ})
    return env


def _bwrap_prefix(workdir: str) -> list[str]:
    read_only = {"/usr", "/etc/ld.so.cache", "/etc/alternatives", sys.prefix, sys.base_prefix,
                 os.path.dirname(os.path.realpath(sys.executable))}
    command = ["bwrap", "--unshare-all", "--die-with-parent", "--new-session",
               "--uid", "65534", "--gid", "65534", "--proc", "/proc", "--dev", "/dev",
               "--tmpfs", "/tmp", "--ro-bind", "/sys/devices/system/cpu", "/sys/devices/system/cpu"]
    for link in ("bin", "lib", "lib64", "sbin"):
        if os.path.islink(f"/{link}"):
            command += ["--symlink", os.readlink(f"/{link}"), f"/{link}"]
        elif os.path.isdir(f"/{link}"):
            read_only.add(f"/{link}")
    for path in sorted(read_only):
        if os.path.exists(path):
            command += ["--ro-bind", path, path]
    return command + ["--bind", workdir, workdir, "--chdir", workdir]


class Child:
    """One sandboxed Python process serving requests for one exercise."""

    def __init__(self, files: dict[str, Path], limits: Limits):
        self.limits = limits
        self._closed = False
        self._pending = (0.0, 0.0)  # (deadline, timeout_s) of the request whose reply is due
        self.workdir = tempfile.mkdtemp(prefix=reaper.prefix())  # reaper.reap(pid) finds it by name
        os.chmod(self.workdir, 0o755)
        engine, submission = Path(self.workdir, "engine"), Path(self.workdir, "submission")
        engine.mkdir(), submission.mkdir(), Path(self.workdir, "home").mkdir()
        for name in ENGINE_FILES:
            shutil.copyfile(_HERE / name, engine / name)
        for name, source in files.items():
            shutil.copyfile(source, submission / name)
        for path in (self.workdir, Path(self.workdir, "home"), submission):
            os.chmod(path, 0o777)  # the sandboxed uid (nobody) may write scratch files here
        self.cgroup = reaper.PidsCgroup(limits.processes) if os.geteuid() == 0 else None
        reaper.become_subreaper()
        request_read, self._requests = os.pipe()
        self._replies, reply_write = os.pipe()
        command = [sys.executable, "-I", str(engine / "child.py"), str(submission),
                   str(request_read), str(reply_write)]
        if bwrap_works():
            command = _bwrap_prefix(self.workdir) + command
        with reaper.SPAWNING:  # a sweep in another thread must not take this child for a leftover
            self.process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                pass_fds=(request_read, reply_write), start_new_session=True, cwd=self.workdir,
                env=_environment(str(Path(self.workdir, "home"))), preexec_fn=self._limit)
            reaper.LIVE.add(self.process.pid)
        os.close(request_read), os.close(reply_write)
        os.set_blocking(self._requests, False)
        self._output = bytearray()
        self.output_dropped = 0
        self._drain = threading.Thread(target=self._read_output, daemon=True)
        self._drain.start()

    def _limit(self) -> None:
        # Between fork and exec, in the child: limits are inherited by bwrap and Python.
        memory = self.limits.memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        resource.setrlimit(resource.RLIMIT_FSIZE, (256 * 1024 * 1024,) * 2)
        if self.cgroup is not None:
            self.cgroup.join()
        elif os.geteuid() != 0:
            used = reaper.tasks_of_user(os.getuid())
            resource.setrlimit(resource.RLIMIT_NPROC, (used + self.limits.processes,) * 2)

    def _read_output(self) -> None:
        # Keep the first output_bytes and count the rest, so a print loop cannot fill memory.
        for chunk in iter(lambda: self.process.stdout.read1(65536), b""):
            room = self.limits.output_bytes - len(self._output)
            self._output += chunk[:max(room, 0)]
            self.output_dropped += max(len(chunk) - max(room, 0), 0)

    @property
    def output(self) -> str:
        text = self._output.decode(errors="replace")
        return text + (f"\n[... {self.output_dropped} more bytes of output dropped]" if self.output_dropped else "")

    def request(self, message: dict, timeout_s: float | None = None) -> dict:
        """Send one request and wait for its reply; kills the child on timeout or death."""
        self.send(message, timeout_s)
        return self.receive()

    def send(self, message: dict, timeout_s: float | None = None) -> None:
        """Send one request; receive() reads its reply, within timeout_s of now."""
        timeout_s = self.limits.timeout_s if timeout_s is None else timeout_s
        self._pending = (time.monotonic() + timeout_s, timeout_s)
        with self._failures(timeout_s):
            _write_all(self._requests, _frame(message), self._pending[0])

    def receive(self) -> dict:
        """The reply to the last request sent; kills the child on timeout or death."""
        deadline, timeout_s = self._pending
        with self._failures(timeout_s):
            return wire.receive(_DeadlineReader(self._replies, deadline))

    @contextlib.contextmanager
    def _failures(self, timeout_s: float):
        try:
            yield
        except TimeoutError:
            self.close()
            raise ChildDied(f"took longer than the {timeout_s:g} s time limit (an endless loop?)") from None
        except (EOFError, BrokenPipeError):
            code = self.process.wait()
            self.close()
            raise ChildDied(_death(code, self.limits)) from None
        except wire.WireError as error:  # a forged reply; the stream may be out of step, so end the child
            self.close()
            raise ChildDied(f"sent back something that is not plain data ({error})") from None

    def close(self, *, wait: bool = True) -> None:
        """Kill the child, everything it started, and delete its files (again: does nothing).

        The child and its session die at once either way. wait=False leaves the rest (reaping,
        the cgroup, the sweep for processes that left the session, deleting its folder) to a
        background thread, so the next exercise need not wait; join_closing() waits for it.
        """
        if self._closed:
            return
        self._closed = True
        if self.process.poll() is None:
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
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        with reaper.SPAWNING:
            reaper.LIVE.discard(self.process.pid)
        if self.cgroup is not None:
            self.cgroup.kill_and_remove()
        reaper.kill_leftovers(session=self.process.pid)
        for fd in (self._requests, self._replies):
            try:
                os.close(fd)
            except OSError:
                pass
        self._drain.join(timeout=1)
        shutil.rmtree(self.workdir, ignore_errors=True)


def join_closing() -> None:
    """Wait until every child closed with wait=False is fully cleaned up."""
    while True:
        with _CLOSING_LOCK:
            if not _CLOSING:
                return
            thread = _CLOSING.pop()
        thread.join()


def _death(code: int, limits: Limits) -> str:
    # bubblewrap passes a child's death by signal n on as exit status 128 + n.
    number = -code if code < 0 else code - 128 if 128 < code < 160 else 0
    name = signal.Signals(number).name if number in signal.Signals._value2member_map_ else ""
    if number == signal.SIGKILL:
        return f"the process was killed (over the {limits.memory_mb} MB memory limit, or another limit?)"
    if number in (signal.SIGSEGV, signal.SIGABRT, signal.SIGBUS):
        return f"the process crashed ({name}); near the {limits.memory_mb} MB memory limit that usually means out of memory"
    if name:
        return f"the process died with signal {name}"
    return f"the process exited with status {code} (sys.exit or os._exit in your code?)"


def _frame(message: dict) -> bytes:
    buffer = io.BytesIO()
    wire.send(buffer, message)
    return buffer.getvalue()


def _write_all(fd: int, data: bytes, deadline: float) -> None:
    # A child that stops reading must not hang the grader: wait for room, up to the deadline.
    view = memoryview(data)
    while view:
        wait = deadline - time.monotonic()
        if wait <= 0 or not select.select([], [fd], [], wait)[1]:
            raise TimeoutError
        try:
            view = view[os.write(fd, view[:65536]):]
        except BlockingIOError:
            pass


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


_CLOSING: list[threading.Thread] = []  # clean-ups still running in the background
_CLOSING_LOCK = threading.Lock()
