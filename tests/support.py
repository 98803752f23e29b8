"""Helpers the tests import by name (`from support import ...`): grade a folder through the real
CLI, build submissions, and the engine's toy course (tests/toy/).

The toy course is the engine's own fixture lesson, so that the engine's tests pass whatever lesson
the repository holds: a NumPy function (scale), a class graded with a stand-in (predict), a
hidden-only exercise (mean) and a slow one with a short limit (fit), all in toy.py, and a plain
Python one (shout) in a second module, words.py.
`--config tests/toy/grading.toml` grades against it in this repository wherever no stand-in is
needed; toy_repository() lays it out as a whole repository (the engine copied, the toy course
where a lesson goes), for the paths that read solutions/ and exercises/ beside the engine.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import pytest  # noqa: E402

from autograder import sandbox  # noqa: E402
from autograder.config import load  # noqa: E402
from autograder.results import scores_by_exercise as exercise_scores  # noqa: E402,F401 (tests import it from here)

TOY = REPO / "tests" / "toy"
TOY_CONFIG = TOY / "grading.toml"
TOY_MODULE = "toy"  # the toy course's NumPy module; words.py is its other one
TOY_SOLUTION = (TOY / "solutions" / "toy.py").read_text()
TOY_STUB = (TOY / "exercises" / "toy.py").read_text()
WORDS_SOLUTION = (TOY / "solutions" / "words.py").read_text()
WORDS_STUB = (TOY / "exercises" / "words.py").read_text()


requires_bwrap = pytest.mark.skipif(not sandbox.bwrap_works(),
                                    reason="bubblewrap is not installed here (make test installs it as root)")
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
           + (sandbox.unprivileged_can_run() or "not root") + " (make test sets this up as root)")


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


def run_cli(*args: str, cwd: Path = REPO, env: dict | None = None, timeout: float = 900) -> subprocess.CompletedProcess:
    """`python -m autograder ARGS` in a subprocess, as a user would run it (from cwd: a
    toy_repository() runs its own copy of the engine)."""
    return subprocess.run([sys.executable, "-m", "autograder", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})})


def grade_folders(submissions: Path, out: Path, *extra: str, cwd: Path = REPO, config: Path | None = None) -> dict[str, dict]:
    """`grade-all --jobs 2` over a folder of submissions, as an instructor grades a class:
    {submission folder: its results.json}."""
    done = run_cli(*_config(config), "grade-all", str(submissions), "--out", str(out), "--jobs", "2", *extra, cwd=cwd)
    assert done.returncode == 0, done.stderr
    return {folder.name: json.loads((out / "students" / folder.name / "results.json").read_text())
            for folder in submissions.iterdir()}


def grade(submission: Path, results: Path, *extra: str, cwd: Path = REPO, config: Path | None = None) -> dict:
    """Grade a folder with `python -m autograder grade` and return its results.json."""
    done = run_cli(*_config(config), "grade", str(submission), "--results", str(results), *extra, cwd=cwd)
    assert done.returncode == 0, done.stderr
    return json.loads(results.read_text())


def _config(path: Path | None) -> tuple[str, ...]:
    return ("--config", str(path)) if path else ()


def copy_of_repository(copy: Path) -> Path:
    """The working tree's files that git tracks or would track (no .venv, no data/), copied to `copy`."""
    listed = subprocess.run(["git", "-C", str(REPO), "ls-files", "-co", "--exclude-standard", "-z"],
                            capture_output=True, check=True).stdout.decode().split("\0")
    for name in (name for name in listed if name and (REPO / name).is_file()):
        (copy / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, copy / name)
    return copy


def toy_repository(copy: Path) -> Path:
    """A repository whose lesson is the toy course: this engine (autograder/, its graders left out),
    the toy graders in autograder/graders/, solutions/, exercises/ and lesson/ of the toy course,
    grading.toml, the requirements, the Makefile and the class runners. Run the CLI in it with run_cli(..., cwd=copy)."""
    package = REPO / "autograder"
    for path in package.rglob("*"):
        relative = path.relative_to(package)
        if path.is_file() and relative.parts[0] != "graders" and "__pycache__" not in relative.parts:
            (copy / "autograder" / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, copy / "autograder" / relative)
    shutil.copytree(TOY / "graders", copy / "autograder" / "graders", ignore=shutil.ignore_patterns("__pycache__"))
    (copy / "autograder" / "graders" / "__init__.py").write_text('"""The toy course\'s graders."""\n')
    for folder in ("solutions", "exercises", "lesson"):
        if (TOY / folder).is_dir():
            shutil.copytree(TOY / folder, copy / folder, ignore=shutil.ignore_patterns("__pycache__"))
    # In a repository the graders sit beside grading.toml, where the engine looks by default.
    config = "\n".join(line for line in TOY_CONFIG.read_text().splitlines() if not line.startswith("graders ="))
    (copy / "grading.toml").write_text(config + "\n")
    for name in ("requirements.txt", "requirements-dev.txt", "requirements-notebook.txt", "Makefile", "pyproject.toml"):
        shutil.copy2(REPO / name, copy / name)
    shutil.copytree(REPO / "runners", copy / "runners", ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def toy_config():
    return load(TOY_CONFIG)


def make_submission(folder: Path, *, mlp: str | None = None, mnist_keras: str | None = None,
                    toy: str | None = None, words: str | None = None) -> Path:
    """A submission folder holding the given sources (None: the file is absent)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in (("mlp.py", mlp), ("mnist_keras.py", mnist_keras), ("toy.py", toy), ("words.py", words)):
        if text is not None:
            (folder / name).write_text(text)
    return folder


def toy_submission(folder: Path, source: str | None = TOY_SOLUTION, words: str | None = WORDS_SOLUTION) -> Path:
    """A submission of the toy course: toy.py holding source and words.py holding words (the
    reference by default; None: the file is absent)."""
    return make_submission(folder, toy=source, words=words)


def files_of(folder: Path) -> dict[str, bytes]:
    """{"toy.py": bytes} of a test's own folder, as intake.read() would hand them to a Student."""
    return {path.name: path.read_bytes() for path in Path(folder).glob("*.py")}


def mutate(source: str, old: str, new: str) -> str:
    """source with exactly one occurrence of `old` replaced (fails loudly if it is not there once)."""
    assert source.count(old) == 1, f"expected exactly one {old!r} in the source"
    return source.replace(old, new)
