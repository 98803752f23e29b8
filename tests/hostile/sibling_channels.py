"""sibling_channels: two children of one submission try to talk, through every channel we could find.

A standalone submission module (no course): tests/test_isolation.py imports it in two children of
one submission (forked by its zygote, or started one by one) and calls, in order:
- arm(port) in the first: writes a marker into its own command line (its argv bytes, which any
  process that sees /proc/<pid>/cmdline may read), binds a loopback UDP port, an abstract unix
  socket and one in its own scratch folder, creates a System V message queue and a POSIX one (mode 0666) with a message in each,
  holds an exclusive flock on a file every child can read (the standard library's os.py), and
  watches another (this.py) with inotify, and sets its own nice, CPU affinity, scheduling
  policy and open-file limit (which other processes may read, or change, by its pid);
- knock(port, pid) in the second: reads the /proc entries of every other process it sees
  (cmdline, environ, status, stat, maps, fd) looking for the marker, signals `pid`, sends to the
  port and the sockets, reads the queues, tries the flock, opens the watched file, reads and
  changes the first one's scheduling settings and limits;
- heard() in the first: whatever arrived.
Each returns the channels that worked. Must return [] from all three, in every sandbox mode.
"""
import ctypes
import fcntl
import os
import resource
import socket

MARKER = b"SIBLING-SECRET-0123456789"
_KEPT = {}
_LIBC = ctypes.CDLL(None, use_errno=True)
_LOCKED = os.path.join(os.path.dirname(os.__file__), "os.py")
_WATCHED = os.path.join(os.path.dirname(os.__file__), "this.py")


def _argv_area():
    with open("/proc/self/stat", "rb") as stream:
        fields = stream.read().rsplit(b")", 1)[1].split()
    return int(fields[45]), int(fields[46])  # arg_start, arg_end (fields 48 and 49 of stat)


def arm(port):
    done = []
    try:
        start, end = _argv_area()
        ctypes.memmove(start, MARKER + b"\0", min(len(MARKER) + 1, end - start))
        done.append("cmdline")
    except OSError:
        pass
    try:
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        udp.bind(("127.0.0.1", port))
        udp.setblocking(False)
        _KEPT["udp"] = udp
        done.append("udp")
    except OSError:
        pass
    try:
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind(b"\0autograder-sibling-%d" % port)
        server.listen()
        server.setblocking(False)
        _KEPT["abstract"] = server
        done.append("abstract socket")
    except OSError:
        pass
    queue = _LIBC.msgget(port, 0o1666)  # IPC_CREAT | 0666
    if queue >= 0:
        _LIBC.msgsnd(queue, ctypes.create_string_buffer(b"\1\0\0\0\0\0\0\0" + MARKER), len(MARKER), 0o4000)
        done.append("msgget")
    mqueue = _LIBC.mq_open(b"/autograder-sibling-%d" % port, os.O_CREAT | os.O_RDWR | os.O_NONBLOCK, 0o666, None)
    if mqueue >= 0:
        _LIBC.mq_send(mqueue, MARKER, len(MARKER), 0)
        done.append("mq_open")
    try:
        named = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        named.bind(os.path.join(os.getcwd(), "sibling.sock"))  # in its own scratch folder (its cwd)
        named.listen()
        named.setblocking(False)
        _KEPT["named"] = named
        done.append("named socket")
    except OSError:
        pass
    try:
        locked = open(_LOCKED, "rb")
        fcntl.flock(locked, fcntl.LOCK_EX | fcntl.LOCK_NB)
        _KEPT["flock"] = locked
        done.append("flock")
    except OSError:
        pass
    try:  # its nice raised to 18 (up only: no privilege needed); not where everything runs at 19 already
        if os.getpriority(os.PRIO_PROCESS, 0) < 18:
            os.setpriority(os.PRIO_PROCESS, 0, 18)
            _KEPT["nice"] = True
            done.append("nice")
    except OSError:
        pass
    try:  # what any process may read of another by its pid, set on itself
        os.sched_setaffinity(0, {0})
        os.sched_setscheduler(0, os.SCHED_BATCH, os.sched_param(0))
        resource.setrlimit(resource.RLIMIT_NOFILE, (777, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))
        _KEPT["scheduling"] = True
        done.append("scheduling")
    except OSError:
        pass
    watcher = _LIBC.inotify_init1(os.O_NONBLOCK)
    if watcher >= 0 and _LIBC.inotify_add_watch(watcher, _WATCHED.encode(), 0x20) >= 0:  # IN_OPEN
        _KEPT["inotify"] = watcher
        done.append("inotify")
    return {"pid": os.getpid(), "armed": done, "socket": os.path.join(os.getcwd(), "sibling.sock")}


