"""Every exercise the course declares gets the same checks, whatever it is: the list comes from
grading.toml, so a new exercise is covered by adding it there (and its solution and graders).

Per exercise: the reference earns full marks, the stub earns nothing and says "not implemented",
and no-work versions of its code (each solution block replaced by a body that does no work)
earn nothing. Per module: the stub is what solutions/ generates, with the same functions,
signatures and docstrings, and every stub fails loudly. The release-leak checks
(test_release.py) and the hostile corpus (test_hostile.py) read the same configuration.

TEST_EXERCISES=relu,... limits this file to those exercises (and grades only them): the quick
way to check a new one.
"""

from __future__ import annotations

import ast
import os

import pytest
from support import REPO, exercise_scores, grade_folders

from autograder import generate, stubs
from autograder.config import load

COURSE = load(REPO / "grading.toml")
ONLY = [name for name in os.environ.get("TEST_EXERCISES", "").split(",") if name]
assert set(ONLY) <= set(COURSE.exercises), f"TEST_EXERCISES names no exercise of grading.toml: {set(ONLY) - set(COURSE.exercises)}"
EXERCISES = ONLY or list(COURSE.exercises)
MODULES = list(dict.fromkeys(COURSE.exercises[name].module for name in EXERCISES))
MARK_BEGIN, MARK_END = "### BEGIN SOLUTION", "### END SOLUTION"
# Bodies that do no work, each put in place of every solution block: nothing, the input back, a constant.
NO_WORK = {"does-nothing": "pass", "returns-its-input": "return {arg}", "returns-a-constant": "return 0.5"}


def _grade_all(folders: dict[str, dict[str, str]], tmp_path) -> dict[str, dict]:
    """{name: results.json} for submissions {name: {file: text}}, graded in one grade-all run."""
    for name, files in folders.items():
        (tmp_path / "subs" / name).mkdir(parents=True)
        for file, text in files.items():
            (tmp_path / "subs" / name / file).write_text(text)
    only = ("--only", ",".join(EXERCISES)) if ONLY else ()
    return grade_folders(tmp_path / "subs", tmp_path / "out", *only)


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> dict[str, dict]:
    """The reference, the stubs and one no-work version of every module per NO_WORK body."""
    folders = {"reference": {f"{m}.py": (REPO / "solutions" / f"{m}.py").read_text() for m in MODULES},
               "stubs": {f"{m}.py": (REPO / "exercises" / f"{m}.py").read_text() for m in MODULES}}
    for kind, body in NO_WORK.items():
        folders[kind] = {f"{m}.py": no_work((REPO / "solutions" / f"{m}.py").read_text(), body) for m in MODULES}
    return _grade_all(folders, tmp_path_factory.mktemp("course"))


def no_work(source: str, body: str) -> str:
    """source with every solution block replaced by `body` ({arg}: the function's first argument
    after self, or None), at the block's indentation."""
    lines = source.splitlines()
    first_arg = {}
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef):
            names = [a.arg for a in node.args.posonlyargs + node.args.args if a.arg not in ("self", "cls")]
            for number in range(node.lineno, (node.end_lineno or node.lineno) + 1):
                first_arg[number] = names[0] if names else "None"
    out, inside = [], False
    for number, line in enumerate(lines, start=1):
        if line.strip() == MARK_BEGIN:
            inside = True
            out.append(line[:len(line) - len(line.lstrip())] + body.format(arg=first_arg.get(number, "None")))
        elif line.strip() == MARK_END:
            inside = False
        elif not inside:
            out.append(line)
    return "\n".join(out) + "\n"


def test_the_course_declares_its_exercises():
    assert EXERCISES and MODULES
    for name in EXERCISES:
        assert (REPO / "solutions" / f"{COURSE.exercises[name].module}.py").is_file(), name


@pytest.mark.parametrize("exercise", EXERCISES)
def test_reference_earns_full_marks(graded, exercise):
    results = graded["reference"]
    tests = [t for t in results["tests"] if t["tags"][0] == exercise]
    assert tests and all(t["status"] == "passed" for t in tests), [(t["name"], t["output"]) for t in tests
                                                                  if t["status"] != "passed"]
    assert exercise_scores(results)[exercise] == COURSE.exercises[exercise].max_score


@pytest.mark.parametrize("exercise", EXERCISES)
def test_stub_earns_nothing_and_says_not_implemented(graded, exercise):
    tests = [t for t in graded["stubs"]["tests"] if t["tags"][0] == exercise]
    assert tests and exercise_scores(graded["stubs"])[exercise] == 0
    assert all("not implemented yet" in t["output"] for t in tests), [t["name"] for t in tests]


@pytest.mark.parametrize("kind", NO_WORK)
@pytest.mark.parametrize("exercise", EXERCISES)
def test_code_that_does_no_work_earns_nothing(graded, exercise, kind):
    kept = {t["name"]: t["score"] for t in graded[kind]["tests"] if t["tags"][0] == exercise and t["score"]}
    assert exercise_scores(graded[kind])[exercise] == 0, f"{kind} kept {kept}"


@pytest.mark.parametrize("module", MODULES)
def test_stub_is_what_the_solution_generates(module):
    expected = stubs.stub_source((REPO / "solutions" / f"{module}.py").read_text())
    assert (REPO / "exercises" / f"{module}.py").read_text() == expected, "run `make generate` and commit exercises/"


def test_every_generated_file_is_up_to_date():
    assert generate.drifted(generate.outputs(COURSE, REPO)) == [], "run `make generate` and commit what it wrote"


def _interface(path):
    """{qualified name: (arguments, docstring)} for every function, class and method of a module."""
    found = {}
    tree = ast.parse(path.read_text())
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            found[node.name] = (ast.dump(node.args) if isinstance(node, ast.FunctionDef) else "", ast.get_docstring(node))
        if isinstance(node, ast.ClassDef):
            found.update({f"{node.name}.{item.name}": (ast.dump(item.args), ast.get_docstring(item))
                          for item in node.body if isinstance(item, ast.FunctionDef)})
    return found


@pytest.mark.parametrize("module", MODULES)
def test_contract_is_identical_in_both_trees(module):
    solution = _interface(REPO / "solutions" / f"{module}.py")
    assert solution == _interface(REPO / "exercises" / f"{module}.py")
    assert all(doc for _, doc in solution.values()), "every function a student reads has a docstring"


@pytest.mark.parametrize("module", MODULES)
def test_every_stub_fails_loudly(module):
    text = (REPO / "exercises" / f"{module}.py").read_text()
    blocks = (REPO / "solutions" / f"{module}.py").read_text().count(MARK_BEGIN)
    assert MARK_BEGIN not in text and "\n    pass\n" not in text
    assert text.count("is not implemented yet") == blocks
