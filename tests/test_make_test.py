"""`make test` on a fresh machine (tests/run.sh): as another user, one line on what to install; as
root, the interpreter made startable by other uids, in one line; its temporary folder removed on
any exit. The interpreter is a stand-in here (FAKE_PYTHON), so no suite runs inside these tests."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from support import REPO

# Answers the script's questions (sys.base_prefix, sys.executable) with BASE, runs the course's set-up
# (autograder.prepare: no packages needed, steps recorded), and "runs" pytest by
# recording its arguments and its TMPDIR, then failing, as a failing suite would.
FAKE_PYTHON = """#!/bin/sh
if [ "$1" = "-c" ]; then echo "$BASE"; exit 0; fi
if [ "$2" = "autograder.prepare" ]; then echo "$*" >> "$RECORD.prepare"; exit 0; fi  # no set-up packages, steps done
echo "$TMPDIR $*" > "$RECORD"
mkdir "$TMPDIR/pytest-of-someone"
exit 1
"""
TOOLS = ("bash", "sh", "id", "dirname", "stat", "mktemp", "chmod", "rm", "mkdir", "echo", "cat")


@pytest.fixture
def place():
    """A folder every user may enter (pytest's own is root's only), removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="make-test-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _machine(place: Path) -> dict[str, str]:
    """A PATH with basic tools and no bubblewrap or chromium, and the fake interpreter."""
    tools = place / "bin"
    tools.mkdir()
    for tool in TOOLS:
        found = shutil.which(tool)
        if found:
            (tools / tool).symlink_to(found)
    python = place / "python"
    python.write_text(FAKE_PYTHON)
    python.chmod(0o755)
    scratch = place / "tmp"
    scratch.mkdir(mode=0o777)
    scratch.chmod(0o1777)
    (place / "out").mkdir()
    (place / "out").chmod(0o777)  # the fake interpreter writes its record there, as any user
    record = place / "out" / "record"
    return {"PATH": str(tools), "PY": str(python), "TMPDIR": str(scratch), "RECORD": str(record),
            "BASE": str(place / "base")}


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("runuser"), reason="needs root to run as another user")
def test_another_user_is_told_in_one_line_what_to_install(place):
    env = _machine(place)
    (place / "base").mkdir()
    os.chmod(REPO / "tests" / "run.sh", 0o755)
    done = subprocess.run(["runuser", "-u", "nobody", "--", "/usr/bin/env", "-i", *(f"{k}={v}" for k, v in env.items()),
                           "bash", str(REPO / "tests" / "run.sh"), "tests/test_x.py"],
                          cwd="/", capture_output=True, text=True, timeout=60)
    if "Permission denied" in done.stderr and "run.sh" in done.stderr:
        pytest.skip("this checkout is not readable by other users")
    lines = done.stderr.strip().splitlines()
    assert lines == ["make test: install bubblewrap chromium slurm-wlm munge first (Debian/Ubuntu: sudo apt-get "
                     "install bubblewrap chromium slurm-wlm munge); the tests that need them are skipped"], done.stderr
    # the course's set-up packages asked for, then its set-up steps run (what `make data` does)
    assert (place / "out" / "record.prepare").read_text().splitlines() == [
        "-m autograder.prepare --packages --missing", "-m autograder.prepare"]
    assert done.returncode == 1  # the suite's own status
    assert (place / "out" / "record").read_text().split()[1:] == ["-m", "pytest", "-q", "-n", "2", "--dist", "loadfile",
                                                          "tests/test_x.py"]
    assert os.listdir(place / "tmp") == [], "the run's temporary folder is removed, though the suite failed"


@pytest.mark.skipif(os.geteuid() != 0, reason="the interpreter is opened up for other uids only as root")
def test_root_makes_the_interpreter_reachable_and_says_so(place):
    env = _machine(place)
    base = place / "home" / "pyenv" / "versions" / "3.x"
    base.mkdir(parents=True)
    (place / "home").chmod(0o700)
    env["BASE"] = str(base)
    env["PATH"] += f"{os.pathsep}/nonexistent"  # no apt-get either: nothing is installed here
    # Present (as if installed): the script installs only what is missing.
    for tool in ("bwrap", "chromium", "slurmctld", "munged"):
        (place / "bin" / tool).symlink_to(shutil.which("true"))
    done = subprocess.run(["bash", str(REPO / "tests" / "run.sh")], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stdout.strip().splitlines() == [
        f"make test: made {place / 'home'} searchable by other users (o+x), so the sandbox's own uid can start {base}"]
    assert (place / "home").stat().st_mode & 0o777 == 0o701
    again = subprocess.run(["bash", str(REPO / "tests" / "run.sh")], env=env, capture_output=True, text=True, timeout=60)
    assert again.stdout == "" and again.stderr == "", "nothing to do the second time, nothing said"
    recorded_tmp = (place / "out" / "record").read_text().split()[0]
    assert Path(recorded_tmp).parent == place / "tmp" and os.listdir(place / "tmp") == []