def _proc_entries(pid):
    found = []
    own = os.getpid()
    try:
        listed = {int(entry) for entry in os.listdir("/proc") if entry.isdigit()}
    except OSError:  # not listed: pids are handed out in order, so a sibling's is near our own
        listed = set(range(max(own - 64, 1), own + 64)) | {1, pid}
    for entry in listed - {own}:
        for name in ("cmdline", "environ", "status", "stat", "maps"):
            try:
                with open(f"/proc/{entry}/{name}", "rb") as stream:
                    data = stream.read()
                found.append(f"/proc/N/{name}" + (" with the marker" if MARKER in data else ""))
            except OSError:
                pass
        try:
            os.listdir(f"/proc/{entry}/fd")
            found.append("/proc/N/fd")
        except OSError:
            pass
    return sorted(set(found))


def knock(port, pid, path=""):
    reached = _proc_entries(pid)
    try:
        socket.socket(socket.AF_UNIX, socket.SOCK_STREAM).connect(path)
        reached.append("named socket")
    except OSError:
        pass
    try:
        if pid != os.getpid():  # children started one by one may each be pid 2 of their own namespace
            os.kill(pid, 0)
            reached.append("signal")
    except OSError:
        pass
    try:
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(MARKER, ("127.0.0.1", port))
    except OSError:
        pass
    try:
        socket.socket(socket.AF_UNIX, socket.SOCK_STREAM).connect(b"\0autograder-sibling-%d" % port)
        reached.append("abstract socket")
    except OSError:
        pass
    for name, read, marker in (("nice", lambda: os.getpriority(os.PRIO_PROCESS, pid), 18),
                               ("nice of the user's processes", lambda: os.getpriority(os.PRIO_USER, 0), 18),
                               ("affinity", lambda: os.sched_getaffinity(pid), {0}),
                               ("scheduler", lambda: os.sched_getscheduler(pid), os.SCHED_BATCH),
                               ("rlimit", lambda: resource.prlimit(pid, resource.RLIMIT_NOFILE)[0], 777)):
        try:
            if pid != os.getpid() and read() == marker:
                reached.append(name)
        except OSError:
            pass
    for name, write in (("renice", lambda: os.setpriority(os.PRIO_PROCESS, pid, 19)),
                        ("renice the user's processes", lambda: os.setpriority(os.PRIO_USER, 0, 19)),
                        ("set affinity", lambda: os.sched_setaffinity(pid, {1})),
                        ("set rlimit", lambda: resource.prlimit(pid, resource.RLIMIT_NOFILE, (555, 555)))):
        try:
            if pid != os.getpid():
                write()
        except OSError:
            pass
    queue = _LIBC.msgget(port, 0)
    if queue >= 0:
        buffer = ctypes.create_string_buffer(8 + len(MARKER))
        if _LIBC.msgrcv(queue, buffer, len(MARKER), 0, 0o4000) > 0:
            reached.append("System V message queue")
    mqueue = _LIBC.mq_open(b"/autograder-sibling-%d" % port, os.O_RDONLY | os.O_NONBLOCK)
    if mqueue >= 0:
        reached.append("POSIX message queue")
    try:
        with open(_LOCKED, "rb") as stream:
            fcntl.flock(stream, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        reached.append("flock")
    except OSError:
        pass
    try:
        open(_WATCHED, "rb").close()
    except OSError:
        pass
    return reached


def heard():
    reached = []
    if "nice" in _KEPT and os.getpriority(os.PRIO_PROCESS, 0) != 18:
        reached.append("reniced")
    if "scheduling" in _KEPT and os.sched_getaffinity(0) != {0}:
        reached.append("affinity set")
    if "scheduling" in _KEPT and resource.getrlimit(resource.RLIMIT_NOFILE)[0] != 777:
        reached.append("rlimit set")
    if "udp" in _KEPT:
        try:
            if _KEPT["udp"].recv(64) == MARKER:
                reached.append("udp")
        except OSError:
            pass
    if "named" in _KEPT:
        try:
            _KEPT["named"].accept()
            reached.append("named socket")
        except OSError:
            pass
    if "abstract" in _KEPT:
        try:
            _KEPT["abstract"].accept()
            reached.append("abstract socket")
        except OSError:
            pass
    if "inotify" in _KEPT:
        buffer = ctypes.create_string_buffer(4096)
        if _LIBC.read(_KEPT["inotify"], buffer, 4096) > 0:
            reached.append("inotify")
    return reached
