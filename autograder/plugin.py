"""The pytest plugin that turns grader runs into results: fixtures, ordering, verdicts.

Graders are plain pytest functions in graders/public/test_<exercise>.py and
graders/hidden/test_<exercise>.py. They receive `student` (a handle on the sandboxed
submission), `cfg` (their grading.toml section), `rng` (seeded per run and test) and,
in hidden graders, `reference` (the solution module, imported here in the trusted process);
`artifacts` is a dict where graders leave plain data for the HTML report.
"""

from __future__ import annotations

import importlib.util
import re
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from .checks import CheckFailed
from .config import Config
from .handle import PRINTED_CHARS, Student, StudentCrashed, StudentError, SubmissionMissing
from .sandbox import Limits


@dataclass
class TestResult:
    exercise: str
    name: str
    title: str
    public: bool
    max_score: float
    score: float = 0.0
    status: str = "failed"  # passed | failed | not implemented | error | waiting (check mode only)
    message: str = ""
    seconds: float = 0.0  # setup + call, child start-up included
    output: str = ""  # what the student's code printed during this check (public checks only; untrusted)
    trace: tuple[str, ...] = ()  # the student's frames where it failed (public checks only; untrusted)


def exercise_of(path: Path) -> str:
    return Path(path).stem.removeprefix("test_")


