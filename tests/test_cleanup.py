"""No run, failed or not, leaves anything in the temporary folder: each run here gets a TMPDIR of
its own, and whatever fails (an interpreter the child cannot start, a grade refused) must leave
it as empty as it was."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig

import pytest
from support import REPO, TOY_CONFIG, TOY_SOLUTION, requires_root_dropping, run_cli, toy_submission

START_A_CHILD = """
import sys
from autograder import sandbox
from autograder.handle import Student
student = Student("toy", {"toy.py": b"def scale(x, factor):\\n    return x\\n"}, sandbox.Limits(), seed=0)
try:
    student.call("scale", 1.0, 2.0)
except Exception as error:
    print(type(error).__name__, error)
    sys.exit(7)
finally:
    student.close()
"""


def _private_python(tmp_path):
    """This interpreter through a folder no other user may search: as pyenv's under /root on a fresh machine."""
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    (private / "python").symlink_to(sys.executable)
    site = sysconfig.get_paths()["purelib"]
    return str(private / "python"), {"PYTHONPATH": os.pathsep.join([str(REPO), site])}


def test_a_child_that_cannot_start_leaves_no_folder(tmp_path):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    script = "import sys; sys.executable = sys.argv[1]\n" + START_A_CHILD  # the child's interpreter is missing
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path / "no-such-python")], cwd=REPO,
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "TMPDIR": str(scratch), "AUTOGRADER_SANDBOX": "none"})
    assert done.returncode != 0 and "no-such-python" in done.stdout + done.stderr, done.stdout + done.stderr
    assert os.listdir(scratch) == []


@requires_root_dropping
def test_an_interpreter_other_users_cannot_run_leaves_nothing_behind(tmp_path, no_namespaces):
    """The fresh machine: root, no usable bubblewrap, Python under a folder others cannot search.
    Starting a child fails, and so does a grade; neither leaves a folder in TMPDIR."""
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    python, paths = _private_python(tmp_path)
    env = {**os.environ, **no_namespaces, **paths, "TMPDIR": str(scratch)}
    done = subprocess.run([python, "-c", START_A_CHILD], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                          env=env)
    assert done.returncode != 0 and "PermissionError" in done.stdout + done.stderr, done.stdout + done.stderr
    assert os.listdir(scratch) == []
    submission = toy_submission(tmp_path / "sub", TOY_SOLUTION, None)
    graded = subprocess.run([python, "-m", "autograder", "--config", str(TOY_CONFIG), "grade", str(submission),
                             "--results", str(tmp_path / "r.json"), "--only", "scale"], cwd=REPO,
                            capture_output=True, text=True, timeout=300, env=env)
    assert graded.returncode == 3 and "cannot run" in graded.stderr, graded.stderr
    assert os.listdir(scratch) == []


@pytest.mark.parametrize("command", ["check", "grade"])
def test_a_run_that_fails_at_once_leaves_nothing_behind(tmp_path, command):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    submission = toy_submission(tmp_path / "sub", "def scale(x, factor):\n    raise SystemExit(3)\n", None)
    extra = ["--results", str(tmp_path / "r.json")] if command == "grade" else []
    done = run_cli("--config", str(TOY_CONFIG), command, str(submission), *extra, "--only", "no_such_exercise",
                   env={"TMPDIR": str(scratch)})
    assert done.returncode == 2 and "unknown exercise" in done.stderr
    done = run_cli("--config", str(TOY_CONFIG), command, str(submission), *extra, "--only", "scale",
                   env={"TMPDIR": str(scratch)})
    assert done.returncode in (0, 1), done.stderr
    assert os.listdir(scratch) == []
