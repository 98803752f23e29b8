"""The students' view: a rich table of the public checks, one line per exercise."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from .results import Report

STYLES = {"passed": "green", "failed": "red", "not implemented": "yellow", "error": "magenta"}


def show_check(report: Report, console: Console | None = None) -> int:
    """Print the table; 0 when every public check passed, else 1."""
    console = console or Console()
    table = Table(title="Public checks", title_justify="left")
    table.add_column("exercise")
    table.add_column("points", justify="right")
    table.add_column("status")
    table.add_column("what to look at")
    for exercise, tests in report.by_exercise().items():
        failed = [test for test in tests if test.status != "passed"]
        status = "passed" if not failed else ("not implemented" if all(t.status == "not implemented" for t in failed) else "failed")
        hints = "\n".join(f"[bold]{t.title}[/bold]: {t.message}" for t in failed[:3])
        if len(failed) > 3:
            hints += f"\n... and {len(failed) - 3} more failed checks"
        if status == "not implemented":
            hints = failed[0].message
        table.add_row(exercise, f"{sum(t.score for t in tests):g} / {sum(t.max_score for t in tests):g}",
                      f"[{STYLES[status]}]{status}[/]", hints)
    console.print(table)
    for note in report.notes:
        console.print(f"[yellow]{note}[/]")
    passed = all(test.status == "passed" for test in report.tests)
    console.print(f"Public checks: {report.score:g} / {report.max_score:g} points. "
                  "Your grade also counts hidden checks, run after you submit; passing these is a good sign, not a promise.")
    return 0 if passed and report.tests else 1
