"""One result object, three views: Gradescope's results.json, JUnit XML, a Markdown table.

The terminal table of `make check` is a fourth view, drawn with rich. Every text a submission
can influence is escaped for the view it lands in (autograder/text.py): XML-illegal characters
in JUnit, links, images and table breaks in Markdown; every file is written with lone
surrogates replaced, so no message can make a write fail half-way.
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
from .text import clean, for_markdown, for_xml, plain

PACKAGE = Path(__file__).resolve().parent
SOLUTIONS = PACKAGE.parent / "solutions"


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
    grader_digest: str = ""  # grader_digest() of what graded this (set by the CLI)

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


def grader_digest(config_path: Path, *, package: Path = PACKAGE, solutions: Path = SOLUTIONS) -> str:
    """sha256 of everything besides the submission that can change a score: the engine, the graders
    wherever grading.toml puts them, their data, grading.toml and the reference solutions (digests.py)."""
    from .digests import grader_digest as digest

    return digest(config_path, package=package, solutions=solutions)


def _default_digest() -> str:
    """For callers that did not set Report.grader_digest: the grading.toml next to the package."""
    config = PACKAGE.parent / "grading.toml"
    return grader_digest(config) if config.is_file() else ""


def does_not_import(report: Report) -> dict[str, str]:
    """{exercise file: why it failed to import} for the files present that could not be imported."""
    return dict(report.artifacts.get("import_failures") or {})


def gradescope(report: Report, *, timings: bool = True) -> dict:
    """Gradescope's results.json, with the exercise id in every test's tags.

    timings=False leaves out the wall times (execution_time, exercise_seconds), so that the
    same submission graded by the same graders gives the same bytes (grade-all keeps its
    times in a file of their own: sharded and unsharded runs then agree byte for byte).
    """
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
    extra = {"seed": report.seed, "engine_version": __version__, "sandbox": report.sandbox,
             "sandbox_layers": report.sandbox_layers,
             "submission_sha256": report.submission_sha256, "max_score": report.max_score,
             "grader_digest": report.grader_digest or _default_digest(), "does_not_import": does_not_import(report),
             "notes": list(report.notes)}
    results = {"score": report.score, "execution_time": round(report.execution_time, 3),
               "output": "\n".join(report.notes + lines), "tests": tests, "extra_data": extra}
    if timings:
        extra["exercise_seconds"] = times(report)["exercise_seconds"]
    else:
        del results["execution_time"]
    return results


def times(report: Report) -> dict:
    return {"execution_time": round(report.execution_time, 3),
            "exercise_seconds": {name: round(sum(t.seconds for t in tests), 3)
                                 for name, tests in report.by_exercise().items()}}


def _printed(test: TestResult) -> str:
    """What the student's code printed during a public check (plugin keeps none for hidden ones).
    Their frames are left to the terminal and the feedback page."""
    return "\n\nYour code printed:\n" + test.output.rstrip("\n") if test.output else ""


def junit(report: Report) -> str:
    suites = ET.Element("testsuites", name="autograder", tests=str(len(report.tests)),
                        failures=str(sum(t.status != "passed" for t in report.tests)),
                        time=f"{report.execution_time:.3f}")
    for exercise, tests in report.by_exercise().items():
        suite = ET.SubElement(suites, "testsuite", name=for_xml(exercise), tests=str(len(tests)),
                              failures=str(sum(t.status != "passed" for t in tests)))
        for test in tests:
            case = ET.SubElement(suite, "testcase", classname=for_xml(exercise), name=for_xml(test.name))
            ET.SubElement(case, "properties").extend([
                ET.Element("property", name="score", value=f"{test.score:g}"),
                ET.Element("property", name="max_score", value=f"{test.max_score:g}")])
            if test.status != "passed":
                ET.SubElement(case, "failure", message=for_xml(test.title), type=for_xml(test.status)).text = \
                    for_xml(test.message)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True)


def markdown(report: Report) -> str:
    rows = ["| exercise | score | checks passed | first problem |", "| --- | ---: | ---: | --- |"]
    for exercise, tests in report.by_exercise().items():
        failed = [t for t in tests if t.status != "passed"]
        message = plain(failed[0].message).strip() if failed else ""  # plain() first: \x0b etc. split lines too
        first = for_markdown(message.splitlines()[0]) if message else ""
        rows.append(f"| `{exercise}` | {sum(t.score for t in tests):g} / {sum(t.max_score for t in tests):g} "
                    f"| {len(tests) - len(failed)} / {len(tests)} | {first} |")
    rows.append(f"| **total** | **{report.score:g} / {report.max_score:g}** | | |")
    notes = "".join(f"\n> {for_markdown(note)}" for note in report.notes)
    return f"## Autograder results\n\n" + "\n".join(rows) + f"\n{notes}\n\nSeed {report.seed}, engine {__version__}, sandbox: {report.sandbox}.\n"


def write_atomic(path: Path, text: str | bytes) -> None:
    """Write via a temporary file and rename, so a reader never sees half a file.

    Text is written as UTF-8 with lone surrogates replaced; on any failure the temporary
    file is removed and the target is left as it was.
    """
    path = Path(path)
    data = text if isinstance(text, bytes) else clean(text).encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


def clean_tree(value):
    """A JSON-able tree with every string (keys included) clean() of lone surrogates."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, dict):
        return {clean(key) if isinstance(key, str) else key: clean_tree(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean_tree(item) for item in value]
    return value


def write_json(path: Path, data: dict) -> None:
    write_atomic(path, json.dumps(clean_tree(data), indent=2) + "\n")
