"""The nbgrader path: the real nbgrader commands on a copy of the course give our engine's scores.

One course copy is built per run (module fixture): `nbgrader generate_assignment`, three
submissions (the reference answers, the released notebook unchanged, the reference with the
sign inside sigmoid's exp flipped), `nbgrader autograde`, `nbgrader export`. Each command's wall
time is printed (pytest -s) and kept in the fixture.

The reference is graded on every exercise. For the other two the keras_mnist cell is skipped
(AUTOGRADER_NOTEBOOK_SKIP): it grades through the same grade_exercise() call as the others, and
grading Keras costs ~10-25 s per notebook.
"""

from __future__ import annotations

import copy
import csv
import os
import shutil
import subprocess
import sys
import time
import warnings

import nbformat
import pytest
from support import REPO, exercise_scores, grade, mutate

from autograder import notebook
from autograder.config import load

MODULES = load(REPO / "grading.toml").modules()

ASSIGNMENT = "day2_mlp"
SKIPPED = "keras_mnist"
STUDENTS = ("reference", "released", "mistake")


def _nbgrader_id(cell) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def _run_nbgrader(course, *args, skip: str = "") -> float:
    """Run `nbgrader ARGS` in the course folder; its wall time in seconds."""
    env = {**os.environ, "AUTOGRADER_REPO": str(REPO), "AUTOGRADER_NOTEBOOK_SKIP": skip}
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env,
                          capture_output=True, text=True, timeout=1200)
    elapsed = time.monotonic() - started
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SAWarning" not in done.stderr, "nbgrader_config.py should silence SQLAlchemy's SAWarning"
    return elapsed


def _submit(course, student, cells_from, answers=None):
    """Write a submission notebook: the released one, with some solution cells replaced."""
    submission = copy.deepcopy(cells_from)
    for cell in submission.cells:
        if (answers or {}).get(_nbgrader_id(cell)) is not None:
            cell.source = answers[_nbgrader_id(cell)]
    folder = course / "submitted" / student / ASSIGNMENT
    folder.mkdir(parents=True)
    nbformat.write(submission, folder / f"{ASSIGNMENT}.ipynb")


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    root = tmp_path_factory.mktemp("nbgrader") / "course"
    shutil.copytree(notebook.COURSE, root, ignore=shutil.ignore_patterns(
        "release", "submitted", "autograded", "feedback", "gradebook.db", "grades.csv"))
    times = {"generate_assignment": _run_nbgrader(root, "generate_assignment", ASSIGNMENT, "--force")}
    released = nbformat.read(root / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    source = nbformat.read(root / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    answers = {_nbgrader_id(cell): cell.source for cell in source.cells
               if cell.get("metadata", {}).get("nbgrader", {}).get("solution")}
    sigmoid = "mlp-sigmoid"
    mistake = {**answers, sigmoid: mutate(answers[sigmoid], "-np.asarray(x, dtype=float))",
                                                  "-np.clip(np.asarray(x, dtype=float), -20, 20))")}
    _submit(root, "reference", released, answers)
    _submit(root, "released", released)
    _submit(root, "mistake", released, mistake)
    times["autograde reference"] = _run_nbgrader(root, "autograde", ASSIGNMENT, "--student", "reference")
    times[f"autograde released, mistake (no {SKIPPED})"] = _run_nbgrader(
        root, "autograde", ASSIGNMENT, "--CourseDirectory.student_id_exclude=reference", skip=SKIPPED)
    times["export"] = _run_nbgrader(root, "export")
    print("\nnbgrader wall times: " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in times.items()))
    return {"root": root, "times": times, "released": released}


def _nbgrader_scores(root) -> dict[str, dict[str, float]]:
    """{student: {exercise: score}} from nbgrader's gradebook."""
    from nbgrader.api import Gradebook

    scores = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gradebook:
            for student in STUDENTS:
                graded = gradebook.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, student)
                scores[student] = {grade.name.removeprefix("test-"): grade.score for grade in graded.grades}
    return scores


