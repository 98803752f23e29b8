"""A synthetic grade-all output folder, written by grade-all's own writers, for the export and class-report tests.

Each student's results.json and times.json are what results.gradescope(timings=False) and
results.times() make of a Report, as grade-all's grading processes write them; batch.json
and gradebook.csv come from gradebook.write_outputs().
"""

from __future__ import annotations

import json
from pathlib import Path

from autograder.gradebook import Row, write_outputs
from autograder.classreport import results_path
from autograder.plugin import TestResult as CheckResult  # not "Test...": pytest would try to collect it
from autograder.results import Report, gradescope, scores_by_exercise, times

EXERCISES = ["scale", "predict"]  # the toy course's (tests/toy/), as it scores them
# (exercise, test, title, public, points)
CHECKS = [("scale", "test_scale_known_values", "scale multiplies every entry", True, 2.0),
          ("scale", "test_scale_random_values", "scale is right on random arrays", False, 3.0),
          ("predict", "test_predict_values", "predict gives x @ weights + bias", True, 5.0)]
SIGN_HINT = "scale looks like x * -factor: the sign is flipped"


def student(name: str, failing: dict[str, str] | None = None, seconds: float = 1.0) -> Report:
    """A graded submission: every check passes except those in failing ({test: output})."""
    failing = failing or {}
    tests = [CheckResult(e, t, title, public, points, score=0.0 if t in failing else points,
                         status="failed" if t in failing else "passed", message=failing.get(t, ""),
                         seconds=seconds / len(CHECKS))
             for e, t, title, public, points in CHECKS]
    return Report(tests=tests, seed=1, sandbox="test", execution_time=seconds, submission_sha256="0")


def write_out(out: Path, students: dict[str, Report | None], statuses: dict[str, tuple[str, str]] | None = None,
              only: list[str] | None = None) -> Path:
    """OUT as grade-all writes it: a results.json and times.json per graded student (None: not
    graded, as for a refused submission), batch.json and gradebook.csv; statuses: {name: (status, detail)}."""
    statuses = statuses or {}
    rows = []
    for name, report in students.items():
        status, detail = statuses.get(name, ("graded", ""))
        if report is None:
            rows.append(Row(name, status, detail))
            continue
        results = gradescope(report, timings=False)
        path = results_path(out, name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(results))
        path.with_name("times.json").write_text(json.dumps(times(report)))
        rows.append(Row(name, status, detail, scores_by_exercise(results), results["score"]))
    write_outputs(out, rows, exercises=EXERCISES, graders="test", only=only or [], shard=None, entries=len(rows))
    return out
