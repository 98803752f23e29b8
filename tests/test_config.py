"""grading.toml mistakes and bad input: one line naming what is wrong, exit status 2. On the toy
course's grading.toml (tests/toy/), whatever lesson the repository holds."""

import ast
import re
from pathlib import Path

import pytest
from support import REPO, TOY, TOY_CONFIG, grade, run_cli, toy_submission

from autograder.config import ConfigError, check_graders, load
from autograder.grade import discover

# The toy course's grading.toml, its graders named by their absolute path so that a copy loads anywhere.
TOML = TOY_CONFIG.read_text().replace('graders = "graders"', f'graders = "{TOY / "graders"}"', 1)
assert str(TOY / "graders") in TOML


def _config(tmp_path, text):
    path = tmp_path / "grading.toml"
    path.write_text(text)
    return path


@pytest.mark.parametrize("text, names", [
    (TOML.replace("hidden_visibility = ", "hiden_visibility = ", 1), "grading.hiden_visibility"),
    (TOML.replace("[exercise.scale]\n", "[exercise.scale]\ntimeout = 3\n", 1), "exercise.scale.timeout"),
    (TOML.replace("timeout_s = 10", 'timeout_s = "ten"', 1), "timeout_s"),
    (TOML.replace("test_scale_known_values = 2", 'test_scale_known_values = "two"', 1), "test_scale_known_values"),
    (TOML.replace("[exercise.scale]", "[exercise.scalee]", 1), "exercise.scalee"),
    (TOML.replace('hidden_visibility = "after_due_date"', 'hidden_visibility = "later"', 1), "hidden_visibility"),
    (TOML.replace("params = { rtol", "params = { rtoll = 1.0, rtol", 1), "rtoll"),
    ("[grading\nseed = 1", "not valid TOML"),
    (TOML.replace("[exercise.fit]\n", '[exercise.fit]\npreload = ["toy"]\n', 1), "exercise.fit.preload"),
    (TOML.replace("[exercise.fit]\n", '[exercise.fit]\npreload = ["numpy; import os"]\n', 1), "exercise.fit.preload"),
    (TOML.replace("[exercise.fit]\n", '[exercise.fit]\npreload = "numpy"\n', 1), "exercise.fit.preload"),
])
def test_config_mistakes_are_one_line_errors_naming_the_key(tmp_path, text, names):
    with pytest.raises(ConfigError, match=re.escape(names)):
        load(_config(tmp_path, text))
    done = run_cli("--config", str(tmp_path / "grading.toml"), "grade", str(TOY / "solutions"),
                   "--results", str(tmp_path / "r.json"))
    assert done.returncode == 2 and names in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "r.json").exists()


def test_a_grader_without_points_and_points_without_a_grader_are_errors(tmp_path):
    config = load(TOY_CONFIG)
    found = discover(config.graders)
    check_graders(config, found)
    found["scale"] = found["scale"] | {"test_scale_new_property"}
    with pytest.raises(ConfigError, match="test_scale_new_property"):
        check_graders(config, found)
    text = TOML.replace("test_scale_known_values = 2", "test_scale_known_values = 2\ntest_scale_ghost = 1", 1)
    done = run_cli("--config", str(_config(tmp_path, text)), "check", str(TOY / "solutions"), "--only", "scale")
    assert done.returncode == 2 and "test_scale_ghost" in done.stderr and "names no grader" in done.stderr


def test_the_shipped_config_matches_the_graders():
    """The lesson's grading.toml, whatever lesson the repository holds, fits its graders."""
    config = load(REPO / "grading.toml")
    check_graders(config, discover(config.graders))


def test_usage_errors_exit_2_with_one_line(tmp_path):
    toy = ["--config", str(TOY_CONFIG)]
    for args, says in ((toy + ["grade", str(tmp_path / "nowhere"), "--results", str(tmp_path / "r.json")], "no such folder"),
                       (toy + ["grade", str(TOY / "solutions"), "--results", str(tmp_path / "r.json"), "--only", "scalee"],
                        "unknown exercise"),
                       (["--config", str(tmp_path / "missing.toml"), "check"], "file not found")):
        done = run_cli(*args)
        assert done.returncode == 2 and says in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_a_missing_file_scores_zero_on_its_exercises_with_a_message(tmp_path):
    submission = toy_submission(tmp_path / "only-toy", words=None)
    results = grade(submission, tmp_path / "r.json", "--only", "scale,shout", config=TOY_CONFIG)
    words = [t for t in results["tests"] if t["tags"][0] == "shout"]
    assert words and all(t["score"] == 0 and "words.py is not in the submission" in t["output"] for t in words)
    assert all(t["status"] == "passed" for t in results["tests"] if t["tags"][0] == "scale")
    assert "words.py is missing" in results["output"]


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


def named_exercises(path: Path, exercises: set[str], modules: set[str]) -> list[str]:
    """The exercises and modules a file of the engine names as code: a string that is one (a
    docstring or a comment using the same word is prose, not a name), `<module>.py`, `test_<exercise>`,
    `[exercise.<exercise>]`, or an import of a module."""
    texts, imported = [], set()
    if path.suffix == ".py":
        tree = ast.parse(path.read_text())
        prose = {id(node.body[0].value) for node in ast.walk(tree)
                 if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                 and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
        texts = [node.value for node in ast.walk(tree)
                 if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in prose]
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                imported |= {part for alias in node.names for part in alias.name.split(".")}
            elif isinstance(node, ast.ImportFrom):
                imported |= set((node.module or "").split(".")) | {alias.name for alias in node.names}
    else:
        texts = [path.read_text()]
    found = {module for module in modules if module in imported}
    for text in texts:
        found |= {name for name in exercises | modules if text.strip() == name}
        found |= {module for module in modules if re.search(rf"(?<![\w.]){re.escape(module)}\.py\b", text)}
        found |= {name for name in exercises if re.search(rf"\btest_{re.escape(name)}(_|\b)|\[exercise\.{re.escape(name)}\]"
                                                          rf"|EX={re.escape(name)}\b|--only {re.escape(name)}\b", text)}
    return sorted(found)


def test_no_engine_module_or_template_names_an_exercise_of_the_course(config, toy_config):
    templates = [path for path in (REPO / "autograder" / "templates").rglob("*") if path.is_file()]
    for course in (config, toy_config):
        exercises, modules = set(course.exercises), set(course.modules())
        for path in [REPO / "autograder" / f"{module}.py" for module in ENGINE] + templates:
            assert not named_exercises(path, exercises, modules), f"{path.relative_to(REPO)} names them"


def test_naming_an_exercise_is_told_from_prose_about_it(tmp_path):
    engine = tmp_path / "engine.py"
    engine.write_text('"""Compares the gradient with finite differences."""\n# the gradient, again\n'
                      'def check(student):\n    """The gradient."""\n    return "gradient of the loss"\n')
    assert named_exercises(engine, {"gradient"}, {"calculus"}) == []
    for code in ('student.call("gradient")', 'open("calculus.py")', "import calculus", '"test_gradient_values"'):
        engine.write_text(f"def check(student):\n    return {code}\n" if "import" not in code else code + "\n")
        assert named_exercises(engine, {"gradient"}, {"calculus"}), code
    template = tmp_path / "Makefile"
    template.write_text("check:\n\tmake check EX=gradient\n")
    assert named_exercises(template, {"gradient"}, {"calculus"}) == ["gradient"]


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