def _engine_scores(root, student, tmp_path, exercises) -> dict[str, float]:
    """`python -m autograder grade` on the files the submitted notebook's cells make."""
    folder = tmp_path / student
    folder.mkdir()
    submitted = root / "submitted" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    for name, text in notebook.solution_files(submitted, MODULES).items():
        (folder / name).write_text(text)
    return exercise_scores(grade(folder, tmp_path / f"{student}.json", "--only", ",".join(exercises)))


def test_nbgrader_scores_equal_the_engines(course, config, tmp_path):
    graded = {student: [name for name in config.exercises if student == "reference" or name != SKIPPED]
              for student in STUDENTS}
    exercises = graded["released"]
    full = {name: config.exercises[name].max_score for name in config.exercises}
    nbgrader_scores = _nbgrader_scores(course["root"])
    engine = {student: _engine_scores(course["root"], student, tmp_path, graded[student]) for student in STUDENTS}
    for student in STUDENTS:
        got = {name: nbgrader_scores[student][name] for name in graded[student]}
        assert got == engine[student], f"{student}: nbgrader {got} != engine {engine[student]}"
    assert engine["reference"] == full
    full = {name: full[name] for name in exercises}
    assert engine["released"] == dict.fromkeys(exercises, 0)
    assert engine["mistake"] == {**full, "sigmoid": engine["mistake"]["sigmoid"]}
    assert 0 < engine["mistake"]["sigmoid"] < full["sigmoid"]
    print(f"\nper-exercise scores (nbgrader = engine): {engine}")


def test_reference_notebook_rebuilds_the_solution_files(course):
    submitted = course["root"] / "submitted" / "reference" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    files = notebook.solution_files(submitted, MODULES)
    assert files == {name: (REPO / "solutions" / name).read_text() for name in files} and len(files) == 2, \
        "the reference notebook should grade exactly solutions/*.py, as `make grade SUBMISSION=solutions` does"


def test_export_writes_the_csv(course, config):
    with open(course["root"] / "grades.csv", newline="") as stream:
        rows = {row["student_id"]: row for row in csv.DictReader(stream)}
    assert set(rows) == set(STUDENTS)
    total = sum(exercise.max_score for exercise in config.exercises.values())
    for student, scores in _nbgrader_scores(course["root"]).items():
        assert float(rows[student]["score"]) == sum(scores.values()) and float(rows[student]["max_score"]) == total
    assert float(rows["reference"]["score"]) == total and float(rows["released"]["score"]) == 0


def test_release_has_no_solutions_and_no_hidden_tests(course):
    text = nbformat.writes(course["released"])
    for secret in ("BEGIN SOLUTION", "logaddexp", "BEGIN HIDDEN TESTS", 'report("hidden")'):
        assert secret not in text, f"{secret!r} is in the released notebook"
    assert "not implemented yet" in text


def test_committed_notebook_does_not_drift():
    assert not notebook.drift(), "run `make generate` and commit nbgrader/source/day2_mlp/day2_mlp.ipynb"


def test_drift_ignores_volatile_metadata_but_not_content(tmp_path):
    built = notebook.build()
    saved = copy.deepcopy(built)
    saved.metadata["language_info"] = {"name": "python", "version": "3.11.9"}
    for number, cell in enumerate(saved.cells):
        cell.id = f"saved-{number}"
        if cell.cell_type == "code":
            cell.execution_count, cell.outputs = number, [nbformat.v4.new_output("stream", text="hi\n")]
    nbformat.write(saved, tmp_path / "saved.ipynb")
    assert not notebook.drift(tmp_path / "saved.ipynb")
    saved.cells[-1].source += "\n# edited"
    nbformat.write(saved, tmp_path / "saved.ipynb")
    assert notebook.drift(tmp_path / "saved.ipynb") and notebook.drift(tmp_path / "missing.ipynb")


