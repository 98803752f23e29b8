"""Shared helpers for our own tests: grade a folder through the real CLI, build submissions."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from autograder import sandbox  # noqa: E402
from autograder.config import load  # noqa: E402
from autograder.results import scores_by_exercise as exercise_scores  # noqa: E402,F401 (tests import it from here)

requires_bwrap = pytest.mark.skipif(not sandbox.bwrap_works(),
                                    reason="bubblewrap is not installed here (.ci/run installs it)")
# The "no namespaces" mode, as in Docker's default seccomp profile (Gradescope): a bwrap on PATH
# that fails the way it fails there, so the engine falls back to dropping root for its own uid.
FAILING_BWRAP = """#!/bin/sh
echo "bwrap: No permissions to create a new namespace, likely because the kernel does not allow \
non-privileged user namespaces." >&2
exit 1
"""
requires_root_dropping = pytest.mark.skipif(
    os.geteuid() != 0 or bool(sandbox.unprivileged_can_run()),
    reason="the no-namespace sandbox needs root, and a Python that a uid of no account can run: "
           + (sandbox.unprivileged_can_run() or "not root") + " (.ci/run sets this up)")


def _no_namespaces_env() -> dict[str, str]:
    import atexit
    import shutil
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="failing-bwrap-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    (folder / "bwrap").write_text(FAILING_BWRAP)
    (folder / "bwrap").chmod(0o755)
    return {"PATH": f"{folder}:{os.environ['PATH']}"}


NO_NAMESPACES_ENV = _no_namespaces_env()  # for a CLI run in the no-namespace mode (see FAILING_BWRAP)


# Environments for CLI runs in each sandbox mode: bubblewrap; "fallback", a plain subprocess (a
# laptop: grades need --allow-unsandboxed); "no namespaces", root dropping to its own uid (Docker).
SANDBOX_MODES = {
    "bubblewrap": pytest.param({}, marks=pytest.mark.skipif(not sandbox.bwrap_works(),
                                                            reason="bubblewrap cannot create namespaces here")),
    "fallback": pytest.param({"AUTOGRADER_SANDBOX": "none"}),
    "no namespaces": pytest.param(NO_NAMESPACES_ENV, marks=requires_root_dropping),
}


@pytest.fixture(scope="session")
def no_namespaces() -> dict[str, str]:
    return NO_NAMESPACES_ENV


def run_cli(*args: str, cwd: Path = REPO, env: dict | None = None, timeout: float = 900) -> subprocess.CompletedProcess:
    """`python -m autograder ARGS` in a subprocess, as a user would run it."""
    return subprocess.run([sys.executable, "-m", "autograder", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})})


def grade_folders(submissions: Path, out: Path, *extra: str) -> dict[str, dict]:
    """`grade-all --jobs 2` over a folder of submissions, as an instructor grades a class:
    {submission folder: its results.json}."""
    done = run_cli("grade-all", str(submissions), "--out", str(out), "--jobs", "2", *extra)
    assert done.returncode == 0, done.stderr
    return {folder.name: json.loads((out / "students" / folder.name / "results.json").read_text())
            for folder in submissions.iterdir()}


def copy_of_repository(copy: Path) -> Path:
    """The working tree's files that git tracks or would track (no .venv, no data/), copied to `copy`."""
    import shutil

    listed = subprocess.run(["git", "-C", str(REPO), "ls-files", "-co", "--exclude-standard", "-z"],
                            capture_output=True, check=True).stdout.decode().split("\0")
    for name in (name for name in listed if name and (REPO / name).is_file()):
        (copy / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, copy / name)
    return copy


def grade(submission: Path, results: Path, *extra: str) -> dict:
    """Grade a folder with `python -m autograder grade` and return its results.json."""
    done = run_cli("grade", str(submission), "--results", str(results), *extra)
    assert done.returncode == 0, done.stderr
    return json.loads(results.read_text())




def make_submission(folder: Path, *, mlp: str | None = None, mnist_keras: str | None = None) -> Path:
    """A submission folder holding the given sources (None: the file is absent)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in (("mlp.py", mlp), ("mnist_keras.py", mnist_keras)):
        if text is not None:
            (folder / name).write_text(text)
    return folder


def files_of(folder: Path) -> dict[str, bytes]:
    """{"mlp.py": bytes} of a test's own folder, as intake.read() would hand them to a Student."""
    return {path.name: path.read_bytes() for path in Path(folder).glob("*.py")}


def mutate(source: str, old: str, new: str) -> str:
    """source with exactly one occurrence of `old` replaced (fails loudly if it is not there once)."""
    assert source.count(old) == 1, f"expected exactly one {old!r} in the source"
    return source.replace(old, new)


@pytest.fixture(scope="session")
def config():
    return load(REPO / "grading.toml")


@pytest.fixture(scope="session")
def solution_mlp() -> str:
    return (REPO / "solutions" / "mlp.py").read_text()


@pytest.fixture(scope="session")
def solution_keras() -> str:
    return (REPO / "solutions" / "mnist_keras.py").read_text()
