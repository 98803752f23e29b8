"""One result object, three views: Gradescope's results.json, JUnit XML, a Markdown table.

The terminal table of `make check` is a fourth view, drawn with rich.
"""

from __future__ import annotations

import json
import os
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .plugin import TestResult


@dataclass
class Report:
    tests: list[TestResult]
    seed: int
    sandbox: str
    execution_time: float
    submission_sha256: str
    hidden_visibility: str = "after_due_date"
    notes: list[str] = field(default_factory=list)
    artifacts: dict = field(default_factory=dict)  # for the HTML report; not written to results.json
    sandbox_layers: dict = field(default_factory=dict)  # sandbox.layers(): what isolated the child
    files: dict = field(default_factory=dict)  # {"model.py": bytes} as graded (intake.py); not written

    @property
    def score(self) -> float:
        return round(sum(test.score for test in self.tests), 6)

    @property
    def max_score(self) -> float:
        return round(sum(test.max_score for test in self.tests), 6)

    def by_exercise(self) -> dict[str, list[TestResult]]:
        groups: dict[str, list[TestResult]] = {}
        for test in self.tests:
            groups.setdefault(test.exercise, []).append(test)
        return groups

    def exercise_scores(self) -> dict[str, float]:
        return {name: round(sum(t.score for t in tests), 6) for name, tests in self.by_exercise().items()}


def scores_by_exercise(results: dict) -> dict[str, float]:
    """{exercise id: points} from a results.json (each test's first tag is its exercise)."""
    scores: dict[str, float] = {}
    for test in results["tests"]:
        scores[test["tags"][0]] = round(scores.get(test["tags"][0], 0.0) + test["score"], 6)
    return scores


def gradescope(report: Report) -> dict:
    """Gradescope's results.json, with the exercise id in every test's tags."""
    tests, number = [], {}
    order = list(report.by_exercise())  # grading.toml's order: the plugin runs the tests in it
    for test in report.tests:
        exercise_number = order.index(test.exercise) + 1
        number[test.exercise] = number.get(test.exercise, 0) + 1
        tests.append({
            "name": f"{test.exercise}: {test.title}",
            "score": test.score,
            "max_score": test.max_score,
            "status": "passed" if test.status == "passed" else "failed",
            "output": test.message + _printed(test),
            "visibility": "visible" if test.public else report.hidden_visibility,
            "tags": [test.exercise, "public" if test.public else "hidden"],
            "number": f"{exercise_number}.{number[test.exercise]}",
        })
    lines = [f"{name}: {score:g} / {sum(t.max_score for t in report.by_exercise()[name]):g}"
             for name, score in report.exercise_scores().items()]
    return {
        "score": report.score,
        "execution_time": round(report.execution_time, 3),
        "output": "\n".join(report.notes + lines),
        "tests": tests,
        "extra_data": {"seed": report.seed, "engine_version": __version__, "sandbox": report.sandbox,
                       "sandbox_layers": report.sandbox_layers,
                       "submission_sha256": report.submission_sha256, "max_score": report.max_score,
                       "exercise_seconds": {name: round(sum(t.seconds for t in tests), 3)
                                            for name, tests in report.by_exercise().items()}},
    }


def _printed(test: TestResult) -> str:
    """What the student's code printed during a public check (plugin keeps none for hidden ones).
    Their frames are left to the terminal and the feedback page."""
    return "\n\nYour code printed:\n" + test.output.rstrip("\n") if test.output else ""


def junit(report: Report) -> str:
    suites = ET.Element("testsuites", name="autograder", tests=str(len(report.tests)),
                        failures=str(sum(t.status != "passed" for t in report.tests)),
                        time=f"{report.execution_time:.3f}")
    for exercise, tests in report.by_exercise().items():
        suite = ET.SubElement(suites, "testsuite", name=exercise, tests=str(len(tests)),
                              failures=str(sum(t.status != "passed" for t in tests)))
        for test in tests:
            case = ET.SubElement(suite, "testcase", classname=exercise, name=test.name)
            ET.SubElement(case, "properties").extend([
                ET.Element("property", name="score", value=f"{test.score:g}"),
                ET.Element("property", name="max_score", value=f"{test.max_score:g}")])
            if test.status != "passed":
                ET.SubElement(case, "failure", message=test.title, type=test.status).text = test.message
    return ET.tostring(suites, encoding="unicode", xml_declaration=True)


def markdown(report: Report) -> str:
    rows = ["| exercise | score | checks passed | first problem |", "| --- | ---: | ---: | --- |"]
    for exercise, tests in report.by_exercise().items():
        failed = [t for t in tests if t.status != "passed"]
        first = failed[0].message.splitlines()[0].replace("|", "\\|") if failed and failed[0].message else ""
        rows.append(f"| `{exercise}` | {sum(t.score for t in tests):g} / {sum(t.max_score for t in tests):g} "
                    f"| {len(tests) - len(failed)} / {len(tests)} | {first} |")
    rows.append(f"| **total** | **{report.score:g} / {report.max_score:g}** | | |")
    notes = "".join(f"\n> {note}" for note in report.notes)
    return f"## Autograder results\n\n" + "\n".join(rows) + f"\n{notes}\n\nSeed {report.seed}, engine {__version__}, sandbox: {report.sandbox}.\n"


def write_atomic(path: Path, text: str) -> None:
    """Write via a temporary file and rename, so a reader never sees half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(handle, "w") as stream:
        stream.write(text)
    os.chmod(temporary, 0o644)
    os.replace(temporary, path)


def write_json(path: Path, data: dict) -> None:
    write_atomic(path, json.dumps(data, indent=2) + "\n")