def test_test_cells_carry_grading_toml_points(config):
    cells = {_nbgrader_id(cell): cell for cell in notebook.build().cells if _nbgrader_id(cell)}
    for name, exercise in config.exercises.items():
        meta = cells[f"test-{name}"].metadata["nbgrader"]
        assert meta["grade"] and meta["locked"] and not meta["solution"] and meta["points"] == exercise.max_score
        assert "### BEGIN HIDDEN TESTS" in cells[f"test-{name}"].source
    solutions = [cell for cell in cells.values() if cell.metadata["nbgrader"]["solution"]]
    assert solutions and all("### BEGIN SOLUTION" in cell.source for cell in solutions)


def _cell(notebook_, grade_id):
    return next(cell for cell in notebook_.cells if _nbgrader_id(cell) == grade_id)


def test_released_notebook_checks_itself_with_the_student_release(tmp_path):
    """The notebook in `make release` runs the release's public checks, with no instructor engine."""
    from autograder.release import release

    release(tmp_path / "student")
    path = tmp_path / "student" / notebook.notebook_path().name
    released = nbformat.read(path, as_version=4)
    source = nbformat.read(notebook.notebook_path(), as_version=4)
    assert "HIDDEN TESTS" not in _cell(released, "test-forward").source
    for grade_id in ("mlp-sigmoid", "mlp-sigmoid_derivative", "mlp-MLP"):  # the student's answers
        _cell(released, grade_id).source = _cell(source, grade_id).source
    nbformat.write(released, path)
    test_cell = _cell(released, "test-forward").source.rstrip()
    assert not test_cell.endswith("\npoints")  # a bare number would show without its total (report() prints it)
    kernel = (_cell(released, "grading-helper").source + "\n" + test_cell
              + "\nprint('POINTS', points, [t['tags'][1] for t in graded.tests])")
    env = {key: value for key, value in os.environ.items() if not key.startswith("AUTOGRADER")}
    done = subprocess.run([sys.executable, "-c", kernel], cwd=path.parent, env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    public = sum(load(tmp_path / "student" / "grading.toml").exercises["forward"].points.values())
    assert f"POINTS {public:g} " in done.stdout.replace(f"{public:.1f}", f"{public:g}"), done.stdout
    assert "'hidden'" not in done.stdout  # the release holds no hidden grader to run


def test_released_notebook_outside_a_release_says_where_to_open_it(tmp_path):
    from autograder.release import release

    release(tmp_path / "student")
    alone = tmp_path / "alone"
    alone.mkdir()
    shutil.copy(tmp_path / "student" / notebook.notebook_path().name, alone)
    released = nbformat.read(alone / notebook.notebook_path().name, as_version=4)
    kernel = _cell(released, "grading-helper").source + "\n" + _cell(released, "test-sigmoid").source
    env = {key: value for key, value in os.environ.items() if not key.startswith("AUTOGRADER")}
    done = subprocess.run([sys.executable, "-c", kernel], cwd=alone, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode != 0 and "open day2_mlp.ipynb in the course repository" in done.stderr, done.stderr


def test_course_folder_away_from_the_engine_fails_loudly(tmp_path):
    away = tmp_path / "course"
    shutil.copytree(notebook.COURSE, away, ignore=shutil.ignore_patterns("release", "submitted", "autograded",
                                                                         "gradebook.db"))
    env = {key: value for key, value in os.environ.items() if not key.startswith("AUTOGRADER")}
    done = subprocess.run([sys.executable, "-m", "nbgrader", "db", "student", "list"], cwd=away, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode != 0 and "no instructor grading engine at" in done.stdout + done.stderr
    done = subprocess.run([sys.executable, "-m", "nbgrader", "db", "student", "list"], cwd=away,
                          env={**env, "AUTOGRADER_REPO": str(REPO)}, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
