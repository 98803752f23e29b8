"""The repository's own promises: stubs generated from solutions, one contract in both trees."""

import ast
import json
import subprocess
import sys

from conftest import REPO, exercise_scores, grade, run_cli

from autograder import stubs


def test_exercises_do_not_drift_from_solutions():
    assert stubs.drift(REPO / "solutions", REPO / "exercises") == [], "run `make generate` and commit exercises/"


def test_generate_check_reports_drift(tmp_path):
    (tmp_path / "solutions").mkdir()
    (tmp_path / "solutions" / "demo.py").write_text(
        'def f(x):\n    """Doc."""\n    # TODO: hint\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION\n')
    assert stubs.drift(tmp_path / "solutions", tmp_path / "exercises") == ["demo.py"]
    stubs.write(tmp_path / "solutions", tmp_path / "exercises")
    text = (tmp_path / "exercises" / "demo.py").read_text()
    assert 'raise NotImplementedError("f is not implemented yet")' in text and "return x" not in text
    assert "# TODO: hint" in text and stubs.drift(tmp_path / "solutions", tmp_path / "exercises") == []


def _interface(path):
    """{qualified name: (arguments, docstring)} for every function and class in a module."""
    found = {}
    tree = ast.parse(path.read_text())
    top = [n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))]
    for node in top + [m for c in top if isinstance(c, ast.ClassDef) for m in c.body if isinstance(m, ast.FunctionDef)]:
        args = ast.dump(node.args) if isinstance(node, ast.FunctionDef) else ""
        found[node.name] = (args, ast.get_docstring(node))
    constants = {t.id for n in tree.body if isinstance(n, ast.Assign) for t in n.targets if isinstance(t, ast.Name)}
    return found, constants


def test_contract_is_identical_in_both_trees():
    for name in ("mlp.py", "mnist_keras.py"):
        assert _interface(REPO / "solutions" / name) == _interface(REPO / "exercises" / name)
    functions, constants = _interface(REPO / "solutions" / "mlp.py")
    assert {"sigmoid", "sigmoid_derivative", "MLP", "__init__", "forward", "backward", "train", "predict",
            "train_xor"} <= set(functions)
    assert {"XOR_INPUTS", "XOR_LABELS"} <= constants
    assert all(doc for _, doc in functions.values()), "every function a student reads has a docstring"


def test_every_stub_fails_loudly():
    for name in ("mlp.py", "mnist_keras.py"):
        text = (REPO / "exercises" / name).read_text()
        assert "BEGIN SOLUTION" not in text and "\n    pass\n" not in text
        assert text.count("is not implemented yet") >= 3


def test_reference_scores_full_marks(tmp_path, config):
    results = grade(REPO / "solutions", tmp_path / "results.json", "--only", "sigmoid,sigmoid_derivative,forward,backward,train_xor")
    assert results["tests"] and all(t["status"] == "passed" for t in results["tests"]), [
        (t["name"], t["output"]) for t in results["tests"] if t["status"] != "passed"]
    assert results["score"] == sum(t["max_score"] for t in results["tests"])


def test_stubs_score_zero_and_say_not_implemented(tmp_path):
    results = grade(REPO / "exercises", tmp_path / "results.json", "--only", "sigmoid,sigmoid_derivative,forward,backward,train_xor")
    assert results["score"] == 0 and set(exercise_scores(results)) == {"sigmoid", "sigmoid_derivative", "forward", "backward", "train_xor"}
    assert all("not implemented yet" in t["output"] for t in results["tests"])


def test_check_on_stubs_exits_nonzero_with_a_table():
    done = run_cli("check", "exercises", "--only", "sigmoid,forward")
    assert done.returncode == 1
    assert "sigmoid is not implemented yet" in done.stdout and "Traceback" not in done.stdout + done.stderr


def test_check_on_solutions_passes():
    done = run_cli("check", "solutions", "--only", "sigmoid,sigmoid_derivative,forward,backward,train_xor")
    assert done.returncode == 0, done.stdout
    assert "passed" in done.stdout and "hidden checks" in done.stdout


def test_numpy_checks_never_import_tensorflow(tmp_path):
    probe = ("import sys, runpy; sys.argv = ['autograder', 'check', 'solutions', '--only', 'sigmoid,forward'];\n"
             "try:\n    runpy.run_module('autograder', run_name='__main__')\nexcept SystemExit:\n    pass\n"
             "print('tensorflow' in sys.modules, 'keras' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True)
    assert done.stdout.strip().splitlines()[-1] == "False False", done.stdout + done.stderr


def test_results_json_is_gradescope_shaped(tmp_path):
    results = grade(REPO / "solutions", tmp_path / "r.json", "--only", "sigmoid", "--junit", str(tmp_path / "j.xml"),
                    "--summary", str(tmp_path / "s.md"))
    assert set(results) >= {"score", "execution_time", "output", "tests", "extra_data"}
    for test in results["tests"]:
        assert set(test) == {"name", "score", "max_score", "status", "output", "visibility", "tags", "number"}
        assert test["tags"][0] == "sigmoid" and test["visibility"] in ("visible", "after_due_date")
    assert {"seed", "engine_version"} <= set(results["extra_data"])
    assert "<testsuites" in (tmp_path / "j.xml").read_text() and "| `sigmoid` |" in (tmp_path / "s.md").read_text()
    json.dumps(results)


def test_grade_all_refuses_to_run_unsandboxed_without_consent(tmp_path):
    (tmp_path / "subs" / "alice").mkdir(parents=True)
    done = run_cli("grade-all", str(tmp_path / "subs"), "--out", str(tmp_path / "out"), env={"AUTOGRADER_SANDBOX": "none"})
    assert done.returncode == 2 and "bubblewrap is not available" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_hidden_checks_never_show_a_students_own_exception_text():
    from autograder.handle import StudentError
    from autograder.plugin import verdict

    leak = StudentError("NotImplementedError", "inputs were [[0.12, 0.34]]", "mlp.py line 3, in forward")
    assert verdict(leak, public=False) == ("not implemented", "not implemented yet", 0.0)
    assert "0.12" in verdict(leak, public=True)[1]
    stub = StudentError("NotImplementedError", "forward is not implemented yet", "")
    assert verdict(stub, public=False)[1] == "not implemented yet"  # a stub-shaped message could carry text too
    raised = StudentError("ValueError", "bad [[0.12]]", "mlp.py line 3, in forward")
    assert verdict(raised, public=False)[1] == "your code raised ValueError"  # no line: its number is chosen too


def test_the_run_seed_depends_on_the_code_not_on_only(tmp_path):
    # nbgrader's test cells grade one exercise at a time: they must see the inputs a full run sees.
    seeds = {grade(REPO / "solutions", tmp_path / f"{only}.json", "--only", only)["extra_data"]["seed"]
             for only in ("sigmoid", "forward")}
    assert len(seeds) == 1
    other = grade(REPO / "exercises", tmp_path / "stub.json", "--only", "sigmoid")["extra_data"]["seed"]
    assert other not in seeds