class GradingPlugin:
    """prefetch: how many exercises after the current one have their child started ahead (their
    imports run while the current exercise is graded); each child still serves one exercise.
    student_factory: Student, or bench's in-process stand-in (never for grading).
    check: `make check`'s mode (check_timeout_s limits). In it, and wherever no reference stands in,
    an exercise that fails while one it depends on (grading.toml standins) fails is "waiting" on it.
    progress(exercise, results): called as each exercise starts (results None) and ends."""

    def __init__(self, config: Config, files: dict[str, Path], *, seed: int, only: list[str],
                 solutions: Path | None, standins: bool, exercises: list[str] = (), prefetch: int = 0,
                 student_factory=Student, deadline: float | None = None, check: bool = False, progress=None):
        self.config, self.files, self.seed, self.only = config, files, seed, only
        self.check, self.progress, self.notes = check, progress, []
        self.solutions, self.use_standins = solutions, standins
        self.order, self.prefetch, self.student_factory = list(exercises), prefetch, student_factory
        self.deadline = deadline  # the whole submission's time budget ends here (monotonic)
        self.current: str | None = None
        self.results: dict[str, TestResult] = {}
        self.students: dict[str, Student] = {}
        self.collection_errors: list[str] = []
        self.kept: dict[str, object] = {}

    # -- collection ---------------------------------------------------------------
    def pytest_collection_modifyitems(self, config, items):
        def key(item):
            exercise = exercise_of(item.path)
            ids = list(self.config.exercises)  # grading.toml's order
            order = ids.index(exercise) if exercise in ids else len(ids)
            return order, item.path.parent.name != "public"
        selected = [item for item in items if not self.only or exercise_of(item.path) in self.only]
        deselected = [item for item in items if item not in selected]
        if deselected:
            config.hook.pytest_deselected(items=deselected)
        items[:] = sorted(selected, key=key)  # stable: file order within an exercise

    def pytest_collectreport(self, report):
        if report.failed:
            self.collection_errors.append(f"{report.nodeid}: {report.longreprtext.splitlines()[-1] if report.longreprtext else 'error'}")

    # -- fixtures -----------------------------------------------------------------
    @pytest.fixture
    def student(self, request) -> Student:
        return self._student(exercise_of(request.node.path))

    def _student(self, exercise: str) -> Student:
        if exercise not in self.students:
            section = self.config.exercises[exercise]
            reference = None
            if self.use_standins and section.standins:
                reference = (self.solutions / f"{section.module}.py").read_text()
            self.students[exercise] = self.student_factory(
                section.module, self.files, Limits(section.check_timeout_s if self.check else section.timeout_s,
                                                   section.memory_mb, section.processes,
                                                   scratch_mb=self.config.scratch_mb),
                seed=self.seed, reference=reference, standins=section.standins,
                wall_s=section.wall_s, submission_deadline=self.deadline)
        return self.students[exercise]

    def start_ahead(self, exercise: str | None = None) -> None:
        """Start the children of the next `prefetch` exercises (and this one's) without waiting."""
        first = self.order.index(exercise) if exercise in self.order else 0
        for name in self.order[first:first + 1 + self.prefetch]:
            self._student(name).start()

    @pytest.fixture
    def cfg(self, request):
        return self.config.exercises[exercise_of(request.node.path)]

    @pytest.fixture
    def rng(self, request) -> np.random.Generator:
        # Different inputs for every run seed and every test, the same on a re-run with that seed.
        return np.random.default_rng([self.seed, zlib.crc32(request.node.name.encode())])

    @pytest.fixture
    def artifacts(self) -> dict:
        """Plain data a grader keeps for the feedback page (XOR losses, trained Keras weights)."""
        return self.kept

    @pytest.fixture
    def reference(self, request):
        section = self.config.exercises[exercise_of(request.node.path)]
        if self.solutions is None or not (self.solutions / f"{section.module}.py").exists():
            pytest.fail("this grader needs the reference solutions, which are not here", pytrace=False)
        return _load_reference(self.solutions / f"{section.module}.py")

    # -- running ------------------------------------------------------------------
    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item):
        exercise = exercise_of(item.path)
        if exercise != self.current:
            self.current = exercise
            if self.progress:
                self.progress(exercise, None)
            if self.prefetch:
                self.start_ahead(exercise)

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_teardown(self, item, nextitem):
        yield
        exercise = exercise_of(item.path)
        if nextitem is None or exercise_of(nextitem.path) != exercise:
            student = self.students.get(exercise)
            if student is not None:
                student.close(wait=False)  # the next exercise gets a fresh process
            results = [result for result in self.results.values() if result.exercise == exercise]
            if self.check or not self.use_standins:  # no reference here: the student's own pieces ran
                self._mark_waiting(exercise, results)
            if self.progress:
                self.progress(exercise, results)

    def _mark_waiting(self, exercise: str, results: list[TestResult]) -> None:
        """Without the reference standing in, the student's own pieces run: blame the first broken one."""
        # A file that does not import is its own cause, the same for every exercise in it.
        failed = [result for result in results if result.status != "passed" and not IMPORT_FAILED.match(result.message)]
        needs = prerequisites(self.config, exercise)
        if not failed or not needs:
            return
        checked = {result.exercise for result in self.results.values()}
        # One that only waits itself is not a cause: what it waits on is in `needs` too (standins list them all).
        broken = [name for name in needs if any(r.exercise == name and r.status not in ("passed", "waiting")
                                                for r in self.results.values())]
        unchecked = [name for name in needs if name not in checked]
        if broken:
            it = "it" if len(broken) == 1 else "them"
            for result in failed:
                stub = _STUB_MESSAGE.fullmatch(result.message) if result.status == "not implemented" else None
                if stub and stub.group(1).rpartition(".")[2] not in broken:
                    continue  # its own stub (MLP.__init__, forward): not implemented is the truth
                names = ", ".join(broken[:-1]) + " and " + broken[-1] if len(broken) > 1 else broken[0]
                result.status, result.message = "waiting", f"waiting on {names}: fix {it} first"
                result.output, result.trace = "", ()
        elif unchecked:
            names = ", ".join(unchecked[:-1]) + " and " + unchecked[-1] if len(unchecked) > 1 else unchecked[0]
            self.notes.append(f"{exercise} runs your {names}, which this run did not check: "
                              f"if {'it fails' if len(unchecked) == 1 else 'they fail'}, fix that first")

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        outcome = yield
        report = outcome.get_result()
        exercise, public = exercise_of(item.path), item.path.parent.name == "public"
        points = self.config.exercises[exercise].points.get(item.name, 0.0)
        title = (item.function.__doc__ or item.name).strip().splitlines()[0]
        result = self.results.setdefault(item.nodeid, TestResult(exercise, item.name, title, public, points))
        result.seconds += report.duration
        student = self.students.get(exercise)
        printed = student.take_output() if student is not None and hasattr(student, "take_output") else ""
        if public and printed and len(result.output) < PRINTED_CHARS:  # hidden: prints could echo hidden inputs
            result.output = (result.output + printed)[:PRINTED_CHARS]
        if call.when == "setup" and report.passed or call.when == "teardown" and report.passed:
            return
        if report.passed:
            result.status, result.score, result.message = "passed", points, ""
            return
        if result.status == "failed" and result.message:
            return  # the first failure (call) is the one to report, not a teardown after it
        error = call.excinfo.value if call.excinfo else None
        result.status, result.message, fraction = verdict(error, public)
        result.score = round(points * fraction, 6)
        # A grader may turn the student's exception into its hint (checks.explained): the frames stay.
        raised = error if isinstance(error, (StudentError, StudentCrashed)) else getattr(error, "__context__", None)
        if public and isinstance(raised, (StudentError, StudentCrashed)) and result.status != "not implemented":
            result.trace = raised.trace  # (a stub's frame is the raise its message names already)


