"""The pytest plugin that turns grader runs into results: fixtures, ordering, verdicts.

Graders are plain pytest functions in graders/public/test_<exercise>.py and
graders/hidden/test_<exercise>.py. They receive `student` (a handle on the sandboxed
submission), `cfg` (their grading.toml section), `rng` (seeded per run and test) and,
in hidden graders, `reference` (the solution module, imported here in the trusted process);
`artifacts` is a dict where graders leave plain data for the HTML report.
"""

from __future__ import annotations

import builtins
import contextlib
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
from .wire import Opaque


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
                 student_factory=Student, deadline: float | None = None, check: bool = False, progress=None,
                 zygote=None):
        self.config, self.files, self.seed, self.only = config, files, seed, only
        self.check, self.progress, self.notes = check, progress, []
        self.solutions, self.use_standins = solutions, standins
        self.order, self.prefetch, self.student_factory = list(exercises), prefetch, student_factory
        self.deadline = deadline  # the whole submission's time budget ends here (monotonic)
        self.zygote = zygote  # the submission's zygote.Zygote, when children are forked from one
        self.current: str | None = None
        self.results: dict[str, TestResult] = {}
        self.students: dict[str, Student] = {}
        self.collection_errors: list[str] = []
        self.kept: dict[str, object] = {}
        self.shared_by: dict[str, dict] = {}  # the `shared` fixture's dict of each exercise
        self.seen = _Seen()  # what the child sent during the current test

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
            # No stand-ins yet: which ones it gets is decided when its checks begin (see _stand_in).
            self.students[exercise] = self.student_factory(
                section.module, self.files, Limits(section.check_timeout_s if self.check else section.timeout_s,
                                                   section.memory_mb, section.processes,
                                                   scratch_mb=self.config.scratch_mb),
                seed=self.seed, reference=None, standins=(),
                wall_s=section.wall_s, submission_deadline=self.deadline, zygote=self.zygote, exercise=exercise)
            self._watch(self.students[exercise])
        return self.students[exercise]

    def _watch(self, student) -> None:
        """Note the text the child sends (and the grader's own strings it is sent), so a hidden
        check's message that would repeat the child's text can be withheld (see verdict())."""
        post, reply = getattr(student, "_post", None), getattr(student, "_reply", None)
        if post is None or reply is None:  # bench's in-process stand-in
            return

        def watched_post(op, timeout_s, **fields):
            _collect(fields, self.seen.sent, self.seen)
            return post(op, timeout_s, **fields)

        def watched_reply():
            try:
                value = reply()
            except StudentError as error:
                self.seen.add_error(error)
                raise
            _collect(value, self.seen.received, self.seen)
            return value
        student._post, student._reply = watched_post, watched_reply

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
    def shared(self, request) -> dict:
        """What the checks of one exercise compute once and share, public and hidden alike (one training
        both judge), kept while its child lives; "seed" is the same for all of them within a run."""
        exercise = exercise_of(request.node.path)
        if exercise not in self.shared_by:
            self.shared_by[exercise] = {"seed": zlib.crc32(f"{self.seed}:{exercise}".encode()) & 0x7FFFFFFF}
        return self.shared_by[exercise]

    @pytest.fixture
    def artifacts(self) -> dict:
        """Plain data a grader keeps for the feedback page (a training curve, trained weights)."""
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
        self.seen = _Seen()
        exercise = exercise_of(item.path)
        if exercise != self.current:
            self.current = exercise
            if self.progress:
                self.progress(exercise, None)
            if self.prefetch:
                self.start_ahead(exercise)
            if self.use_standins and not self.check:
                self._stand_in(exercise)

    def _stand_in(self, exercise: str) -> None:
        """Give the exercise's student the reference pieces of the exercises it depends on that failed
        a check in this run (each bug is charged once, to its own exercise); every other piece is the
        submission's own, so a method may rely on whatever its own class sets up. Its checks begin
        now, so every exercise before it in grading.toml's order has been graded."""
        section = self.config.exercises[exercise]
        chosen, unchecked = [], []
        for name in section.standins:
            owner = standin_owner(self.config, section.standins, name)
            results = [r for r in self.results.values() if r.exercise == owner]
            if owner is None or owner == exercise:
                chosen.append(name)  # checked by no exercise before this one: it always stands in
            elif not results:
                unchecked.append(owner)  # not graded in this run (--only): the submission's own runs
            elif any(result.status != "passed" for result in results):
                chosen.append(name)
        if chosen:
            student = self._student(exercise)
            student.reference = (self.solutions / f"{section.module}.py").read_text()
            student.standins = tuple(chosen)
        unchecked = list(dict.fromkeys(unchecked))
        if unchecked:
            names = ", ".join(unchecked[:-1]) + " and " + unchecked[-1] if len(unchecked) > 1 else unchecked[0]
            self.notes.append(f"{exercise} ran your {names}, which this run did not check: "
                              f"if {'it fails' if len(unchecked) == 1 else 'they fail'}, fix that first")

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_call(self, item):
        # The check's own work on the child's replies ends with its time budget too (Student.budget).
        student = self.students.get(exercise_of(item.path))
        with student.budget() if hasattr(student, "budget") else contextlib.nullcontext():
            yield

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_teardown(self, item, nextitem):
        yield
        exercise = exercise_of(item.path)
        if nextitem is None or exercise_of(nextitem.path) != exercise:
            student = self.students.get(exercise)
            if student is not None:
                student.close(wait=False)  # the next exercise gets a fresh process
            self.shared_by.pop(exercise, None)
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
                    continue  # its own stub (a method it depends on): not implemented is the truth
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
        # Reference code stands in beside the student's: what their code says there (prints, messages,
        # values in a detail) could carry that code out, so such a check speaks as a hidden one does.
        shown = public and not getattr(student, "standins", ())
        if shown and printed and len(result.output) < PRINTED_CHARS:  # hidden: prints could echo hidden inputs
            result.output = (result.output + printed)[:PRINTED_CHARS]
        if call.when == "setup" and report.passed or call.when == "teardown" and report.passed:
            return
        if report.passed:
            result.status, result.score, result.message = "passed", points, ""
            return
        if result.status == "failed" and result.message:
            return  # the first failure (call) is the one to report, not a teardown after it
        error = call.excinfo.value if call.excinfo else None
        result.status, result.message, fraction = verdict(error, shown, self.seen)
        if public and not shown:
            pieces = [name.rpartition(".")[2] for name in student.standins]
            result.message += STANDING_IN.format(", ".join(dict.fromkeys(
                piece for piece in pieces if piece in self.config.exercises)) or "code")
        result.score = round(points * fraction, 6)
        # A grader may turn the student's exception into its hint (checks.explained): the frames stay.
        raised = error if isinstance(error, (StudentError, StudentCrashed)) else getattr(error, "__context__", None)
        if shown and isinstance(raised, (StudentError, StudentCrashed)) and result.status != "not implemented":
            result.trace = raised.trace  # (a stub's frame is the raise its message names already)

    def pytest_keyboard_interrupt(self, excinfo):
        # pytest would end the session as "interrupted" (exit 2), which grade() takes for broken
        # graders; SIGINT/SIGTERM must reach the CLI, which stops cleanly with exit status 130.
        raise KeyboardInterrupt

    def pytest_sessionfinish(self, session):
        # Which exercise files failed to import, in the student's words (the import runs before
        # any hidden input reaches the child, so its message is the submission's own text).
        failures: dict[str, str] = {}
        for exercise in self.order or list(self.students):
            student = self.students.get(exercise)
            error = getattr(student, "_import_failed", None)
            if error is None or f"{student.module}.py" in failures:
                continue
            if isinstance(error, StudentError):
                text = error.type_name
                if error.message.strip():
                    text += ": " + error.message.strip().splitlines()[0]
                text += f" ({error.where})" if error.where else ""
            else:
                text = f"crashed while importing: {error}"
            failures[f"{student.module}.py"] = text[:300]
        if failures:
            self.kept["import_failures"] = failures
