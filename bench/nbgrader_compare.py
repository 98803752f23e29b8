"""nbgrader against grade-all on the same submissions and the same checks (the NumPy exercises).

The submissions: the reference answers, the released notebook unchanged (stubs), and a few
known mistakes from tests/course/mistakes. Each is a notebook for nbgrader; the .py files grade-all
grades are rebuilt from that notebook's cells (autograder.notebook.solution_files), exactly as
the notebook's own test cells do, so both sides grade the same code.

The benchmark assignment is the course notebook without its Keras cells: otherwise nbgrader's
kernel would import TensorFlow for every notebook (it executes every cell) while grade-all
--only never does, and the comparison would be about that import rather than grading.

Two nbgrader variants:
- "engine cells": the course as it ships: each test cell runs `python -m autograder grade
  --only EXERCISE` in a subprocess (sandboxed children and all), so nbgrader pays one engine
  start per exercise on top of its kernel;
- "in-kernel": the classic nbgrader set-up, checks run inside the student's kernel: the same
  graders, run by pytest in the kernel on the notebook's code through autograder/inprocess.py
  (no sandbox, no subprocess). A fairer baseline for what nbgrader itself costs.
"""

from __future__ import annotations

import copy
import shutil
import sys
import warnings
from pathlib import Path

import nbformat

from timing import NUMPY, PY, environment, run

ASSIGNMENT = "day2_mlp"  # the helper cell looks for day2_mlp.ipynb
MISTAKES = ("sign inside exp", "slope sign flipped", "missing bias", "gradient ascent", "mean loss",
            "training for one epoch")

IN_KERNEL = '''

def grade_in_kernel(exercise):
    """Benchmark baseline (classic nbgrader): the same graders, run inside this kernel on the
    notebook's code, with no sandbox and no engine process (autograder/inprocess.py)."""
    repository = str(engine_repository())
    if repository not in sys.path:
        sys.path.insert(0, repository)
    from autograder.config import load
    from autograder.grade import grade
    from autograder.inprocess import InProcessStudent
    from autograder.results import gradescope
    with tempfile.TemporaryDirectory() as scratch:
        for name, source in solution_files(notebook_file()).items():
            Path(scratch, name).write_text(source, encoding="utf-8")
        report = grade(Path(scratch), config=load(Path(repository, "grading.toml")), only=[exercise],
                       student_factory=InProcessStudent)
        tests = [test for test in gradescope(report)["tests"] if test["tags"][0] == exercise]
    return Graded(exercise, tests)'''


def _grade_id(cell) -> str:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "")


def numpy_notebook(source: Path, *, in_kernel: bool):
    """The course notebook without its Keras cells; in_kernel: test cells grade in the kernel."""
    notebook = nbformat.read(source, as_version=4)
    keras = ("mnist_keras", "test-keras_mnist")
    notebook.cells = [cell for cell in notebook.cells if not _grade_id(cell).startswith(keras)
                      and not cell.get("id", "").startswith("about-mnist_keras")]
    if in_kernel:
        for cell in notebook.cells:
            if _grade_id(cell) == "grading-helper":
                cell.source += IN_KERNEL
            elif _grade_id(cell).startswith("test-"):
                cell.source = cell.source.replace("grade_exercise(", "grade_in_kernel(")
    return notebook


def submissions(root: Path) -> dict[str, str | None]:
    """{student: mlp.py source, or None for the released notebook left as it is}."""
    sys.path.insert(0, str(root / "tests" / "course"))
    from mistakes import MISTAKES as KNOWN

    reference = (root / "solutions" / "mlp.py").read_text()
    chosen = {f"mistake-{MISTAKES.index(m.name)}": m.source(reference) for m in KNOWN if m.name in MISTAKES}
    return {"reference": reference, "stubs": None, **dict(sorted(chosen.items()))}


def build_course(root: Path, folder: Path, students: dict[str, str | None], *, in_kernel: bool) -> Path:
    """A course folder with the assignment generated and one submitted notebook per student."""
    sys.path.insert(0, str(root))
    from autograder.notebook import solution_blocks

    course = folder / ("course-in-kernel" if in_kernel else "course-engine")
    course.mkdir(parents=True)
    shutil.copy(root / "nbgrader" / "nbgrader_config.py", course / "nbgrader_config.py")
    source = course / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    source.parent.mkdir(parents=True)
    nbformat.write(numpy_notebook(root / "nbgrader" / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb",
                                  in_kernel=in_kernel), source)
    nbgrader(course, root, "generate_assignment", ASSIGNMENT, "--force")
    released = nbformat.read(course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    for student, mlp in students.items():
        submitted = copy.deepcopy(released)
        if mlp is not None:
            blocks = solution_blocks(mlp, "mlp")
            for cell in submitted.cells:
                block = _grade_id(cell).removeprefix("mlp-")
                if _grade_id(cell).startswith("mlp-") and cell.metadata["nbgrader"].get("solution"):
                    cell.source = blocks[block]
        target = course / "submitted" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
        target.parent.mkdir(parents=True)
        nbformat.write(submitted, target)
    return course


def nbgrader(course: Path, root: Path, *args: str) -> float:
    done = run([PY, "-m", "nbgrader", *args], cwd=course,
               env=environment(AUTOGRADER_REPO=str(root), AUTOGRADER_PYTHON=PY), timeout=1800)
    if done.code != 0:
        raise RuntimeError(f"nbgrader {' '.join(args)} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return done.seconds


def nbgrader_scores(course: Path, students) -> dict[str, float]:
    from nbgrader.api import Gradebook

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
            return {student: round(gradebook.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, student).score, 6)
                    for student in students}


def python_submissions(course: Path, students, folder: Path) -> Path:
    """The .py files the notebooks' test cells grade, one folder per student, for grade-all."""
    from autograder.config import load
    from autograder.notebook import solution_files

    for student in students:
        (folder / student).mkdir(parents=True)
        notebook = course / "submitted" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
        for name, text in solution_files(notebook, load(Path(__file__).resolve().parent.parent / "grading.toml").modules()).items():
            (folder / student / name).write_text(text)
    return folder


def compare(root: Path, work: Path, *, log=print) -> dict:
    """Time nbgrader (both variants) and grade-all --jobs 1 and 2; check that the scores agree."""
    import json

    students = submissions(root)
    results: dict = {"n": len(students), "students": list(students)}
    courses = {}
    for in_kernel in (False, True):
        name = "nbgrader in-kernel" if in_kernel else "nbgrader engine cells"
        course = build_course(root, work, students, in_kernel=in_kernel)
        results[name] = nbgrader(course, root, "autograde", ASSIGNMENT)
        courses[name] = nbgrader_scores(course, students)
        log(f"  {name}: {results[name]:.1f} s for {len(students)} notebooks")
    python = python_submissions(course, students, work / "py")
    for jobs in (1, 2):
        out = work / f"out-jobs{jobs}"
        done = run([PY, "-m", "autograder", "grade-all", str(python), "--out", str(out), "--jobs", str(jobs),
                    "--only", ",".join(NUMPY)], cwd=root, env=environment())
        results[f"grade-all --jobs {jobs}"] = done.seconds
        log(f"  grade-all --jobs {jobs}: {done.seconds:.1f} s")
    ours = {student: json.loads((work / "out-jobs1" / "students" / student / "results.json").read_text())["score"]
            for student in students}
    results["scores"] = {"grade-all": ours, **courses}
    results["scores_agree"] = all(scores == ours for scores in courses.values())
    return results
