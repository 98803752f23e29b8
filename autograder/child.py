"""The sandboxed side: imports the submission and serves calls from the grader.

Run as `python -s child.py SUBMISSION_DIR REQUEST_FD REPLY_FD SETTINGS` with requests and replies on
the two pipe descriptors; SETTINGS is JSON from the grader ({"landlock": rules}). The environment is the
grader's own scrubbed one (sandbox._environment), so PYTHONHASHSEED there fixes hash() for every run.
Before anything of the submission is read, the process confines itself with Landlock when the grader
says the kernel has it, and exits with LANDLOCK_FAILED if it cannot (fail closed). Everything in this
process is untrusted once the submission is imported: the grader believes nothing it says except plain
data, checked on arrival.
"""

import base64
import contextlib
import ctypes
import faulthandler
import gc
import importlib
import json
import linecache
import marshal
import os
import signal
import stat
import struct
import sys
import traceback
import types

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wire  # noqa: E402

LANDLOCK_FAILED = 97

_objects = {}
_FOLDER = [""]  # the submission's folder, whose files are the student's
OUTPUT_CHARS = 2000  # what one call may print into its reply; the rest is counted, not kept
TRACE_FRAMES = 5
# The stack is dumped this long before the grader's deadline, so it is in the captured output
# when the grader kills this process; the grader finds it after the kill, no signal needed.
DUMP_MARGIN_S = 0.5


def _store(value):
    _objects[len(_objects) + 1] = value
    return len(_objects)


def _resolve(opaque):
    if opaque.ref not in _objects:
        raise LookupError("that object no longer exists (did an earlier call crash?)")
    return _objects[opaque.ref]


def _where(error, filename):
    """'module.py line 42, in function' for the innermost frame in the student's file."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if os.path.basename(f.filename) == filename]
    if not frames:
        return ""
    frame = frames[-1]
    return f"{filename} line {frame.lineno}, in {frame.name}"


def _trace(error, folder):
    """The innermost frames in the submission's own files: 'model.py:42 in predict: return x @ w'."""
    frames = [(f.filename, f.lineno, f.name) for f in traceback.extract_tb(error.__traceback__)]
    if isinstance(error, SyntaxError) and error.filename and error.lineno:
        frames.append((error.filename, error.lineno, "<module>"))  # the line that does not parse
    lines = []
    for filename, lineno, name in frames:
        if os.path.isfile(filename) and os.path.dirname(os.path.abspath(filename)) == folder:
            source = linecache.getline(filename, lineno).strip()
            lines.append(f"{os.path.basename(filename)}:{lineno} in {name}: {source[:160]}")
    return lines[-TRACE_FRAMES:]


class _Printed:
    """A stand-in for sys.stdout during one call: keeps the first OUTPUT_CHARS, counts the rest."""

    def __init__(self):
        self.kept, self.dropped = [], 0
        self.room = OUTPUT_CHARS

    def write(self, text):
        text = str(text)
        self.kept.append(text[:self.room])
        self.dropped += max(len(text) - self.room, 0)
        self.room = max(self.room - len(text), 0)
        return len(text)

    def flush(self):
        pass

    def text(self):
        return "".join(self.kept) + (f"\n[... {self.dropped} more characters]" if self.dropped else "")


# The watchdog's signal: a real-time one, so a student's signal.alarm() keeps SIGALRM (Linux only).
WATCHDOG_SIGNAL = signal.SIGRTMIN + 3 if hasattr(signal, "SIGRTMIN") else None


class _Watchdog:
    """Dumps every thread's stack to fd 2 when a call runs past its time, without a thread of its own.

    A POSIX timer of this process raises WATCHDOG_SIGNAL, on which faulthandler (registered
    before anything of the submission runs) writes the stacks from its C signal handler, so
    the dump happens even while the student's code holds the GIL in a C loop. Arming it is one
    system call, where faulthandler.dump_traceback_later starts and joins a thread per call
    (a tenth of a millisecond, most of a call's round trip). Where there are no POSIX timers
    (macOS, Windows: `make check` there), it falls back to dump_traceback_later.
    """

    def __init__(self):
        self._timer = None
        self._fallback = not (sys.platform == "linux" and WATCHDOG_SIGNAL and hasattr(faulthandler, "register"))

    def arm(self, seconds):
        if self._fallback:
            faulthandler.dump_traceback_later(seconds)
            return
        if self._timer is None:  # a POSIX timer is not inherited by fork: each process makes its own
            self._timer = _posix_timer()
        self._set(seconds)

    def disarm(self):
        if self._fallback:
            faulthandler.cancel_dump_traceback_later()
        elif self._timer is not None:
            self._set(0)

    def _set(self, seconds):
        whole = int(seconds)
        spec = _ItimerSpec(it_value=_Timespec(whole, int((seconds - whole) * 1e9)))
        if _libc().timer_settime(self._timer, 0, ctypes.byref(spec), None) != 0:
            raise OSError(ctypes.get_errno(), "timer_settime")


