"""The class report: one HTML page and one Markdown file from a grade-all output folder.

It reads OUT/batch.json (grade-all's rows: status and detail per entry), each student's
results.json (Gradescope's format: each test's tags are [exercise id, "public" or "hidden"])
and times.json (wall times, kept out of results.json by grade-all), and shows:
the changes of the last regrade (OUT/regrade.csv), the final scores after late penalties
(grade-all --due), the score histogram per exercise, the pass rate of every check, the most frequent hints
(a check that recognises a known wrong implementation gives that misconception's hint instead
of its generic one, so each named misconception is a row of its own), the slowest
submissions, and every submission that was refused or crashed. Folder names, hints and
details come from students: they are escaped for the medium they land in (autograder/text.py).
The page is self-contained (CSS inline, plots as data: URIs).
"""

from __future__ import annotations

import html
import json
import statistics
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import __version__
from .exports import read_batch
from . import regrade
from .gradebook import Row
from .report import CSS, figure, pyplot
from .results import write_atomic
from .text import for_markdown, plain

TOP = 15  # rows in the hints, slowest and checks-that-fail-most tables
FINE = ("graded", "missing")  # statuses that are not a problem to look at
CRASHED = ("your code crashed", "the grader could not check this")


def results_path(out: Path, student: str) -> Path:
    """Where grade-all keeps one student's results.json (times.json is beside it)."""
    return Path(out) / "students" / student / "results.json"


@dataclass
class Check:
    exercise: str
    name: str
    visibility: str
    passed: int = 0
    failed: int = 0

    @property
    def rate(self) -> float:
        return self.passed / max(1, self.passed + self.failed)


@dataclass
class ClassResults:
    exercises: list[str]
    rows: dict[str, Row]  # student -> grade-all's row
    results: dict[str, dict] = field(default_factory=dict)  # student -> results.json, for those that have one
    times: dict[str, dict] = field(default_factory=dict)  # student -> times.json
    regrades: list[dict[str, str]] = field(default_factory=list)  # OUT/regrade.csv's rows (regrade.py)

    def late(self) -> dict | None:
        """With deadlines (grade-all --due): the final scores and who was late or has no time; else None."""
        if not any(row.submitted_at is not None for row in self.rows.values()):
            return None
        finals = [row.final for row in self.rows.values() if row.final is not None]
        return {"finals": finals, "late": sum(bool(row.late_days) for row in self.rows.values()),
                "no_time": sorted(name for name, row in self.rows.items() if row.total is not None and row.final is None)}

    def max_points(self) -> dict[str, float]:
        best: dict[str, float] = {}
        for data in self.results.values():
            per: dict[str, float] = {}
            for test in data["tests"]:
                per[test["tags"][0]] = per.get(test["tags"][0], 0.0) + float(test["max_score"])
            for exercise, points in per.items():
                best[exercise] = max(best.get(exercise, 0.0), points)
        return best

    def scores(self, exercise: str) -> list[float]:
        found = []
        for data in self.results.values():
            tests = [t for t in data["tests"] if t["tags"][0] == exercise]
            if tests:
                found.append(sum(float(t["score"]) for t in tests))
        return found

    def checks(self) -> list[Check]:
        table: dict[tuple[str, str], Check] = {}
        for data in self.results.values():
            for test in data["tests"]:
                key = (test["tags"][0], test["name"])
                check = table.setdefault(key, Check(key[0], key[1], test["tags"][1] if len(test["tags"]) > 1 else ""))
                if test["status"] == "passed":
                    check.passed += 1
                else:
                    check.failed += 1
        return list(table.values())

    def hints(self) -> list[tuple[str, str, int]]:
        """(exercise, hint, students) for the most frequent first lines of failed checks' output."""
        counts: Counter = Counter()
        for data in self.results.values():
            seen = {(t["tags"][0], (t.get("output") or "").strip().splitlines()[0][:300])
                    for t in data["tests"] if t["status"] != "passed" and (t.get("output") or "").strip()}
            counts.update(seen)
        return [(exercise, hint, n) for (exercise, hint), n in counts.most_common(TOP)]

    def slowest(self) -> list[tuple[str, float, dict]]:
        timed = [(student, float(data.get("execution_time", 0.0)), data.get("exercise_seconds", {}))
                 for student, data in self.times.items()]
        return sorted(timed, key=lambda item: -item[1])[:TOP]

    def problems(self) -> list[tuple[str, str, str]]:
        """(student, status, detail): refused, crashed, not importable or errored submissions, and crashed checks."""
        found = []
        for student, row in self.rows.items():
            if row.status not in FINE:
                found.append((student, row.status, row.detail))
        for student, data in self.results.items():
            for test in data["tests"]:
                output = (test.get("output") or "").strip()
                if test["status"] != "passed" and output.startswith(CRASHED):
                    found.append((student, f"crashed in {test['tags'][0]}", f"{test['name']}: {output.splitlines()[0]}"))
        return found


