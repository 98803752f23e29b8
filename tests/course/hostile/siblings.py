"""siblings: at import, in every exercise's child, goes after the other children of the same
submission (started ahead, or the zygote that forks them): kills them, reads their memory,
environment and open files, reads the other exercises' inboxes (the arrays the grader placed
for them), writes into their scratch folders, and offers and looks for messages where siblings
could meet: an abstract socket, and under bubblewrap a System V message queue and a loopback UDP
port. Whatever reaches a sibling, or arrives from one, turns its own answers wrong.
Must score: full marks in both modes. A zygote's children each stack their own Landlock layer
(no signals, ptrace or abstract sockets across domains, only their own inbox and scratch) and,
under bubblewrap, enter network and IPC namespaces of their own; children started one by one
are apart anyway (bubblewrap's namespaces, or a uid each).
"""
import ctypes
import glob
import os
import signal
import socket

_REACHED = []
_KEY, _PORT, _NAME = 0x51B1, 47611, b"\0autograder-siblings"


def _landlock_abi():
    return max(int(ctypes.CDLL(None, use_errno=True).syscall(444, None, ctypes.c_size_t(0), ctypes.c_uint32(1))), 0)


def _siblings():
    """The other engine processes in view: child.py's command line, not this process."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) != os.getpid():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as stream:
                    if b"child.py" in stream.read():
                        found.append(int(entry))
            except OSError:
                pass
    return found


def _touch_processes():
    for pid in _siblings():
        for path in (f"/proc/{pid}/environ", f"/proc/{pid}/mem"):
            try:
                with open(path, "rb") as stream:
                    stream.read(1)
                _REACHED.append(path)
            except OSError:
                pass
        try:
            names = os.listdir(f"/proc/{pid}/fd")  # the numbers only: what they are takes ptrace rights
        except OSError:
            names = []
        for name in names:  # a sibling's pipes: read its requests, or write it replies
            path = f"/proc/{pid}/fd/{name}"
            for attempt in (os.readlink, lambda path: open(path, "rb").close(), lambda path: open(path, "wb").close()):
                try:
                    attempt(path)
                    _REACHED.append(path)
                except OSError:
                    pass
        try:
            os.kill(pid, signal.SIGKILL)
            _REACHED.append(f"killed {pid}")
        except OSError:
            pass


def _touch_files():
    home = os.path.realpath(os.path.expanduser("~"))
    workdir = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for inbox in glob.glob(os.path.join(workdir, "inbox-*")):
        try:
            if os.listdir(inbox):  # this child's own inbox is empty while it imports
                _REACHED.append(inbox)
        except OSError:
            pass
    for folder in glob.glob("/tmp/*") + glob.glob(os.path.join(workdir, "home", "*")):
        if os.path.isdir(folder) and os.path.realpath(folder) != home:
            try:
                with open(os.path.join(folder, f"planted-{os.getpid()}"), "x"):
                    _REACHED.append(folder)
            except OSError:
                pass


def _meet():
    if os.getuid() == 65534 or _landlock_abi() >= 6:  # children started one by one share these without either
        try:
            client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            client.connect(_NAME)
            _REACHED.append("abstract socket")
        except OSError:
            pass
        try:
            _MET.append(socket.socket(socket.AF_UNIX, socket.SOCK_STREAM))
            _MET[-1].bind(_NAME)
            _MET[-1].listen()
        except OSError:
            pass
    if os.getuid() != 65534:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    queue = libc.msgget(_KEY, 0o1666)  # IPC_CREAT | 0666
    if queue >= 0:
        buffer = ctypes.create_string_buffer(64)
        if libc.msgrcv(queue, buffer, 56, 0, 0o4000) > 0:  # IPC_NOWAIT
            _REACHED.append("message queue")
        message = ctypes.create_string_buffer(b"\1\0\0\0\0\0\0\0hello", 16)
        libc.msgsnd(queue, message, 8, 0o4000)
    try:
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        udp.sendto(b"hello", ("127.0.0.1", _PORT))
        _MET.append(socket.socket(socket.AF_INET, socket.SOCK_DGRAM))
        _MET[-1].bind(("127.0.0.1", _PORT))
        _MET[-1].setblocking(False)
        _MET[-1].recv(16)
        _REACHED.append("udp")
    except OSError:
        pass


_MET = []
_touch_processes()
_touch_files()
_meet()



def _reached(*args, **kwargs):
    raise RuntimeError("siblings reached: " + ", ".join(_REACHED)[:300])


if _REACHED:  # every exercise's own code fails, whatever stands in for the rest
    sigmoid = sigmoid_derivative = train_xor = _reached
    MLP.__init__ = MLP.forward = MLP.backward = _reached
