"""Grade one submission: run the graders with pytest in this (trusted) process.

The submission's code never runs here; graders reach it through the sandboxed
`student` fixture. This module finds the graders, checks them against grading.toml,
runs pytest with the plugin, and returns a Report.
"""

from __future__ import annotations

import ast
import hashlib
import os
import time
from pathlib import Path

import pytest

from . import sandbox
from .config import Config, check_graders
from .plugin import GradingPlugin, exercise_of
from .results import Report

PACKAGE = Path(__file__).resolve().parent
GRADERS = PACKAGE / "graders"
SOLUTIONS = PACKAGE.parent / "solutions"
_PYTEST_OK = (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED, pytest.ExitCode.NO_TESTS_COLLECTED)


class UsageError(ValueError):
    """Bad input from the person running the grader (exit status 2)."""


class EngineError(RuntimeError):
    """The grader itself failed (a broken grader file, pytest internal error)."""


def discover(graders: Path = GRADERS) -> dict[str, set[str]]:
    """{exercise: names of its test functions}, read from the grader files without importing them."""
    found: dict[str, set[str]] = {}
    for path in sorted(graders.glob("*/test_*.py")):
        tree = ast.parse(path.read_text(), str(path))
        names = {node.name for node in tree.body if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")}
        found.setdefault(exercise_of(path), set()).update(names)
    return found


def submission_files(submission: Path, config: Config) -> tuple[dict[str, Path], list[str]]:
    """The exercise files present in the submission, and a note for each one missing."""
    if not submission.is_dir():
        raise UsageError(f"{submission}: not a directory (give the folder that holds mlp.py and mnist_keras.py)")
    files, notes = {}, []
    for module in sorted(config.modules()):
        path = submission / f"{module}.py"
        if path.is_file():
            files[path.name] = path
        else:
            notes.append(f"{path.name} is missing from the submission: its exercises score 0.")
    return files, notes


def digest(files: dict[str, Path]) -> str:
    sha = hashlib.sha256()
    for name in sorted(files):
        sha.update(name.encode() + b"\0" + files[name].read_bytes() + b"\0")
    return sha.hexdigest()


def run_seed(config: Config, submission_digest: str) -> int:
    """The same seed for the same submission (so a re-grade gives the same score), different across submissions."""
    return int(hashlib.sha256(f"{config.seed}:{submission_digest}".encode()).hexdigest()[:8], 16)


def grade(submission: Path, *, config: Config, only: list[str] | None = None, seed: int | None = None,
          public_only: bool = False, standins: bool = True, graders: Path = GRADERS,
          solutions: Path | None = SOLUTIONS) -> Report:
    """Run the graders on one submission folder and return the Report."""
    only = only or []
    for name in only:
        if name not in config.exercises:
            raise UsageError(f"unknown exercise '{name}' (choose from: {', '.join(config.exercises)})")
    found = discover(graders)
    check_graders(config, found)
    files, notes = submission_files(Path(submission), config)
    submission_digest = digest(files)
    seed = run_seed(config, submission_digest) if seed is None else seed
    plugin = GradingPlugin(config, files, seed=seed, only=only, solutions=solutions,
                           standins=standins and solutions is not None and solutions.is_dir())
    paths = [str(graders / "public")] + ([] if public_only or not (graders / "hidden").is_dir() else [str(graders / "hidden")])
    started = time.monotonic()
    try:
        code = pytest.main(
            [*paths, "-c", os.devnull, "--rootdir", str(graders), "--confcutdir", str(graders),
             "--import-mode=importlib", "--assert=plain", "-p", "no:cacheprovider", "-p", "no:terminal",
             "-p", "no:stepwise", "-W", "ignore::pytest.PytestAssertRewriteWarning"],
            plugins=[plugin])
    finally:
        for student in plugin.students.values():
            student.close()
    if plugin.collection_errors or code not in _PYTEST_OK:
        raise EngineError("graders failed to run: " + ("; ".join(plugin.collection_errors) or f"pytest exit {code}"))
    return Report(tests=list(plugin.results.values()), seed=seed, sandbox=sandbox.describe(),
                  execution_time=time.monotonic() - started, submission_sha256=submission_digest,
                  hidden_visibility=config.hidden_visibility, notes=notes,
                  artifacts=plugin.kept)