def standin_owner(config: Config, standins: tuple[str, ...], name: str) -> str | None:
    """The exercise whose checks decide whether the reference's `name` stands in: the one named by its
    last dotted part (`Net.predict` -> predict); for a method named like no exercise (`Net.__init__`),
    the first exercise in grading.toml's order that another stand-in of its class names (its checks
    run that method first); None: no exercise checks it."""
    owner, _, last = name.rpartition(".")
    if last in config.exercises:
        return last
    order = list(config.exercises)
    named = [other.rpartition(".")[2] for other in standins
             if owner and other.rpartition(".")[0] == owner and other.rpartition(".")[2] in config.exercises]
    return min(named, key=order.index) if named else None


def prerequisites(config: Config, exercise: str) -> list[str]:
    """The exercises whose code `exercise` runs: grading.toml's standins, each named by its last
    dotted part (`Net.predict` -> predict); a stand-in named like no exercise (`Net.__init__`) is
    checked as part of the exercise that tests it."""
    section = config.exercises[exercise]
    names = [standin.rpartition(".")[2] for standin in section.standins]
    return [name for name in dict.fromkeys(names) if name in config.exercises and name != exercise]


STANDING_IN = (" (graded with the reference's {} standing in for yours, which failed its own checks: "
               "details are not shown here; fix that first, then `make check` shows them)")