def prerequisites(config: Config, exercise: str) -> list[str]:
    """The exercises whose code `exercise` runs: grading.toml's standins, each named by its last
    dotted part (`MLP.forward` -> forward); a stand-in named like no exercise (`MLP.__init__`) is
    checked as part of the exercise that tests it."""
    section = config.exercises[exercise]
    names = [standin.rpartition(".")[2] for standin in section.standins]
    return [name for name in dict.fromkeys(names) if name in config.exercises and name != exercise]


IMPORT_FAILED = re.compile(r"[\w.-]{1,80}\.py does not import: ")  # verdict()'s words; console.py reads them
_STUB_MESSAGE = re.compile(r"([\w.]{1,80}) is not implemented yet")


def verdict(error, public: bool) -> tuple[str, str, float]:
    """(status, message, fraction of points) for a grader's exception, in the student's words."""
    if isinstance(error, CheckFailed):
        message = error.hint + (f"\n{error.detail}" if public and error.detail else "")
        return "failed", message, error.fraction
    if isinstance(error, (StudentError, StudentCrashed)) and error.during_import:
        # One cause for every check of the module: said the same way each time, so views show it once.
        what = f"{error.type_name}: {error.message}" if isinstance(error, StudentError) and public else (
            error.type_name if isinstance(error, StudentError) else str(error))
        where = f" ({error.where})" if isinstance(error, StudentError) and error.where else ""
        return "failed", f"{error.during_import} does not import: {what}{where}", 0.0
    if isinstance(error, StudentError):
        if error.not_implemented:
            # A hidden check shows the stub's own message only: any other text could echo hidden inputs.
            shown = error.message if public or _STUB_MESSAGE.fullmatch(error.message) else ""
            return "not implemented", shown or "not implemented yet", 0.0
        where = f" ({error.where})" if error.where else ""
        # Hidden checks show where the code failed but not its message, which could echo hidden inputs.
        text = f"{error.type_name}: {error.message}" if public else error.type_name
        return "failed", f"your code raised {text}{where}", 0.0
    if isinstance(error, SubmissionMissing):
        return "failed", str(error), 0.0
    if isinstance(error, StudentCrashed):
        return "failed", f"your code crashed: {error}", 0.0
    if isinstance(error, AssertionError):
        return "failed", str(error).splitlines()[0] if str(error) else "check failed", 0.0
    if error is not None and type(error).__name__ == "Failed":  # pytest.fail(...)
        return "error", str(error), 0.0
    name = type(error).__name__ if error is not None else "unknown"
    return "error", f"the grader could not check this ({name}); please tell your instructor", 0.0


_references: dict[Path, object] = {}


def _load_reference(path: Path):
    if path not in _references:
        spec = importlib.util.spec_from_file_location(f"reference_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        _references[path] = module
    return _references[path]
