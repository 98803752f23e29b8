"""The released notebook as a student runs it: its check cells speak `make check`'s words, grade
the notebook they run in, never refuse for want of a sandbox, and TensorFlow stays quiet."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from autograder import notebook  # noqa: E402
from autograder.config import load  # noqa: E402

NAME = notebook.notebook_path().name
LAPTOP = {"AUTOGRADER_SANDBOX": "none"}  # no sandbox at all, as on a Mac


@pytest.fixture(scope="module")
def student(tmp_path_factory) -> Path:
    from autograder.release import release

    repo = tmp_path_factory.mktemp("release") / "student"
    release(repo)
    return repo


def _cell(book, grade_id):
    return next(cell for cell in book.cells if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id)


def _run(book, folder: Path, env: dict, *, skip=()) -> list[str]:
    """Execute the notebook in a real kernel in `folder`; the text each code cell showed."""
    from nbclient import NotebookClient

    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    try:
        for cell in book.cells:
            if cell.cell_type == "code" and _cell_id(cell) in skip:
                cell.source = "pass"
        NotebookClient(book, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(folder)}}).execute()
    finally:
        for key, value in saved.items():
            os.environ.pop(key) if value is None else os.environ.__setitem__(key, value)
    return ["".join(output.get("text", "") + str(output.get("data", {}).get("text/plain", ""))
                    for output in cell.get("outputs", [])) for cell in book.cells if cell.cell_type == "code"]


def _cell_id(cell) -> str:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "")


def test_the_stub_notebook_runs_on_a_laptop_and_says_public_points_as_make_check_does(student):
    book = nbformat.read(student / NAME, as_version=4)
    shown = _run(book, student, LAPTOP)
    said = {_cell_id(cell): text for cell, text in zip([c for c in book.cells if c.cell_type == "code"], shown)}
    for exercise in ("sigmoid", "forward", "keras_mnist"):
        text = said[f"test-{exercise}"]
        assert re.search(rf"^Public checks of {exercise}: 0 / \d+ points$", text, re.M), text
        assert f"checking the code saved in {NAME}" in text and "plain process" in text, text
        assert not re.search(r"^Out|^\d+(\.\d+)?$", text, re.M), text  # no bare number without its total
    noise = [text for text in shown if re.search(r"oneDNN|cuda|TF_ENABLE|tensorflow/core", text)]
    assert not noise, noise


def test_a_copy_of_the_notebook_is_graded_as_itself(student, tmp_path):
    source = nbformat.read(notebook.notebook_path(), as_version=4)
    book = nbformat.read(student / NAME, as_version=4)
    _cell(book, "mlp-sigmoid").source = _cell(source, "mlp-sigmoid").source  # solved in the copy only
    copy = student / "mywork.ipynb"
    nbformat.write(book, copy)
    kernel = [cell for cell in book.cells if _cell_id(cell) in ("grading-helper", "test-sigmoid")]
    shown = _run(nbformat.v4.new_notebook(cells=kernel), student, {**LAPTOP, "JPY_SESSION_NAME": str(copy)})
    assert "checking the code saved in mywork.ipynb" in shown[1], shown[1]
    public = load(student / "grading.toml").exercises["sigmoid"].max_score  # the release's points are the public ones
    assert f"Public checks of sigmoid: {public:g} / {public:g} points" in shown[1], shown[1]