IMPORT_FAILED = re.compile(r"[\w.-]{1,80}\.py does not import: ")  # verdict()'s words; console.py reads them
_STUB_MESSAGE = re.compile(r"([\w.]{1,80}) is not implemented yet")


BUILTIN_ERRORS = frozenset(name for name, value in vars(builtins).items()
                           if isinstance(value, type) and issubclass(value, BaseException))
WITHHELD = "this hidden check failed (its message would repeat text from your code, so it is not shown)"
# A crash, as a hidden check words it: the numbers and names a submission can choose (its exit
# status, the signal it sends itself, a forged message's size) are left out; limits from
# grading.toml are kept.
# What a failed attempt to reach the network says (the sandbox has none; the checks run offline).
_NETWORK = re.compile(r"name resolution|Name or service not known|nodename nor servname|Network is unreachable|"
                      r"URL fetch failure|urlopen error|getaddrinfo failed|Failed to establish a new connection")
_HIDDEN_CRASHES = (
    (re.compile(r"took longer than the [0-9.e+]+ s time limit \(an endless loop\?\)"), None),
    (re.compile(r"the process was killed \(over the \d+ MB memory limit, or another limit\?\)"), None),
    (re.compile(r"the process crashed \(SIG(SEGV|ABRT|BUS)\); near the \d+ MB memory limit that usually means "
                r"out of memory"), None),
    (re.compile(r"the process died with signal .*", re.S), "the process died from a signal"),
    (re.compile(r"the process exited with status .*", re.S), "the process exited (sys.exit or os._exit in your code?)"),
    (re.compile(r"sent back something that is not plain data.*", re.S), "sent back something that is not plain data"),
    (re.compile(r"sent back more than the grader takes \(arrays of more than \d+ elements in one reply\)"), None),
)
_FLOAT_MAX = 1.7976931348623157e308


class _Seen:
    """Text that came from the child during one test, and strings the grader itself sent it."""

    def __init__(self):
        self.received: set[str] = set()
        self.sent: set[str] = set()
        self.huge_integer = False  # an int no float can hold (10**400) came back

    def add_error(self, error: StudentError) -> None:
        self.received.update((error.message, error.where))
        if error.type_name not in BUILTIN_ERRORS:
            self.received.add(error.type_name)

    def echoed_in(self, message: str) -> bool:
        return any(text and text in message for text in self.received - self.sent)


