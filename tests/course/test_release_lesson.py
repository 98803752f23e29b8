"""This lesson's student release: nothing of its solutions or hidden graders in it, its notebook
and lesson shipped, and no analytic backward pass (the engine's own release tests are
tests/test_release.py, on the toy course)."""

from pathlib import Path

import pytest
from support import REPO, run_cli
from test_release import assert_no_hidden_grader_line_or_name, assert_no_solution_line, released_texts

from autograder.config import load

# Solution lines that also occur, by coincidence, in engine code we publish on purpose and that
# say nothing about the answer. Each entry was reviewed.
GENERIC = {
    "return losses",  # report.py
    "a = np.asarray(a, dtype=float)",  # oracle.py: input conversion
    "rng = np.random.default_rng(seed)",  # graders/mnist.py: seeded sampling
}


@pytest.fixture(scope="module")
def release(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("release") / "student-repo"
    done = run_cli("release", str(out), "--instructor-repo", "course/day2-instructor", "--instructor-ref", "v2026.1")
    assert done.returncode == 0, done.stderr
    return out


def test_the_lessons_release_holds_its_lesson_stubs_and_notebook(release):
    files = set(released_texts(release))
    config = load(REPO / "grading.toml")
    assert {f"exercises/{module}.py" for module in config.modules()} <= files
    assert {f"lesson/{path.name}" for path in (REPO / "lesson").glob("*.md")} <= files
    if config.notebook:
        assert f"{config.notebook['name']}.ipynb" in files


def test_no_solution_line_of_the_lesson_appears_in_its_release(release):
    assert_no_solution_line(REPO, release, GENERIC)


def test_no_hidden_grader_line_or_name_of_the_lesson_appears_in_its_release(release):
    assert_no_hidden_grader_line_or_name(REPO, release)


def test_no_analytic_backward_pass_is_released(release):
    # mistakes.py writes out a correct backward() to derive wrong ones from: hidden graders only.
    assert not (release / "autograder" / "mistakes.py").exists()
    assert not (release / "autograder" / "graders" / "mistakes.py").exists()
    assert "backward_mistakes" not in "\n".join(released_texts(release).values())


def test_the_lessons_dataset_ships_when_a_released_module_names_it(release):
    assert "autograder/graders/mnist_small.npz" in set(released_texts(release))