class _Timespec(ctypes.Structure):
    _fields_ = [("tv_sec", ctypes.c_long), ("tv_nsec", ctypes.c_long)]


class _ItimerSpec(ctypes.Structure):
    _fields_ = [("it_interval", _Timespec), ("it_value", _Timespec)]


class _SigEvent(ctypes.Structure):  # Linux's struct sigevent: 64 bytes
    _fields_ = [("sigev_value", ctypes.c_void_p), ("sigev_signo", ctypes.c_int), ("sigev_notify", ctypes.c_int),
                ("_rest", ctypes.c_byte * 48)]


_LIBC = []


def _libc():
    if not _LIBC:
        _LIBC.append(ctypes.CDLL(None, use_errno=True))
    return _LIBC[0]


def _posix_timer():
    """A CLOCK_MONOTONIC timer that raises WATCHDOG_SIGNAL, with faulthandler dumping on that signal."""
    faulthandler.register(WATCHDOG_SIGNAL, all_threads=True)
    event, timer = _SigEvent(sigev_signo=WATCHDOG_SIGNAL, sigev_notify=0), ctypes.c_void_p()  # SIGEV_SIGNAL
    if _libc().timer_create(1, ctypes.byref(event), ctypes.byref(timer)) != 0:  # CLOCK_MONOTONIC
        raise OSError(ctypes.get_errno(), "timer_create")
    return timer


_WATCHDOG = _Watchdog()


@contextlib.contextmanager
def _watched(timeout_s):
    """Capture what the call prints, and dump its stack to fd 2 just before the grader's deadline."""
    printed = _Printed()
    armed = False
    if timeout_s:
        try:  # the code may have used up what a timer needs (its process or memory limit)
            _WATCHDOG.arm(max(timeout_s - DUMP_MARGIN_S, timeout_s * 0.8))
            armed = True
        except (RuntimeError, OSError, ValueError):
            pass
    try:
        with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
            yield printed
    finally:
        if armed:
            with contextlib.suppress(OSError):
                _WATCHDOG.disarm()


class Session:
    def __init__(self):
        self.module = None
        self.filename = ""

    def op_import(self, module, seed=0):
        import random

        import numpy

        random.seed(seed)
        numpy.random.seed(seed)
        self.filename = module + ".py"
        self.module = importlib.import_module(module)
        # What the import made lives as long as the process: a full collection need not walk it
        # again (with TensorFlow loaded, each one took 0.3 s; Keras' clear_session runs one).
        gc.freeze()
        return None

    def op_stand_in(self, code, names):
        # Sent after the import, as bytecode of only the stand-ins (no source text, no other
        # reference functions): it lives in a nameless module, never in sys.modules or on disk.
        reference = types.ModuleType("reference")
        exec(marshal.loads(base64.b64decode(code)), reference.__dict__)
        for name in names:
            owner, _, attribute = name.rpartition(".")
            if owner:
                target = getattr(self.module, owner, None)
                if isinstance(target, type):
                    method = getattr(reference, owner).__dict__[attribute]
                    if attribute == "__init__":
                        method = _layered(target.__dict__.get("__init__"), method)
                    setattr(target, attribute, method)
            else:
                setattr(self.module, attribute, getattr(reference, attribute))

    def op_call(self, target, name=None, args=(), kwargs=None, record_warnings=False):
        function = getattr(self.module, target) if isinstance(target, str) else target
        if name is not None:
            function = getattr(function, name)
        if not record_warnings:
            return function(*args, **(kwargs or {}))
        import warnings

        import numpy

        with warnings.catch_warnings(record=True) as caught, numpy.errstate(over="warn", invalid="warn", divide="warn"):
            warnings.simplefilter("always")
            value = function(*args, **(kwargs or {}))
        return {"value": value, "warnings": [str(w.message)[:200] for w in caught]}

    def op_getattr(self, target, name):
        return getattr(target, name)

    def op_setattr(self, target, name, value):
        setattr(target, name, value)

    def op_run(self, code, name, args=(), kwargs=None):
        # Grader-supplied helper code (e.g. export a Keras model's weights as arrays), as bytecode.
        namespace = {"student": self.module}
        exec(marshal.loads(base64.b64decode(code)), namespace)
        return namespace[name](*args, **(kwargs or {}))


