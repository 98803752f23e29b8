"""Helpers the tests import by name (`from support import ...`): grade a folder through the real
CLI, build submissions, and the engine's toy course (tests/toy/).

The toy course is the engine's own fixture lesson, so that the engine's tests pass whatever lesson
the repository holds: a NumPy function (scale), a class graded with a stand-in (predict), a
hidden-only exercise (total) and a slow one with a short limit (fit), all in one module, toy.py.
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

from autograder.config import load  # noqa: E402
from autograder.results import scores_by_exercise as exercise_scores  # noqa: E402,F401 (tests import it from here)

TOY = REPO / "tests" / "toy"
TOY_CONFIG = TOY / "grading.toml"
TOY_MODULE = "toy"  # the one module of the toy course
TOY_SOLUTION = (TOY / "solutions" / "toy.py").read_text()
TOY_STUB = (TOY / "exercises" / "toy.py").read_text()


def run_cli(*args: str, cwd: Path = REPO, env: dict | None = None, timeout: float = 900) -> subprocess.CompletedProcess:
    """`python -m autograder ARGS` in a subprocess, as a user would run it (from cwd: a
    toy_repository() runs its own copy of the engine)."""
    return subprocess.run([sys.executable, "-m", "autograder", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})})


def grade_folders(submissions: Path, out: Path, *extra: str, cwd: Path = REPO) -> dict[str, dict]:
    """`grade-all --jobs 2` over a folder of submissions, as an instructor grades a class:
    {submission folder: its results.json}."""
    done = run_cli("grade-all", str(submissions), "--out", str(out), "--jobs", "2", *extra, cwd=cwd)
    assert done.returncode == 0, done.stderr
    return {folder.name: json.loads((out / "students" / folder.name / "results.json").read_text())
            for folder in submissions.iterdir()}


def grade(submission: Path, results: Path, *extra: str, cwd: Path = REPO) -> dict:
    """Grade a folder with `python -m autograder grade` and return its results.json."""
    done = run_cli("grade", str(submission), "--results", str(results), *extra, cwd=cwd)
    assert done.returncode == 0, done.stderr
    return json.loads(results.read_text())


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
    the toy graders in autograder/graders/, solutions/ and exercises/ of toy.py, grading.toml, the
    requirements and the Makefile. Run the CLI in it with run_cli(..., cwd=copy)."""
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
    for name in ("requirements.txt", "requirements-dev.txt", "Makefile", "pyproject.toml"):
        shutil.copy2(REPO / name, copy / name)
    return copy


def toy_config():
    return load(TOY_CONFIG)


def make_submission(folder: Path, *, mlp: str | None = None, mnist_keras: str | None = None,
                    toy: str | None = None) -> Path:
    """A submission folder holding the given sources (None: the file is absent)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in (("mlp.py", mlp), ("mnist_keras.py", mnist_keras), ("toy.py", toy)):
        if text is not None:
            (folder / name).write_text(text)
    return folder


def toy_submission(folder: Path, source: str = TOY_SOLUTION) -> Path:
    """A submission of the toy course: folder/toy.py holding source (the reference by default)."""
    return make_submission(folder, toy=source)


def files_of(folder: Path) -> dict[str, bytes]:
    """{"toy.py": bytes} of a test's own folder, as intake.read() would hand them to a Student."""
    return {path.name: path.read_bytes() for path in Path(folder).glob("*.py")}


def mutate(source: str, old: str, new: str) -> str:
    """source with exactly one occurrence of `old` replaced (fails loudly if it is not there once)."""
    assert source.count(old) == 1, f"expected exactly one {old!r} in the source"
    return source.replace(old, new)
