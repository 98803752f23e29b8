"""read_graders: at import, searches the file system (the parents' working directories first,
then /) for the hidden graders and the reference solution; sigmoid raises with whatever it
found in its message.

Must score: full marks under bubblewrap (nothing to find), and no grader or solution text in
the results; without bubblewrap the files are readable: skipped.
"""
import os
import time


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


_WANTED = ("graders/hidden/test_forward.py", "graders/hidden/test_backward.py", "solutions/mlp.py")
_FOUND = []


def _search(seconds=1.5):
    deadline = time.monotonic() + seconds
    roots = [cwd for _, cwd in _ancestors()] + ["/work", "/autograder", "/home", "/root", "/srv", "/opt", "/"]
    for root in roots:
        for folder, dirs, files in os.walk(root):
            dirs[:] = [d for d in dirs if os.path.join(folder, d) not in ("/proc", "/sys", "/dev")]
            for name in files:
                path = os.path.join(folder, name)
                if path.endswith(_WANTED):
                    try:
                        with open(path) as stream:
                            _FOUND.append(stream.read())
                    except OSError:
                        pass
            if _FOUND or time.monotonic() > deadline:
                return


_search()
_solution_sigmoid = sigmoid


def sigmoid(x):
    if _FOUND:
        raise RuntimeError("\n".join(_FOUND)[:2000])  # show it in the message
    return _solution_sigmoid(x)