def _layered(own, reference):
    """A constructor standing in: the student's own first (what it sets up that the contract does not
    name stays, e.g. a helper kept on self), then the reference's, which sets every attribute the
    contract names. The student's own may fail (that is why the reference stands in): ignored."""
    def __init__(self, *args, **kwargs):
        if own is not None:
            try:
                own(self, *args, **kwargs)
            except Exception:  # noqa: BLE001 - the student's broken constructor; the reference's follows
                pass
        reference(self, *args, **kwargs)
    return __init__


def confine(rules):
    """Landlock: read only `read`, write only `write` (no named sockets), no TCP, no signals or
    abstract sockets outside."""
    abi = int(rules.get("abi", 0))
    if abi <= 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    everything = (1 << 13) - 1  # ABI 1: execute ... make_sym
    file_rights = 0b111  # execute, write_file, read_file
    if abi >= 2:
        everything |= 1 << 13  # refer
    if abi >= 3:
        everything |= 1 << 14  # truncate
        file_rights |= 1 << 14
    if abi >= 5:
        everything |= 1 << 15  # ioctl_dev
        file_rights |= 1 << 15
    attr = struct.pack("=QQQ", everything, 0b11 if abi >= 4 else 0, 0b11 if abi >= 6 else 0)
    attr = attr[:8 if abi < 4 else 16 if abi < 6 else 24]
    ruleset = libc.syscall(444, ctypes.c_char_p(attr), ctypes.c_size_t(len(attr)), ctypes.c_uint32(0))
    if ruleset < 0:
        raise OSError(ctypes.get_errno(), "landlock_create_ruleset")

    def allow(path, access):
        try:
            fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
        except OSError:
            return  # a path this machine does not have
        try:
            if not stat.S_ISDIR(os.fstat(fd).st_mode):
                access &= file_rights
            rule = struct.pack("=Qi", access, fd)
            if libc.syscall(445, ruleset, 1, ctypes.c_char_p(rule), 0) < 0:  # LANDLOCK_RULE_PATH_BENEATH
                raise OSError(ctypes.get_errno(), f"landlock_add_rule {path}")
        finally:
            if path == "/proc/self":
                # A rule holds an inode, and procfs makes a new one for /proc/<pid> whenever its
                # cached entry is dropped: an open descriptor keeps this process's own entry (and
                # so its rule) alive. The rule grants /proc/<this pid>, never a sibling's.
                _PINNED.append(fd)
            else:
                os.close(fd)

    for path in rules.get("read", ()):
        allow(path, 0b1101)  # execute, read_file, read_dir
    for path in rules.get("write", ()):
        # Everything but make_sock: connecting to a named unix socket is not Landlock's to refuse,
        # so a child must not be able to make one for a sibling to connect to.
        allow(path, everything & ~(1 << 9))
    for path in rules.get("devices", ()):
        allow(path, file_rights)
    if libc.prctl(38, 1, 0, 0, 0) != 0 or libc.syscall(446, ruleset, 0) != 0:  # no_new_privs, restrict_self
        raise OSError(ctypes.get_errno(), "landlock_restrict_self")
    os.close(ruleset)


_PINNED = []


