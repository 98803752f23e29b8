"""`make validate-graders` (autograder/validate.py) on the toy course: everything from grading.toml
and solutions/, a weak grader found, a course probe setting equivalent mutants aside, a one-line
error for a missing solution file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from support import toy_repository

# A grader that looks at the shape only: zeros of the right shape and x / factor keep its points.
WEAK = '''"""Public checks for scale(x, factor), too weak."""

import numpy as np

from autograder.checks import as_array, check


def test_scale_known_values(student, cfg):
    """scale returns an array"""
    x = np.array([[1.0, -2.0], [3.5, 0.0]])
    check(as_array(student.call("scale", x, 2.0), "scale(x, 2.0)").shape == x.shape, "wrong shape")


def test_scale_keeps_shape(student, cfg, rng):
    """scale returns an array shaped like its input"""
    x = rng.normal(size=(2, 3, 4))
    check(as_array(student.call("scale", x, -1.5), "scale(x, -1.5)").shape == x.shape, "wrong shape")
'''
# The course's probe: scale of the mutant against the reference on a few inputs.
PROBE = '''import importlib.util, json, sys
import numpy as np

def load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module

if sys.argv[1] == "--extra":  # one no-work mutant of the course's own: scale gives x back, as floats
    print(json.dumps([{"exercise": "scale", "description": "no work: x as floats (toy's own)", "must_lose": None,
                       "bodies": {"scale": "return np.asarray(x, dtype=float)"}}]))
    raise SystemExit(0)
module, reference, mutant = sys.argv[1:]
want, got = load(reference, "reference"), load(mutant, "mutant")
inputs = [(np.arange(6.0).reshape(2, 3), 2.5), (np.array([1, 2]), -3.0)]
try:
    same = all(np.allclose(want.scale(x, f), got.scale(x, f)) for x, f in inputs)
except Exception:
    same = False
print(json.dumps({"verdict": "equivalent" if same else "changed", "why": "scale on two inputs"}))
'''


def validate(repo: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "autograder.validate", "--jobs", "2", *args], cwd=repo,
                          capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def toy(tmp_path_factory) -> Path:
    repo = toy_repository(tmp_path_factory.mktemp("validate") / "repo")
    (repo / "probe.py").write_text(PROBE)
    return repo


def test_a_probe_sets_equivalent_mutants_aside_and_the_toy_graders_pass(toy):
    done = validate(toy, "--exercise", "scale", "--probe", "probe.py")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "operator and 6 no-work mutants of solutions/toy.py" in done.stdout
    assert "no-work mutants: 6/6 lose every point of their exercise" in done.stdout
    assert "no work: x as floats (toy's own)" in done.stdout
    assert "% of the counted mutants killed" in done.stdout and "FAIL" not in done.stdout
    assert "equivalent: `np.asarray(x, dtype=float)`: drop dtype=" in done.stdout, done.stdout


def test_without_a_probe_a_mutant_that_keeps_full_marks_is_a_survivor(toy):
    done = validate(toy, "--exercise", "scale")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "FAIL" in done.stdout and "drop dtype=: SURVIVED: keeps full marks (is it equivalent? a --probe can say)" \
        in done.stdout, done.stdout


def test_a_weak_grader_is_found(tmp_path):
    repo = toy_repository(tmp_path / "repo")
    (repo / "autograder" / "graders" / "public" / "test_scale.py").write_text(WEAK)
    (repo / "autograder" / "graders" / "hidden" / "test_scale.py").unlink()
    toml = (repo / "grading.toml").read_text().replace("test_scale_random_values = 2\n", "")
    (repo / "grading.toml").write_text(toml.replace("params = { rtol = 1e-7, atol = 1e-9 }\n[exercise.scale.points]",
                                                    "[exercise.scale.points]", 1))
    (repo / "probe.py").write_text(PROBE)
    done = validate(repo, "--exercise", "scale", "--probe", "probe.py")
    assert done.returncode == 1, done.stdout + done.stderr
    failures = [line for line in done.stdout.splitlines() if line.startswith("FAIL")]
    assert any("no work: zeros (scale): NO WORK BUT KEPT 3 of 3 points" in line for line in failures), failures
    assert any("toy.py:18 `x, dtype=float) *` -> `/`: SURVIVED: keeps full marks" in line for line in failures), failures


def test_a_missing_solution_file_is_one_line(tmp_path):
    repo = toy_repository(tmp_path / "repo")
    (repo / "solutions" / "toy.py").unlink()
    done = validate(repo)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == ('error: solutions/toy.py is missing: [exercise.scale] in grading.toml names module "toy"; '
                           "write its reference solution there (with ### BEGIN SOLUTION blocks)\n")
    done = validate(repo, "--exercise", "scal")
    assert done.returncode == 2 and done.stderr.startswith("error: unknown exercise 'scal' (choose from: scale,")


def test_blocks_belong_to_the_exercise_named_after_them_or_the_next_one():
    from support import TOY_CONFIG, TOY_SOLUTION

    from autograder.config import load
    from autograder.mutants import generate, generate_no_work, owners

    exercises = list(load(TOY_CONFIG).exercises)
    owned = owners(TOY_SOLUTION, exercises)
    assert owned == {"scale": "scale", "mean": "mean", "Line.__init__": "predict", "Line.predict": "predict",
                     "fit": "fit"}
    mutants = generate("toy", TOY_SOLUTION, owned)
    assert mutants and all(m.exercise == owned[m.function] for m in mutants)
    assert "`x, dtype=float) *` -> `/`" in {m.description for m in mutants}
    no_work = generate_no_work("toy", TOY_SOLUTION, owned, dict.fromkeys(exercises, 1.0))
    # predict's no-work mutants empty both of its blocks; each kind of body once per exercise.
    assert [m.description for m in no_work if m.exercise == "predict"][0] == \
        "no work: nothing (Line.__init__, Line.predict)"
    assert len(no_work) == 5 * len(set(owned.values()))  # the toy module's exercises (shout is words.py's)
