"""`make check` as a student sees it in a terminal: read off a tmux screen of 80 columns.

A release of the course is checked with the shared interpreter (PY=...), so no venv is built.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (apt install tmux)")

LOOP = "def sigmoid(x):\n    while True:\n        pass\n"


@pytest.fixture(scope="module")
def student(tmp_path_factory) -> Path:
    from autograder.release import release

    repo = tmp_path_factory.mktemp("release") / "student"
    release(repo)
    return repo


class Screen:
    """A detached tmux session of 80 x 40: an interactive shell in `folder` where `command` is typed,
    as a student would (so Ctrl-C stops the command, not the shell)."""

    def __init__(self, folder: Path, command: str):
        self.socket = f"autograder-test-{uuid.uuid4().hex[:8]}"
        self._tmux("new-session", "-d", "-x", "80", "-y", "40", "-c", str(folder), "bash --norc --noprofile")
        self._tmux("send-keys", "-l", f"PS1='$ '; clear; {command}; echo \"[ex\"\"it $?]\"")
        self._tmux("send-keys", "Enter")

    def _tmux(self, *args: str) -> str:
        done = subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True)
        assert done.returncode == 0, f"tmux {args[0]}: {done.stderr}"
        return done.stdout

    def text(self) -> str:
        return self._tmux("capture-pane", "-p", "-J")

    def wait_for(self, needle: str, timeout: float = 240) -> str:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            text = self.text()
            if needle in text:
                return text
            time.sleep(0.2)
        raise AssertionError(f"{needle!r} never appeared on the screen:\n{self.text()}")

    def keys(self, *keys: str) -> None:
        self._tmux("send-keys", *keys)

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)


def _make(folder: Path, *args: str) -> str:
    # As a student types it: not a sub-make of `make test` (whose MAKEFLAGS would add make's own
    # "Entering directory" lines, as long as the folder's path).
    return f"env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make check PY={sys.executable} " + " ".join(args)


def test_rows_replace_the_running_line_whole_at_80_columns(student):
    shutil.copy(REPO / "solutions" / "mlp.py", student / "exercises" / "mlp.py")
    screen = Screen(student, _make(student, "EX=sigmoid,sigmoid_derivative,forward"))
    try:
        text = screen.wait_for("[exit ")
    finally:
        screen.close()
    rows = [line for line in text.splitlines() if line.startswith("  ") and line.split()[:1] in
            (["sigmoid"], ["sigmoid_derivative"], ["forward"])]
    assert len(rows) == 3 and all(line.rstrip().endswith("passed") for line in rows), text
    assert "running" not in text and "[exit 0]" in text, text
    assert all(len(line) <= 80 for line in text.splitlines()), text


def test_ctrl_c_leaves_one_clean_line(student):
    (student / "exercises" / "mlp.py").write_text(
        (REPO / "exercises" / "mlp.py").read_text().replace("def sigmoid(x):", LOOP + "\n\ndef _stub(x):", 1))
    screen = Screen(student, _make(student, "EX=sigmoid"))
    try:
        screen.wait_for("running...")
        time.sleep(0.5)
        screen.keys("C-c")
        text = screen.wait_for("Error 130", timeout=60)  # make's own line, after the checker's
    finally:
        screen.close()
    lines = [line.rstrip() for line in text.splitlines()]
    assert "interrupted" in lines, text
    assert "running" not in text and "^C" not in text, text


def test_a_pipe_gets_the_table_without_control_bytes(student):
    shutil.copy(REPO / "solutions" / "mlp.py", student / "exercises" / "mlp.py")
    env = {key: value for key, value in os.environ.items() if key not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    done = subprocess.run(["make", "check", f"PY={sys.executable}", "EX=sigmoid"], cwd=student, capture_output=True,
                          env=env)
    out = done.stdout.decode()
    assert done.returncode == 0 and "\x1b" not in out and "\r" not in out, out
    assert all(len(line) <= 80 for line in out.splitlines()), out