def filter_system_calls():
    """A seccomp filter for what Landlock does not cover, so that no two children (siblings of one
    submission, or any others) share a channel: sockets other than unix ones (UDP and TCP on
    loopback, netlink), System V IPC and POSIX message queues, inotify and fanotify (a sibling's
    opening of a file both can read would be seen), keyrings (shared by a uid), and reading or
    setting another process's scheduling settings and limits by its pid. File locks, which a
    sibling could test on a file both can read, succeed without locking anything.

    x86-64 only (the numbers are that architecture's); elsewhere it returns False, installs nothing.
    """
    import platform

    if sys.platform != "linux" or platform.machine() != "x86_64" or sys.maxsize < 2 ** 32:
        return False
    allow, arch_x86_64 = 0x7FFF0000, 0xC000003E

    def fail(number):
        return 0x00050000 | number  # SECCOMP_RET_ERRNO

    def load(offset):
        return (0x20, 0, 0, offset)  # BPF_LD | BPF_W | BPF_ABS

    def ret(value):
        return (0x06, 0, 0, value)

    def jeq(value, true, false):
        return (0x15, true, false, value)

    denied = {68: 1, 69: 1, 70: 1, 71: 1, 64: 1, 65: 1, 66: 1, 220: 1, 29: 1, 30: 1, 31: 1, 67: 1,  # System V IPC
              240: 1, 241: 1, 242: 1, 243: 1, 244: 1, 245: 1,  # POSIX message queues
              253: 1, 254: 1, 294: 1, 300: 1,  # inotify, fanotify
              248: 1, 249: 1, 250: 1,  # add_key, request_key, keyctl
              73: 0}  # flock: succeeds, locks nothing
    program = [load(4), jeq(arch_x86_64, 1, 0), ret(fail(38)),  # another ABI (int 0x80): ENOSYS
               load(0), (0x35, 0, 1, 0x40000000), ret(fail(38))]  # x32 system calls (BPF_JGE): ENOSYS
    for number, error in denied.items():
        program += [jeq(number, 0, 1), ret(fail(error))]
    # socket(domain, ...): AF_UNIX only, others EAFNOSUPPORT (as on a kernel without them).
    program += [jeq(41, 0, 4), load(16), jeq(1, 0, 1), ret(allow), ret(fail(97))]
    # fcntl(fd, cmd, ...): F_SETLK, F_SETLKW, F_OFD_SETLK, F_OFD_SETLKW succeed, lock nothing; F_NOTIFY: EPERM.
    locks = (6, 7, 37, 38)
    program += [jeq(72, 0, len(locks) + 5), load(24)]
    program += [jeq(cmd, len(locks) - i + 1, 0) for i, cmd in enumerate(locks)]
    program += [jeq(1026, 2, 0), ret(allow), ret(fail(0)), ret(fail(1))]
    # What a process may read or set of another by its pid (nice, affinity, scheduling policy,
    # limits, I/O priority): only of itself (pid 0, or PRIO_PROCESS / IOPRIO_WHO_PROCESS with who
    # 0), else ESRCH, as if the other were in another pid namespace. sched_getscheduler of a
    # thread (glibc asks by tid) answers SCHED_OTHER.
    self_only = {140: ((16, 0), (24, 0)), 141: ((16, 0), (24, 0)), 142: ((16, 0),), 144: ((16, 0),),
                 145: ((16, 0),), 203: ((16, 0),), 204: ((16, 0),), 251: ((16, 1), (24, 0)), 252: ((16, 1), (24, 0)),
                 302: ((16, 0),), 314: ((16, 0),), 315: ((16, 0),)}
    for number, conditions in self_only.items():
        last = len(conditions)
        program.append(jeq(number, 0, 2 * last + 2))
        for index, (offset, value) in enumerate(conditions):
            program += [load(offset), jeq(value, 0, 2 * (last - index) - 1)]
        program += [ret(allow), ret(fail(0 if number == 145 else 3))]
    program += [ret(allow)]
    code = b"".join(struct.pack("=HBBI", *instruction) for instruction in program)
    buffer = ctypes.create_string_buffer(code, len(code))
    fprog = struct.pack("=HxxxxxxQ", len(program), ctypes.addressof(buffer))
    libc = _libc()
    # seccomp(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_SPEC_ALLOW): without that flag a filter
    # also turns on the speculative store bypass mitigation, which slows the child's arithmetic.
    if libc.prctl(38, 1, 0, 0, 0) != 0 or libc.syscall(317, 1, 4, ctypes.c_char_p(fprog)) != 0:
        raise OSError(ctypes.get_errno(), "seccomp")
    return True


def serve(requests, replies):
    session = Session()
    while True:
        try:
            message = wire.receive(requests)
        except EOFError:
            return
        printed = _Printed()
        try:
            request = wire.decode(message, _resolve, files=True)
            handler = getattr(session, "op_" + request.pop("op"))
            with _watched(request.pop("timeout_s", None)) as printed:
                value = handler(**request)
            reply = {"ok": wire.encode(value, _store)}
        except BaseException as error:  # the student's code may raise anything, SystemExit included
            reply = {"error": {"type": type(error).__name__, "message": str(error)[:2000],
                               "where": _where(error, session.filename),
                               "trace": _trace(error, _FOLDER[0])}}
        reply["output"] = printed.text()
        try:
            wire.send(replies, reply)
        except BaseException as error:
            wire.send(replies, {"error": {"type": type(error).__name__, "message": str(error)[:2000], "where": ""}})


CLONE_NEWIPC, CLONE_NEWUSER, CLONE_NEWNET = 0x08000000, 0x10000000, 0x40000000


