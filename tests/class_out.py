"""A synthetic grade-all output folder, in the documented format, for the export and class-report tests.

Each student's results.json is written by results.gradescope() from a Report, as grade-all's
grading processes write it; gradebook.csv has grade-all's columns (student, one per exercise,
total, status, detail).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from autograder.classreport import results_path
from autograder.plugin import TestResult as CheckResult  # not "Test...": pytest would try to collect it
from autograder.results import Report, gradescope, scores_by_exercise

EXERCISES = ["sigmoid", "forward"]
# (exercise, test, title, public, points)
CHECKS = [("sigmoid", "test_sigmoid_known_values", "sigmoid matches known values", True, 2.0),
          ("sigmoid", "test_sigmoid_random_values", "sigmoid matches 1 / (1 + exp(-x))", False, 3.0),
          ("forward", "test_forward_batch", "forward() on a batch", True, 5.0)]
SIGN_HINT = "sigmoid looks like 1 / (1 + exp(x)): the sign inside exp is flipped"


def student(name: str, failing: dict[str, str] | None = None, seconds: float = 1.0) -> dict:
    """A results.json dict: every check passes except those in failing ({test: output})."""
    failing = failing or {}
    tests = [CheckResult(e, t, title, public, points, score=0.0 if t in failing else points,
                         status="failed" if t in failing else "passed", message=failing.get(t, ""),
                         seconds=seconds / len(CHECKS))
             for e, t, title, public, points in CHECKS]
    return gradescope(Report(tests=tests, seed=1, sandbox="test", execution_time=seconds, submission_sha256="0"))


def write_out(out: Path, students: dict[str, dict | None], statuses: dict[str, tuple[str, str]] | None = None) -> Path:
    """OUT with one results.json per student (None: none, as for a refused submission) and gradebook.csv."""
    statuses = statuses or {}
    rows = []
    for name, results in students.items():
        if results is not None:
            path = results_path(out, name)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(results))
            scores = scores_by_exercise(results)
            cells = [f"{scores[e]:g}" if e in scores else "" for e in EXERCISES] + [f"{results['score']:g}"]
        else:
            cells = [""] * (len(EXERCISES) + 1)
        status, detail = statuses.get(name, ("graded", ""))
        rows.append([name, *cells, status, detail])
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "gradebook.csv", "w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["student", *EXERCISES, "total", "status", "detail"])
        writer.writerows(rows)
    return out
