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

from . import intake, sandbox, zygote
from .config import Config, check_graders, parsed
from .errors import EngineError, UsageError  # noqa: F401 (UsageError: raised here, imported from here too)
from .handle import Student
from .intake import submission_files
from .plugin import GradingPlugin, exercise_of
from .results import Report

PACKAGE = Path(__file__).resolve().parent
GRADERS = PACKAGE / "graders"  # the default; grading.toml's [grading] graders may name another folder
SOLUTIONS = PACKAGE.parent / "solutions"
# Children started ahead of their exercise: each exercise still gets its own fresh process, and
# the reference stand-ins reach it only when its tests begin. See bench/RESULTS.md for the effect.
PREFETCH = 2
# Graders use only the plugin's fixtures: no third-party plugin (entry points) and none of
# pytest's own that they do not need. Each costs start-up or per-test time (bench/RESULTS.md),
# and output capture is the sandbox's job: the submission never prints in this process.
_UNUSED_PLUGINS = ("cacheprovider", "terminal", "stepwise", "capture", "doctest", "junitxml", "pastebin",
                   "legacypath", "tmpdir", "monkeypatch", "recwarn", "setuponly", "setupplan", "subtests",
                   "unittest", "logging", "debugging", "threadexception", "unraisableexception")
PYTEST_ARGS = ("--import-mode=importlib", "--assert=plain", "--disable-plugin-autoload",
               *(arg for name in _UNUSED_PLUGINS for arg in ("-p", f"no:{name}")),
               "-W", "ignore::pytest.PytestAssertRewriteWarning")
_PYTEST_OK = (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED, pytest.ExitCode.NO_TESTS_COLLECTED)


def discover(graders: Path = GRADERS) -> dict[str, set[str]]:
    """{exercise: names of its test functions}, read from the grader files without importing them."""
    found: dict[str, set[str]] = {}
    for path in sorted(graders.glob("*/test_*.py")):
        tree = parsed(path)
        names = {node.name for node in tree.body if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")}
        found.setdefault(exercise_of(path), set()).update(names)
    return found


def run_seed(config: Config, submission_digest: str) -> int:
    """The same seed for the same submission (so a re-grade gives the same score), different across submissions."""
    return int(hashlib.sha256(f"{config.seed}:{submission_digest}".encode()).hexdigest()[:8], 16)


def grade(submission: Path | intake.Submission, *, config: Config, only: list[str] | None = None,
          seed: int | None = None, public_only: bool = False, standins: bool = True, graders: Path | None = None,
          solutions: Path | None = SOLUTIONS, prefetch: int = PREFETCH, student_factory=None,
          protect: tuple[Path, ...] = (), record: bool = True, allow_unsandboxed: bool = False,
          check: bool = False, progress=None, forks: zygote.Zygote | None = None) -> Report:
    """Run the graders on one submission (a folder, or what intake.read() took in) and return the Report.

    protect: more paths the child must not reach (the results file's folder); the graders,
    solutions and grading.toml always are.
    record: this is a grade of record (grade, grade-all, Gradescope): refused where the child
    would not be isolated (sandbox.of_record()) unless allow_unsandboxed, which the notes then say.
    With record=False (check) it runs anyway, and the notes say it is not sandboxed.
    check: `make check` (public checks, no stand-ins, check_timeout_s, dependents "waiting";
    never a grade of record); progress(exercise, results or None): called as each exercise
    starts and ends.
    prefetch: children started ahead of their exercise (0: each one on first use).
    student_factory: None grades through the sandbox; bench/ passes inprocess.InProcessStudent
    to measure what isolation costs (never for grading; no CLI flag or setting reaches it).
    forks: the submission's zygote if the caller started it (zygote.start, on what intake took in:
    the CLI does, before it imports pytest); grade() closes it. Otherwise grade() starts one.
    """
    only = only or []
    graders = graders or config.graders
    if check:
        public_only, standins, record = True, False, False
    if not record:  # feedback: the strongest isolation here, down to none (before any child starts)
        sandbox.for_feedback()
    try:
        graded = config.graded(only)
        taken = submission if isinstance(submission, intake.Submission) else submission_files(submission, config, only)
        # The zygote starts up (a sandbox, an interpreter, NumPy) while the graders are found and checked;
        # nothing of the submission runs before its first child's import, after every check below.
        if forks is None and student_factory is None:
            forks = zygote.start(config, taken.files, graded)
        found = discover(graders)
        check_graders(config, found)
        if record and student_factory is None:
            try:
                warning = sandbox.require_of_record(allow_unsandboxed)
            except sandbox.SandboxUnavailable as error:
                raise UsageError(str(error)) from None
        else:
            warning = sandbox.feedback_note()
        files, notes = taken.files, [note for note in (warning,) if note] + list(taken.notes)
        submission_digest = intake.digest(files)
        if student_factory is None and record:  # what it protects (the graders' secrecy) is not at stake in feedback
            try:
                sandbox.verify_isolation(read=[p for p in (graders, solutions, config.path) if p is not None],
                                         write=[graders, *(p for p in protect)])
            except sandbox.SandboxUnavailable as error:
                raise EngineError(str(error)) from None
        seed = run_seed(config, submission_digest) if seed is None else seed
        order = [name for name in graded if name in found]
    except BaseException:
        if forks is not None:
            forks.close()
        raise
    plugin = GradingPlugin(config, files, seed=seed, only=only, solutions=solutions,
                           standins=standins and solutions is not None and solutions.is_dir(),
                           exercises=order, prefetch=prefetch, student_factory=student_factory or Student,
                           deadline=time.monotonic() + config.wall_s, check=check, progress=progress, zygote=forks)
    paths = [str(graders / "public")] + ([] if public_only or not (graders / "hidden").is_dir() else [str(graders / "hidden")])
    started = time.monotonic()
    try:
        if prefetch:
            plugin.start_ahead()  # the first children start up while pytest starts and collects
        code = pytest.main([*paths, "-c", os.devnull, "--rootdir", str(graders), "--confcutdir", str(graders),
                            *PYTEST_ARGS], plugins=[plugin])
    finally:
        forked = forks is not None and not forks.broken  # every child came from the zygote
        for student in plugin.students.values():
            student.close(wait=False)
        sandbox.join_closing()  # nothing of this submission is left running when grade() returns
        if forks is not None:
            forks.close()
    if plugin.collection_errors or code not in _PYTEST_OK:
        raise EngineError("graders failed to run: " + ("; ".join(plugin.collection_errors) or f"pytest exit {code}"))
    return Report(tests=list(plugin.results.values()), seed=seed, sandbox=sandbox.describe(),
                  sandbox_layers={**sandbox.layers(), "zygote": forked}, files=files,
                  execution_time=time.monotonic() - started, submission_sha256=submission_digest,
                  hidden_visibility=config.hidden_visibility, notes=notes + plugin.notes,
                  artifacts=plugin.kept)
