"""grading.toml mistakes and bad input: one line naming what is wrong, exit status 2."""

import re

import pytest
from conftest import REPO, grade, make_submission, run_cli

from autograder.config import ConfigError, check_graders, load
from autograder.grade import discover

TOML = (REPO / "grading.toml").read_text()


def _config(tmp_path, text):
    path = tmp_path / "grading.toml"
    path.write_text(text)
    return path


@pytest.mark.parametrize("text, names", [
    (TOML.replace("hidden_visibility = ", "hiden_visibility = ", 1), "grading.hiden_visibility"),
    (TOML.replace("[exercise.sigmoid]\n", "[exercise.sigmoid]\ntimeout = 3\n", 1), "exercise.sigmoid.timeout"),
    (TOML.replace("timeout_s = 10", 'timeout_s = "ten"', 1), "timeout_s"),
    (TOML.replace("test_sigmoid_known_values = 2", 'test_sigmoid_known_values = "two"', 1), "test_sigmoid_known_values"),
    (TOML.replace("[exercise.sigmoid]", "[exercise.sigmoidd]", 1), "exercise.sigmoidd"),
    (TOML.replace('hidden_visibility = "after_due_date"', 'hidden_visibility = "later"', 1), "hidden_visibility"),
    (TOML.replace("params = { rtol", "params = { rtoll = 1.0, rtol", 1), "rtoll"),
    ("[grading\nseed = 1", "not valid TOML"),
])
def test_config_mistakes_are_one_line_errors_naming_the_key(tmp_path, text, names):
    with pytest.raises(ConfigError, match=re.escape(names)):
        load(_config(tmp_path, text))
    done = run_cli("--config", str(tmp_path / "grading.toml"), "grade", "solutions", "--results", str(tmp_path / "r.json"))
    assert done.returncode == 2 and names in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "r.json").exists()


def test_a_grader_without_points_and_points_without_a_grader_are_errors(tmp_path):
    config = load(REPO / "grading.toml")
    found = discover()
    found["sigmoid"] = found["sigmoid"] | {"test_sigmoid_new_property"}
    with pytest.raises(ConfigError, match="test_sigmoid_new_property"):
        check_graders(config, found)
    text = TOML.replace("test_sigmoid_known_values = 2", "test_sigmoid_known_values = 2\ntest_sigmoid_ghost = 1", 1)
    done = run_cli("--config", str(_config(tmp_path, text)), "check", "solutions", "--only", "sigmoid")
    assert done.returncode == 2 and "test_sigmoid_ghost" in done.stderr and "names no grader" in done.stderr


def test_the_shipped_config_matches_the_graders():
    check_graders(load(REPO / "grading.toml"), discover())


def test_usage_errors_exit_2_with_one_line(tmp_path):
    for args, says in ((["grade", str(tmp_path / "nowhere"), "--results", str(tmp_path / "r.json")], "no such folder"),
                       (["grade", "solutions", "--results", str(tmp_path / "r.json"), "--only", "sigmoidd"], "unknown exercise"),
                       (["--config", str(tmp_path / "missing.toml"), "check"], "file not found")):
        done = run_cli(*args)
        assert done.returncode == 2 and says in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_a_missing_file_scores_zero_on_its_exercises_with_a_message(tmp_path):
    submission = make_submission(tmp_path / "only-mlp", mlp=(REPO / "solutions" / "mlp.py").read_text())
    results = grade(submission, tmp_path / "r.json", "--only", "sigmoid,keras_mnist")
    keras = [t for t in results["tests"] if t["tags"][0] == "keras_mnist"]
    assert keras and all(t["score"] == 0 and "mnist_keras.py is not in the submission" in t["output"] for t in keras)
    assert all(t["status"] == "passed" for t in results["tests"] if t["tags"][0] == "sigmoid")
    assert "mnist_keras.py is missing" in results["output"]
