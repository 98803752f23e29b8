"""Fixtures and sandbox modes for our own tests; the helpers tests import by name are in support.py
(one importable module: tests/course/ has files of its own, and two conftest modules would clash)."""

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
from support import (TOY_CONFIG, TOY_SOLUTION, copy_of_repository, exercise_scores, files_of, grade,  # noqa: E402,F401
                     grade_folders, make_submission, mutate, run_cli, toy_repository)

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


@pytest.fixture(scope="session")
def config():
    return load(REPO / "grading.toml")


@pytest.fixture(scope="session")
def solution_mlp() -> str:
    return (REPO / "solutions" / "mlp.py").read_text()


@pytest.fixture(scope="session")
def solution_keras() -> str:
    return (REPO / "solutions" / "mnist_keras.py").read_text()


@pytest.fixture(scope="session")
def toy_config():
    """The toy course's grading.toml, loaded (tests/toy/)."""
    return load(TOY_CONFIG)


@pytest.fixture(scope="session")
def toy_repo(tmp_path_factory) -> Path:
    """A repository whose lesson is the toy course (support.toy_repository), shared by a session's
    tests: those that change it make their own with toy_repository(tmp_path)."""
    return toy_repository(tmp_path_factory.mktemp("toy-repo"))


@pytest.fixture(scope="session")
def solution_toy() -> str:
    return TOY_SOLUTION