def load(out: Path) -> ClassResults:
    exercises, rows = read_batch(out)
    found = ClassResults(exercises, rows, regrades=regrade.read(out))
    for student in rows:
        path = results_path(out, student)
        try:
            data = json.loads(path.read_text())
            if isinstance(data.get("tests"), list):
                found.results[student] = data
            found.times[student] = json.loads(path.with_name("times.json").read_text())
        except (OSError, ValueError, AttributeError):
            pass  # no results: its status says why
    return found


# -- HTML ------------------------------------------------------------------------------------
def _h(text: object) -> str:
    return html.escape(plain(text))


def _histograms(data: ClassResults) -> str:
    plt = pyplot()
    maxima = data.max_points()
    panels = [(e, data.scores(e), maxima.get(e, 0.0)) for e in data.exercises]
    totals = [float(d["score"]) for d in data.results.values()]
    panels.append(("total", totals, sum(maxima.values())))
    columns = 3
    rows = -(-len(panels) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(10, 2.6 * rows), squeeze=False)
    for ax, (name, scores, top) in zip(axes.flat, panels):
        top = max(top, max(scores, default=0.0), 1.0)
        ax.hist(scores, bins=np.linspace(0, top, min(21, int(top) + 2)), color="#3b6ea8", edgecolor="white")
        ax.set_title(f"{name} (out of {top:g})", fontsize=10)
        ax.set_xlim(0, top)
        ax.set_ylabel("students", fontsize=8)
    for ax in list(axes.flat)[len(panels):]:
        ax.axis("off")
    fig.tight_layout()
    return figure(fig, "score histogram per exercise", "Points per exercise, one bar per score range.")


def _pass_rates(checks: list[Check]) -> str:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(10, 0.22 * len(checks) + 1))
    labels = [check.name for check in checks]
    ax.barh(range(len(checks)), [100 * check.rate for check in checks],
            color=["#3b6ea8" if check.visibility == "public" else "#8a5a9e" for check in checks])
    ax.set_yticks(range(len(checks)), labels, fontsize=7)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("% of graded submissions passing (blue: public, purple: hidden)")
    fig.tight_layout()
    return figure(fig, "pass rate per check", "Pass rate of every check, in grading order.")


def build_page(data: ClassResults) -> str:
    statuses = Counter(row.status for row in data.rows.values())
    totals = [float(d["score"]) for d in data.results.values()]
    checks = data.checks()
    parts = [f"<h1>Class report: {len(data.rows)} submissions</h1>",
             "<table><tr><th>status</th><th>submissions</th></tr>"
             + "".join(f'<tr><td>{_h(s)}</td><td class="num">{n}</td></tr>' for s, n in sorted(statuses.items()))
             + "</table>"]
    if totals:
        parts.append(f"<p>Total score over {len(totals)} graded submissions: median {statistics.median(totals):g}, "
                     f"mean {statistics.fmean(totals):.1f}, max {max(totals):g} of {sum(data.max_points().values()):g}.</p>")
    late = data.late()
    if late is not None:
        finals = late["finals"]
        parts.append(f"<p>After late penalties: {late['late']} submissions late"
                     + (f", final score median {statistics.median(finals):g}, mean {statistics.fmean(finals):.1f}"
                        if finals else "")
                     + (f"; no submission time (final left blank): {_h(', '.join(late['no_time']))}"
                        if late["no_time"] else "") + ".</p>")
    if data.regrades:
        parts.append("<h2>Changed at the last regrade</h2><p>regrade.csv: the earlier gradebook is in history/.</p>"
                     "<table><tr><th>student</th><th>exercise</th><th>old</th><th>new</th><th>reason</th></tr>"
                     + "".join("<tr>" + "".join(f"<td>{_h(line.get(column, ''))}</td>" for column in regrade.COLUMNS)
                               + "</tr>" for line in data.regrades) + "</table>")
    parts.append("<h2>Scores per exercise</h2>")
    parts.append(_histograms(data) if data.results else '<p class="missing">No results.json to plot.</p>')
    parts.append("<h2>Pass rate per check</h2>")
    if checks:
        parts.append(_pass_rates(checks))
        parts.append("<table><tr><th>check</th><th>visibility</th><th>passed</th><th>pass rate</th></tr>" + "".join(
            f'<tr><td>{_h(c.name)}</td><td>{_h(c.visibility)}</td><td class="num">{c.passed} / {c.passed + c.failed}</td>'
            f'<td class="num">{100 * c.rate:.0f}%</td></tr>' for c in sorted(checks, key=lambda c: c.rate)) + "</table>")
    parts.append("<h2>Most frequent hints and misconceptions</h2>")
    hints = data.hints()
    parts.append("<table><tr><th>exercise</th><th>hint</th><th>students</th></tr>" + "".join(
        f'<tr><td>{_h(e)}</td><td>{_h(hint)}</td><td class="num">{n}</td></tr>' for e, hint, n in hints)
        + "</table>" if hints else "<p>Every check passed for everyone.</p>")
    parts.append("<h2>Slowest submissions</h2>")
    parts.append("<table><tr><th>student</th><th>seconds</th><th>slowest exercise</th></tr>" + "".join(
        f'<tr><td>{_h(s)}</td><td class="num">{t:.2f}</td><td>{_slowest_exercise(per)}</td></tr>'
        for s, t, per in data.slowest()) + "</table>")
    parts.append("<h2>Refused or crashed</h2>")
    problems = data.problems()
    parts.append("<table><tr><th>student</th><th>status</th><th>detail</th></tr>" + "".join(
        f"<tr><td>{_h(s)}</td><td>{_h(status)}</td><td>{_h(detail)}</td></tr>" for s, status, detail in problems)
        + "</table>" if problems else "<p>Nothing was refused and nothing crashed.</p>")
    parts.append(f'<p class="tag">engine {html.escape(__version__)}</p>')
    return ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>Class report</title><style>{CSS}</style></head>\n<body>\n" + "\n".join(parts)
            + "\n</body></html>\n")


