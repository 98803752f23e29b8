"""The students' view of `make check`: a row per exercise as it finishes, then what to fix.

Laid out for an 80-column terminal: a compact table whose rows appear while the checks run
(progress), then each distinct cause of failure once, wrapped below it with the student's own
output and frames. Every piece of student text goes through text.for_terminal.
"""

from __future__ import annotations

import re
import textwrap

from rich.console import Console
from rich.control import Control, ControlType

from .plugin import IMPORT_FAILED, TestResult
from .results import Report
from .text import for_terminal

STYLES = {"passed": "green", "failed": "red", "not implemented": "yellow", "error": "magenta",
          "waiting": "cyan", "does not import": "red"}
NAME_WIDTH = 20
_TIMEOUT = re.compile(r"took longer than the [\d.]+ s time limit")  # sandbox.Child's words
SHOWN_TITLES = 3  # a cause shared by more checks lists this many titles, then a count


def exercise_status(tests: list[TestResult]) -> str:
    """The row's status word: passed, failed, not implemented, waiting, does not import or error."""
    failed = [test for test in tests if test.status != "passed"]
    if not failed:
        return "passed"
    if len(failed) == len(tests) and all(IMPORT_FAILED.match(test.message) for test in failed):
        return "does not import"
    for status in ("error", "failed", "not implemented", "waiting"):
        if any(test.status == status for test in failed):
            return status
    return "failed"


class Progress:
    """The table of `make check`, a row printed as each exercise ends (pass as grade()'s progress).

    On a terminal, an exercise's row reads "running..." until it ends; the row that replaces it,
    or an interrupt (clear_running), first erases the whole line, so nothing of it is left."""

    running = None  # the Progress whose "running..." line is on the screen

    def __init__(self, console: Console, title: str):
        self.console, self.title, self.started = console, title, False

    def __call__(self, exercise: str, results: list[TestResult] | None) -> None:
        if not self.started:
            self.started = True
            self.console.print(f"[bold]{for_terminal(self.title)}[/]")
            self.console.print(f"  {'exercise':<{NAME_WIDTH}} {'points':>9}  status", style="dim")
        self.clear()
        if results is None:
            if self.console.is_terminal:  # erased by the row when the exercise ends
                self.console.print(f"  {exercise:<{NAME_WIDTH}} {'':>9}  [dim]running...[/]", end="")
                Progress.running = self
            return
        self.console.print(row(exercise, results))

    def clear(self) -> None:
        """Erase the "running..." line, if one is shown, and leave the cursor at its start."""
        if Progress.running is self:
            Progress.running = None
            self.console.control(Control((ControlType.CARRIAGE_RETURN,), (ControlType.ERASE_IN_LINE, 2)))


def clear_running() -> None:
    """After an interrupt: no "running..." (nor the terminal's ^C) is left before the next line."""
    if Progress.running is not None:
        Progress.running.clear()


def row(exercise: str, tests: list[TestResult]) -> str:
    status = exercise_status(tests)
    points = f"{sum(t.score for t in tests):g} / {sum(t.max_score for t in tests):g}"
    failed = [t for t in tests if t.status != "passed"]
    if status == "waiting":
        first, *more = failed[0].message.split(":")[0].removeprefix("waiting on ").replace(" and ", ", ").split(", ")
        said = f"waiting on {for_terminal(first)}" + (f" (+{len(more)})" if more else "")
    elif status == "failed":
        said = f"failed ({len(failed)} of {len(tests)} checks)"
    else:
        said = status
    return f"  {exercise:<{NAME_WIDTH}} {points:>9}  [{STYLES[status]}]{said}[/]"