def zygote(control):
    """Fork a child per request on `control` (see zygote.py); never imports the submission.

    A request: {"op": "fork", ...} with the child's three pipe ends, answered with its pidfd; or
    {"op": "status", "pid": n}, answered with that child's exit status once it has exited.
    Returns only in a forked child, once it is confined: its (requests, replies) streams and the
    modules it is to import before any request (its preload), for serve() to run at the stack
    depth a fresh child runs it (Python 3.11 allocates frames in 16 KB chunks, and a serve() a
    few frames deeper can sit on a chunk's edge, where every call and return maps and unmaps
    one: that made TensorFlow's import a third slower).
    """
    import socket
    import time

    import numpy  # noqa: F401 - what every child needs: imported once, here, before any fork

    sock = socket.socket(fileno=control)
    exited, scratch = {}, {}
    while True:
        try:
            data, fds, _, _ = socket.recv_fds(sock, 1 << 16, 3)
        except OSError:
            return
        if not data:
            return  # the grader closed its end
        request = json.loads(data)
        if request.get("op") == "fork" and len(fds) == 3:
            sys.stdout.flush(), sys.stderr.flush()
            pid = os.fork()
            if pid == 0:
                sock.close()
                return _forked(request, *fds)
            for fd in fds:
                os.close(fd)
            scratch[pid] = request["scratch"]
            pidfd = os.pidfd_open(pid)
            socket.send_fds(sock, [json.dumps({"pid": pid}).encode()], [pidfd])
            os.close(pidfd)
        elif request.get("op") == "status":
            for fd in fds:
                os.close(fd)
            pid, code = int(request.get("pid", 0)), None
            for _ in range(200):  # the grader asks once the child is gone: it is, or is within moments
                if pid in exited:
                    break
                try:
                    done, status = os.waitpid(-1, os.WNOHANG)
                except ChildProcessError:
                    break
                if done:
                    exited[done] = os.waitstatus_to_exitcode(status)
                else:
                    time.sleep(0.01)
            code = exited.pop(pid, None)
            if code is not None:
                _empty(scratch.pop(pid, ""))  # a tmpfs of its own under bubblewrap: give back its memory
            sock.send(json.dumps({"pid": pid, "status": code}).encode())
        else:
            for fd in fds:
                os.close(fd)


def _empty(folder):
    import shutil

    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        for entry in list(entries):
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)
            else:
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


def _forked(request, requests, replies, output):
    """In the zygote's new child: confine it on its own; its (requests, replies) streams and preload."""
    try:
        os.dup2(output, 1), os.dup2(output, 2)
        os.close(output)
        for name in os.listdir("/proc/self/fd"):  # nothing of the zygote's (or a sibling's) stays open
            if int(name) not in (0, 1, 2, requests, replies):
                with contextlib.suppress(OSError):
                    os.close(int(name))
        os.setsid()
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (request["memory"], request["memory"]))
        if request.get("namespaces"):
            # No loopback port and no System V queue shared with a sibling.
            libc = ctypes.CDLL(None, use_errno=True)
            if libc.unshare(CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWIPC) != 0:
                raise OSError(ctypes.get_errno(), "unshare")
        scratch = request["scratch"]
        os.environ["HOME"] = os.environ["TMPDIR"] = scratch
        if "tempfile" in sys.modules:
            sys.modules["tempfile"].tempdir = None
        os.chdir(scratch)
        confine(request["landlock"])
    except BaseException as error:
        print(f"the sandbox could not confine this process: {error}", file=sys.stderr, flush=True)
        os._exit(LANDLOCK_FAILED)
    return os.fdopen(requests, "rb"), os.fdopen(replies, "wb"), [str(name) for name in request.get("preload", [])]


if __name__ == "__main__":
    settings = json.loads(sys.argv[4]) if len(sys.argv) > 4 else {}
    try:
        filter_system_calls()  # a zygote's children inherit it
        confine(settings.get("landlock", {}))
    except OSError as error:
        print(f"the sandbox could not confine this process with Landlock: {error}", file=sys.stderr)
        os._exit(LANDLOCK_FAILED)
    sys.path.insert(0, sys.argv[1])
    _FOLDER[0] = os.path.abspath(sys.argv[1])
    os.chdir(os.environ.get("HOME", sys.argv[1]))
    if settings.get("zygote"):
        forked = zygote(int(sys.argv[2]))  # returns in a forked child only
        if forked is not None:
            requests, replies, preload = forked
            for name in preload:  # installed packages grading.toml names, while the grader starts up
                with contextlib.suppress(Exception):  # a real failure shows in the submission's own import
                    importlib.import_module(name)
            serve(requests, replies)
    else:
        serve(os.fdopen(int(sys.argv[2]), "rb"), os.fdopen(int(sys.argv[3]), "wb"))