def _slowest_exercise(per: dict) -> str:
    if not isinstance(per, dict) or not per:
        return ""
    name, seconds = max(per.items(), key=lambda item: float(item[1]))
    return f"{_h(name)} ({float(seconds):.2f} s)"


# -- Markdown --------------------------------------------------------------------------------
def build_markdown(data: ClassResults) -> str:
    m = for_markdown
    statuses = Counter(row.status for row in data.rows.values())
    maxima = data.max_points()
    lines = [f"# Class report: {len(data.rows)} submissions", "", "| status | submissions |", "| --- | ---: |"]
    lines += [f"| {m(s)} | {n} |" for s, n in sorted(statuses.items())]
    late = data.late()
    if late is not None:
        finals = late["finals"]
        lines += ["", f"After late penalties: {late['late']} submissions late"
                  + (f", final score median {statistics.median(finals):g}, mean {statistics.fmean(finals):.1f}"
                     if finals else "")
                  + (f"; no submission time (final left blank): {m(', '.join(late['no_time']))}"
                     if late["no_time"] else "") + "."]
    if data.regrades:
        lines += ["", "## Changed at the last regrade", "", "regrade.csv; the earlier gradebook is in history/.", "",
                  "| student | exercise | old | new | reason |", "| --- | --- | ---: | ---: | --- |"]
        lines += [f"| {' | '.join(m(line.get(column, '')) for column in regrade.COLUMNS)} |" for line in data.regrades]
    lines += ["", "## Scores per exercise", "", "| exercise | out of | graded | median | mean | full marks | zero |",
              "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for exercise in data.exercises + ["total"]:
        scores = [float(d["score"]) for d in data.results.values()] if exercise == "total" else data.scores(exercise)
        top = sum(maxima.values()) if exercise == "total" else maxima.get(exercise, 0.0)
        if scores:
            lines.append(f"| {m(exercise)} | {top:g} | {len(scores)} | {statistics.median(scores):g} | "
                         f"{statistics.fmean(scores):.1f} | {sum(s >= top for s in scores)} | {sum(s == 0 for s in scores)} |")
    lines += ["", "## Pass rate per check", "", "| check | visibility | passed | pass rate |", "| --- | --- | ---: | ---: |"]
    lines += _rows([f"| {m(c.name)} | {m(c.visibility)} | {c.passed} / {c.passed + c.failed} | {100 * c.rate:.0f}% |"
                    for c in sorted(data.checks(), key=lambda c: c.rate)])
    lines += ["", "## Most frequent hints and misconceptions", "", "| exercise | hint | students |", "| --- | --- | ---: |"]
    lines += _rows([f"| {m(e)} | {m(hint)} | {n} |" for e, hint, n in data.hints()])
    lines += ["", "## Slowest submissions", "", "| student | seconds |", "| --- | ---: |"]
    lines += _rows([f"| {m(s)} | {t:.2f} |" for s, t, _ in data.slowest()])
    lines += ["", "## Refused or crashed", "", "| student | status | detail |", "| --- | --- | --- |"]
    lines += _rows([f"| {m(s)} | {m(status)} | {m(detail)} |" for s, status, detail in data.problems()])
    return "\n".join(lines) + "\n"


def _rows(rows: list[str]) -> list[str]:
    return rows or ["| none | | |"]


def write(out: Path, *, html_path: Path | None = None, markdown_path: Path | None = None) -> tuple[Path, Path]:
    """Write OUT/class-report.html and OUT/class-report.md (or the paths given); returns both."""
    data = load(out)
    html_path = Path(html_path or Path(out) / "class-report.html")
    markdown_path = Path(markdown_path or Path(out) / "class-report.md")
    write_atomic(html_path, build_page(data))
    write_atomic(markdown_path, build_markdown(data))
    return html_path, markdown_path