def _collect(value, strings: set[str], seen: _Seen, depth: int = 0) -> None:
    """The names that travel with a value (opaque objects' type names; strings only when sent)."""
    if depth > 100:
        return
    if isinstance(value, Opaque):
        strings.add(value.type_name)
    elif isinstance(value, str):
        if strings is seen.sent:
            strings.add(value)
    elif isinstance(value, bool):
        pass
    elif isinstance(value, int):
        seen.huge_integer |= abs(value) > _FLOAT_MAX
    elif isinstance(value, dict):
        for key, item in value.items():
            _collect(key, strings, seen, depth + 1)
            _collect(item, strings, seen, depth + 1)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _collect(item, strings, seen, depth + 1)


def verdict(error, public: bool, seen: _Seen | None = None) -> tuple[str, str, float]:
    """(status, message, fraction of points) for a grader's exception, in the student's words.

    A hidden check never shows text the submission chose: not its messages, exception or class
    names (beyond Python's built-in exception names), locations or exit statuses. Its own
    wording is fixed here; a grader's hint that would repeat such text is withheld.
    """
    seen = seen or _Seen()
    if isinstance(error, StudentError):
        seen.add_error(error)
    context = error.__context__ if error is not None else None
    while isinstance(context, BaseException):  # a grader that turned a StudentError into its own
        if isinstance(context, StudentError):
            seen.add_error(context)
        context = context.__context__
    status, message, fraction = _verdict(error, public, seen)
    # An import failure is said before any hidden input reaches the child, in fixed words.
    if not public and status != "not implemented" and not IMPORT_FAILED.match(message) and seen.echoed_in(message):
        message = WITHHELD
    return status, message, fraction


def _verdict(error, public: bool, seen: _Seen) -> tuple[str, str, float]:
    if isinstance(error, CheckFailed):
        message = error.hint + (f"\n{error.detail}" if public and error.detail else "")
        return "failed", message, error.fraction
    if isinstance(error, (StudentError, StudentCrashed)) and error.during_import:
        # One cause for every check of the module: said the same way each time, so views show it once.
        what = f"{error.type_name}: {error.message}" if isinstance(error, StudentError) and public else (
            error.type_name if isinstance(error, StudentError) else str(error))
        where = f" ({error.where})" if isinstance(error, StudentError) and error.where else ""
        offline = ("\nThe top-level code of a file runs when the checks import it, and checks run offline: "
                   "put trial code under `if __name__ == \"__main__\":`.") if _NETWORK.search(str(error)) else ""
        return "failed", f"{error.during_import} does not import: {what}{where}{offline}", 0.0
    if isinstance(error, StudentError):
        if error.not_implemented:
            return "not implemented", error.message if public and error.message else "not implemented yet", 0.0
        if not public:
            name = error.type_name if error.type_name in BUILTIN_ERRORS else "an exception"
            return "failed", f"your code raised {name}", 0.0
        where = f" ({error.where})" if error.where else ""
        return "failed", f"your code raised {error.type_name}: {error.message}{where}", 0.0
    if isinstance(error, SubmissionMissing):
        return "failed", str(error), 0.0
    if isinstance(error, StudentCrashed):
        text = str(error)
        if not public:
            text = next((keep or text for pattern, keep in _HIDDEN_CRASHES if pattern.fullmatch(text)),
                        "it stopped answering")
        if text.startswith(("took longer than", "sent back more than")):  # a limit, not a crash
            return "failed", f"your code {text}", 0.0
        return "failed", f"your code crashed: {text}", 0.0
    if isinstance(error, OverflowError) and seen.huge_integer:
        return "failed", ("your code returned an integer too large to be a number the grader can check "
                          "(more than about 10**308): return floats or arrays"), 0.0
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
