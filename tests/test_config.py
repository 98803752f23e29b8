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
    (TOML.replace('preload = ["keras"]', 'preload = ["mlp"]', 1), "exercise.keras_mnist.preload"),
    (TOML.replace('preload = ["keras"]', 'preload = ["keras; import os"]', 1), "exercise.keras_mnist.preload"),
    (TOML.replace('preload = ["keras"]', 'preload = "keras"', 1), "exercise.keras_mnist.preload"),
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


def test_the_course_declares_exercises_and_their_parameters(tmp_path):
    """An exercise is a grading.toml table with graders; its parameters are what the graders read."""
    graders = tmp_path / "graders"
    (graders / "public").mkdir(parents=True)
    (graders / "public" / "test_toy.py").write_text(
        "def test_toy_doubles(student, cfg):\n    assert student.call('double', cfg.scale) == 2 * cfg.scale\n")
    course = ('[grading]\ngraders = "graders"\n[exercise.toy]\nmodule = "toy"\nparams = { scale = 3 }\n'
              "[exercise.toy.points]\ntest_toy_doubles = 1\n")
    config = load(_config(tmp_path, course))
    assert list(config.exercises) == ["toy"] and config.exercises["toy"].scale == 3 and config.graders == graders
    with pytest.raises(ConfigError, match=r"missing 'scale', which public/test_toy.py reads"):
        load(_config(tmp_path, course.replace("params = { scale = 3 }\n", "")))
    with pytest.raises(ConfigError, match=r"'\[exercise.toyy\]' has no graders: write .*public/test_toyy.py"):
        load(_config(tmp_path, course.replace("exercise.toy", "exercise.toyy")))
    # A student release has no hidden graders: parameters only they read are not called unknown.
    assert load(_config(tmp_path, course.replace("scale = 3", "scale = 3, hidden_only = 1"))).exercises["toy"]
    (graders / "hidden").mkdir()
    with pytest.raises(ConfigError, match="unknown key 'exercise.toy.params.hidden_only'"):
        load(_config(tmp_path, course.replace("scale = 3", "scale = 3, hidden_only = 1")))


# The engine is every module at the top of autograder/; the course's grading support is in
# autograder/graders/, next to its graders.
ENGINE = sorted(path.stem for path in (REPO / "autograder").glob("*.py"))


def test_no_engine_module_or_template_names_an_exercise_of_the_course(config):
    import re

    names = set(config.exercises) | {exercise.module for exercise in config.exercises.values()}
    templates = [path for path in (REPO / "autograder" / "templates").rglob("*") if path.is_file()]
    for path in [REPO / "autograder" / f"{module}.py" for module in ENGINE] + templates:
        text = path.read_text()
        found = sorted(name for name in names if re.search(rf"\b{re.escape(name)}\b", text))
        assert not found, f"{path.relative_to(REPO)} names {found}"


def test_the_engine_imports_nothing_of_the_course():
    """The course's support (autograder/graders/) imports the engine, never the other way round;
    report.py reaches the course's figures only through the file grading.toml's graders folder has."""
    import ast

    for module in ENGINE:
        tree = ast.parse((REPO / "autograder" / f"{module}.py").read_text())
        imported = {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)} | {
            alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
        assert not {name for name in imported if name.startswith(("graders", "autograder.graders"))}, module


def test_the_engine_modules_import_no_cycle():
    """cli.py calls the modules that do the work; none of them imports cli.py back."""
    import ast

    for module in ENGINE:
        path = REPO / "autograder" / f"{module}.py"
        if module in ("cli", "__main__") or not path.exists():
            continue
        imported = {node.module for node in ast.walk(ast.parse(path.read_text()))
                    if isinstance(node, ast.ImportFrom) and node.module}
        assert "cli" not in imported and "autograder.cli" not in imported, f"autograder/{module}.py imports the CLI"
