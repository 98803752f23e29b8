"""The repository's own promises: generation all or nothing, the CLI's exits, results shaped for Gradescope
(the per-exercise checks of every exercise are in test_course.py). Grading runs on the toy course (tests/toy/)."""

import json
import os
import subprocess
import sys

import pytest
from support import TOY, TOY_CONFIG, TOY_STUB, WORDS_STUB, grade, run_cli, toy_submission

from autograder import generate, stubs
from autograder.config import load


def test_generate_check_reports_drift(tmp_path):
    (tmp_path / "solutions").mkdir()
    (tmp_path / "solutions" / "demo.py").write_text(
        'def f(x):\n    """Doc."""\n    # TODO: hint\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION\n')
    assert stubs.drift(tmp_path / "solutions", tmp_path / "exercises") == ["demo.py"]
    generate.write(stubs.generate(tmp_path / "solutions", tmp_path / "exercises"))
    text = (tmp_path / "exercises" / "demo.py").read_text()
    assert 'raise NotImplementedError("f is not implemented yet")' in text and "return x" not in text
    assert "# TODO: hint" in text and stubs.drift(tmp_path / "solutions", tmp_path / "exercises") == []


def _toy_course(folder):
    """A course of two modules, a and b, one exercise each, no notebook."""
    for name in ("a", "b"):
        (folder / "graders" / "public").mkdir(parents=True, exist_ok=True)
        (folder / "graders" / "public" / f"test_{name}.py").write_text(f"def test_{name}_works(student):\n    pass\n")
        (folder / "solutions").mkdir(exist_ok=True)
        (folder / "solutions" / f"{name}.py").write_text(
            f'"""Module {name}."""\n\n\ndef {name}(x):\n    """Doc."""\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION\n')
    (folder / "grading.toml").write_text('[grading]\ngraders = "graders"\n' + "".join(
        f'[exercise.{name}]\nmodule = "{name}"\n[exercise.{name}.points]\ntest_{name}_works = 1\n' for name in "ab"))
    return load(folder / "grading.toml")


def test_generate_writes_every_output_or_none(tmp_path):
    config = _toy_course(tmp_path)
    (tmp_path / "solutions" / "b.py").write_text("def b(x:\n")  # a solution that does not compile
    with pytest.raises(generate.GenerateError) as error:
        generate.write(generate.outputs(config, tmp_path))
    message = str(error.value)
    assert message.startswith("solutions/b.py:1: ") and "nothing was written" in message and "\n" not in message
    assert not (tmp_path / "exercises").exists()  # a.py, which could be made, was not written either

    (tmp_path / "solutions" / "b.py").write_text("def b(x):\n    return x\n")  # forgot the markers
    with pytest.raises(generate.GenerateError, match=r"^solutions/b.py has no ### BEGIN SOLUTION block"):
        generate.outputs(config, tmp_path)
    (tmp_path / "solutions" / "b.py").unlink()
    with pytest.raises(generate.GenerateError, match=r"^solutions/b.py is missing .*module"):
        generate.outputs(config, tmp_path)


def test_generate_names_the_notebook_setting_that_does_not_fit(tmp_path):
    config = _toy_course(tmp_path)
    (tmp_path / "lesson.md").write_text("# Lesson\n\n### One\n\ntext\n")
    with open(tmp_path / "grading.toml", "a") as toml:
        toml.write('[notebook]\nname = "toy"\nlesson = "lesson.md"\nsections = { "a:header" = "### Two" }\n')
    with pytest.raises(generate.GenerateError) as error:
        generate.outputs(load(tmp_path / "grading.toml"), tmp_path)
    message = str(error.value)
    assert "the lesson has no heading '### Two' (for a:header)" in message and "\n" not in message
    assert not (tmp_path / "exercises").exists()


def test_check_on_stubs_exits_nonzero_with_a_table():
    done = run_cli("--config", str(TOY_CONFIG), "check", str(TOY / "exercises"), "--only", "scale,predict")
    assert done.returncode == 1
    assert "scale is not implemented yet" in done.stdout and "Traceback" not in done.stdout + done.stderr


def test_check_on_solutions_passes():
    done = run_cli("--config", str(TOY_CONFIG), "check", str(TOY / "solutions"))
    assert done.returncode == 0, done.stdout
    assert "passed" in done.stdout and "hidden checks" in done.stdout


def test_numpy_checks_never_import_tensorflow(tmp_path):
    probe = (f"import sys, runpy; sys.argv = ['autograder', '--config', {str(TOY_CONFIG)!r}, 'check', "
             f"{str(TOY / 'solutions')!r}];\n"
             "try:\n    runpy.run_module('autograder', run_name='__main__')\nexcept SystemExit:\n    pass\n"
             "print('tensorflow' in sys.modules, 'keras' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(TOY.parent.parent)})
    assert "scale" in done.stdout and done.stdout.strip().splitlines()[-1] == "False False", done.stdout + done.stderr


def test_results_json_is_gradescope_shaped(tmp_path):
    results = grade(TOY / "solutions", tmp_path / "r.json", "--only", "scale", "--junit", str(tmp_path / "j.xml"),
                    "--summary", str(tmp_path / "s.md"), config=TOY_CONFIG)
    assert set(results) >= {"score", "execution_time", "output", "tests", "extra_data"}
    for test in results["tests"]:
        assert set(test) == {"name", "score", "max_score", "status", "output", "visibility", "tags", "number"}
        assert test["tags"][0] == "scale" and test["visibility"] in ("visible", "after_due_date")
    assert {"seed", "engine_version"} <= set(results["extra_data"])
    assert "<testsuites" in (tmp_path / "j.xml").read_text() and "| `scale` |" in (tmp_path / "s.md").read_text()
    json.dumps(results)


def test_grade_all_refuses_to_run_unsandboxed_without_consent(tmp_path):
    (tmp_path / "subs" / "alice").mkdir(parents=True)
    done = run_cli("grade-all", str(tmp_path / "subs"), "--out", str(tmp_path / "out"), env={"AUTOGRADER_SANDBOX": "none"})
    assert done.returncode == 2 and "no sandbox here" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_hidden_checks_never_show_a_students_own_exception_text():
    from autograder.handle import StudentError
    from autograder.plugin import verdict

    leak = StudentError("NotImplementedError", "inputs were [[0.12, 0.34]]", "toy.py line 3, in predict")
    assert verdict(leak, public=False) == ("not implemented", "not implemented yet", 0.0)
    assert "0.12" in verdict(leak, public=True)[1]
    stub = StudentError("NotImplementedError", "predict is not implemented yet", "")
    assert verdict(stub, public=False)[1] == "not implemented yet"  # a stub-shaped message could carry text too
    raised = StudentError("ValueError", "bad [[0.12]]", "toy.py line 3, in predict")
    assert verdict(raised, public=False)[1] == "your code raised ValueError"  # no line: its number is chosen too


def test_the_run_seed_depends_on_the_code_not_on_only(tmp_path, toy_repo):
    # nbgrader's test cells grade one exercise at a time: they must see the inputs a full run sees.
    reference = toy_submission(tmp_path / "reference")
    seeds = {grade(reference, tmp_path / f"{only}.json", "--only", only, cwd=toy_repo)["extra_data"]["seed"]
             for only in ("scale", "predict")}
    assert len(seeds) == 1
    stubs_folder = toy_submission(tmp_path / "stubs", TOY_STUB, WORDS_STUB)
    other = grade(stubs_folder, tmp_path / "stub.json", "--only", "scale", cwd=toy_repo)["extra_data"]["seed"]
    assert other not in seeds
