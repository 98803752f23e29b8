"""import_solution: sigmoid imports the reference solution (sys.path tricks: the parents' working
directories, the folders above the submission, the usual checkout places) and returns its
answer; no own code.

Must score: 0 on sigmoid (under bubblewrap the import fails, and each check says "not
implemented"); full marks elsewhere. Without bubblewrap the import works: skipped there.
"""
import os
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


def _reference():
    places = [cwd for _, cwd in _ancestors()] + ["/work/main", "/autograder/source", os.getcwd()]
    here = os.path.dirname(os.path.abspath(__file__))
    while here != os.path.dirname(here):
        places.append(here)
        here = os.path.dirname(here)
    sys.path[:0] = places
    for name in ("solutions.mlp", "autograder.graders", "reference_mlp"):
        try:
            __import__(name)
        except ImportError:
            continue
    return sys.modules.get("solutions.mlp")


def sigmoid(x):
    reference = _reference()
    if reference is not None:
        return reference.sigmoid(x)
    raise NotImplementedError("sigmoid is not implemented yet")
