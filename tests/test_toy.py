"""The engine's toy course (tests/toy/) is what the engine's tests assume: the reference earns every
point, the generated stubs none, and its stubs are what `generate` makes of its solutions."""

from __future__ import annotations

from support import TOY, TOY_SOLUTION, TOY_STUB, exercise_scores, grade, toy_submission

from autograder.stubs import stub_source


def test_toy_reference_earns_every_point_and_stubs_none(toy_repo, toy_config, tmp_path):
    full = grade(toy_submission(tmp_path / "reference"), tmp_path / "reference.json", cwd=toy_repo)
    assert exercise_scores(full) == {name: exercise.max_score for name, exercise in toy_config.exercises.items()}
    empty = grade(toy_submission(tmp_path / "stub", TOY_STUB), tmp_path / "stub.json", cwd=toy_repo)
    assert exercise_scores(empty) == dict.fromkeys(toy_config.exercises, 0.0)


def test_toy_course_has_what_engine_tests_need(toy_config):
    exercises = toy_config.exercises
    assert any(exercise.standins for exercise in exercises.values()), "an exercise graded with a stand-in"
    hidden_only = [name for name in exercises if not (TOY / "graders" / "public" / f"test_{name}.py").exists()]
    assert hidden_only, "a hidden-only exercise"
    assert min(exercise.timeout_s for exercise in exercises.values()) <= 2, "a slow exercise with a short limit"


def test_toy_stubs_are_generated_from_its_solutions():
    assert stub_source(TOY_SOLUTION) == TOY_STUB