def _causes(report: Report) -> list[tuple[list[TestResult], TestResult]]:
    """(the checks it failed, one of them to show) for each distinct cause, in the order met.

    A module that does not import fails every check of every exercise in it with the same
    message and line: that is one cause, said once.
    """
    groups: dict[tuple, list[TestResult]] = {}
    for test in report.tests:
        if test.status in ("passed", "waiting"):
            continue
        # A stub's frame is the `raise NotImplementedError` line the message names already.
        # At a timeout the frames are wherever the loop happened to be when the stack was dumped.
        trace = () if test.status == "not implemented" or _TIMEOUT.search(test.message) else test.trace
        # The hint (first line) names the cause; the values after it differ from check to check.
        groups.setdefault((test.status, test.message.split("\n", 1)[0], trace), []).append(test)
    return [(tests, next((t for t in tests if t.output), tests[0])) for tests in groups.values()]


def _heading(tests: list[TestResult]) -> tuple[str, list[str]]:
    """The exercise(s) a cause hit, and the titles of its checks (none when they are many, or stubs)."""
    exercises = ", ".join(dict.fromkeys(t.exercise for t in tests))
    count = f" ({len(tests)} checks)" if len(tests) > 1 else ""
    if len(tests) > SHOWN_TITLES or tests[0].status == "not implemented" or "," in exercises:
        return f"[bold]{exercises}[/]{count}", []
    return f"[bold]{exercises}[/]", [f"[red]x[/] {for_terminal(t.title)}" for t in tests]


def _say(console: Console, markup: str, indent: int, **style) -> None:
    """Print markup (student text already escaped) wrapped to the terminal, every line indented."""
    width = max(console.width - indent, 20)
    lines = [textwrap.fill(line, width, initial_indent=" " * indent, subsequent_indent=" " * (indent + 2),
                           break_long_words=True, break_on_hyphens=False) or " " * indent
             for line in markup.split("\n")]
    console.print("\n".join(lines), soft_wrap=True, **style)


def show_details(report: Report, console: Console) -> None:
    """Each distinct cause of failure: which checks, the hint, the student's output and frames."""
    for tests, shown in _causes(report):
        console.print()
        heading, titles = _heading(tests)
        console.print(heading)
        for title in titles:
            _say(console, title, 2)
        _say(console, for_terminal(shown.message) or "(no message)", 4)
        if shown.trace and shown.status != "not implemented":
            where = "where your code was when it was stopped" if _TIMEOUT.search(shown.message) else "in your code"
            _say(console, f"[dim]{where} (innermost last):[/]", 4)
            for frame in shown.trace:
                _say(console, for_terminal(frame), 6)
        if shown.output:
            _say(console, "[dim]your code printed:[/]", 4)
            _say(console, for_terminal(shown.output.rstrip("\n")), 6, style="dim", highlight=False)


def show_passing(report: Report, console: Console) -> None:
    """V=1: every check, passed ones included, so a student sees what is already right."""
    console.print()
    for exercise, tests in report.by_exercise().items():
        console.print(f"[bold]{exercise}[/]")
        for test in tests:
            mark = {"passed": "[green]ok[/]", "waiting": "[cyan]..[/]"}.get(test.status, "[red]x[/] ")
            _say(console, f"{mark} {for_terminal(test.title)} ({test.score:g} / {test.max_score:g})", 2)
            if test.status == "passed" and test.output:
                _say(console, for_terminal(test.output.rstrip("\n")), 7, style="dim", highlight=False)


def show_check(report: Report, console: Console | None = None, *, verbose: bool = False,
               progress: Progress | None = None) -> int:
    """Print the table (unless progress already did), the causes of failure; 0 iff every public check passed."""
    console = console or Console(highlight=False)
    if progress is None or not progress.started:
        progress = Progress(console, "Public checks")
        for exercise, tests in report.by_exercise().items():
            progress(exercise, tests)
    if verbose:
        show_passing(report, console)
    show_details(report, console)
    console.print()
    for note in report.notes:
        _say(console, f"[yellow]{for_terminal(note)}[/]", 0)
    passed = all(test.status == "passed" for test in report.tests)
    console.print(f"Public checks: {report.score:g} / {report.max_score:g} points"
                  + ("." if verbose or passed else " (make check V=1 lists the passing ones too)."))
    _say(console, "[dim]Your grade also counts hidden checks, run when you submit: passing these is a good "
         "sign, not a promise.[/]", 0)
    return 0 if passed and report.tests else 1
