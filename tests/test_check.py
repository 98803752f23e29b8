"""`make check` teaches: the right exercise blamed, the student's output and frames, one message
per cause, the stuck line at a timeout, and a .venv that follows the Python and the requirements."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, make_submission, mutate, run_cli
from mistakes import MISTAKES

from autograder.config import load
from autograder.plugin import prerequisites

CONFIG = load(REPO / "grading.toml")
EDGES = [(exercise, needed) for exercise in CONFIG.exercises for needed in prerequisites(CONFIG, exercise)]
PYENV = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"


def check_results(submission: Path, only: list[str], config: Path = REPO / "grading.toml") -> dict[str, list[dict]]:
    """{exercise: [its results as dicts]} from grade(check=True), run in a subprocess like the CLI."""
    script = ("import json, sys; from pathlib import Path; sys.path.insert(0, sys.argv[1]);"
              "from autograder.grade import grade; from autograder.config import load;"
              "r = grade(Path(sys.argv[2]), config=load(Path(sys.argv[3])), only=sys.argv[4].split(','), check=True);"
              "print(json.dumps([dict(vars(t), trace=list(t.trace)) for t in r.tests]))")
    done = subprocess.run([sys.executable, "-c", script, str(REPO), str(submission), str(config), ",".join(only)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    grouped: dict[str, list[dict]] = {}
    for test in json.loads(done.stdout.splitlines()[-1]):
        grouped.setdefault(test["exercise"], []).append(test)
    return grouped


def first_mistake(exercise: str):
    return next(mistake for mistake in MISTAKES if mistake.exercise == exercise)


def test_prerequisites_come_from_the_standins_in_grading_toml():
    assert prerequisites(CONFIG, "sigmoid") == []
    assert prerequisites(CONFIG, "forward") == ["sigmoid"]
    assert prerequisites(CONFIG, "backward") == ["sigmoid", "sigmoid_derivative", "forward"]  # MLP.__init__: no exercise
    assert prerequisites(CONFIG, "train_xor") == ["sigmoid", "sigmoid_derivative", "forward", "backward"]


@pytest.mark.parametrize(("exercise", "needed"), EDGES, ids=[f"{e}-needs-{n}" for e, n in EDGES])
def test_a_broken_prerequisite_makes_its_dependent_wait_not_fail(tmp_path, exercise, needed):
    mistake = first_mistake(needed)
    results = check_results(make_submission(tmp_path, mlp=mistake.source()), [needed, exercise])
    assert any(t["status"] != "passed" for t in results[needed]), f"{mistake.name} should fail {needed}'s checks"
    for test in results[exercise]:
        # the dependent's own code is the reference: it may pass, or wait, but is never told to change
        assert test["status"] in ("passed", "waiting"), (test["name"], test["status"], test["message"])
        if test["status"] == "waiting":
            assert test["message"] == f"waiting on {needed}: fix it first" and not test["output"]


def test_sign_bug_in_sigmoid_fails_sigmoid_only_and_says_what_forward_waits_on(tmp_path):
    submission = make_submission(tmp_path, mlp=first_mistake("sigmoid").source())
    done = run_cli("check", str(submission), "--only", "sigmoid,forward,train_xor")
    assert done.returncode == 1, done.stderr
    assert re.search(r"forward +\d+ / 9 +waiting on sigmoid\n", done.stdout), done.stdout
    assert re.search(r"train_xor +\d+ / 8 +waiting on sigmoid", done.stdout), done.stdout
    assert "check the sign inside exp" in done.stdout
    # the forward formula and the XOR training hints are not shown: nothing to change there
    assert "sigmoid(sigmoid(inputs" not in done.stdout and "more epochs" not in done.stdout


def test_print_in_a_failing_call_is_shown_with_the_students_frame(tmp_path, solution_mlp):
    source = mutate(solution_mlp, "        self.hidden_layer_input = inputs @ self.weights_input_hidden +",
                    "        print('forward got', inputs.shape)\n"
                    "        self.hidden_layer_input = inputs @ self.weights_input_hidden.T +")
    done = run_cli("check", str(make_submission(tmp_path, mlp=source)), "--only", "forward")
    assert done.returncode == 1
    assert "your code printed:" in done.stdout and "forward got (4, 3)" in done.stdout, done.stdout
    line = source.splitlines().index("        self.hidden_layer_input = inputs @ self.weights_input_hidden.T +"
                                     " self.bias_hidden") + 1
    assert f"mlp.py:{line} in forward: self.hidden_layer_input = inputs @" in done.stdout, done.stdout


def test_print_in_passing_code_is_listed_with_v1(tmp_path, solution_mlp):
    source = mutate(solution_mlp, "        return self.output\n", "        print('output', self.output.shape)\n"
                    "        return self.output\n")
    submission = make_submission(tmp_path, mlp=source)
    quiet = run_cli("check", str(submission), "--only", "forward")
    verbose = run_cli("check", str(submission), "--only", "forward", "--verbose")
    assert quiet.returncode == verbose.returncode == 0, quiet.stdout
    assert "output (4, 2)" not in quiet.stdout
    after = verbose.stdout.split("ok forward maps a batch", 1)[1]
    assert re.match(r"[^\n]*\n[^\n]*\(3 / 3\)\n +output \(4, 2\)\n", after), verbose.stdout


def test_a_syntax_error_is_reported_once_with_its_line(tmp_path, solution_mlp):
    source = mutate(solution_mlp, "    def forward(self, inputs):", "    def forward(self, inputs)")
    done = run_cli("check", str(make_submission(tmp_path, mlp=source)), "--only", "sigmoid,forward,backward")
    assert done.returncode == 1
    assert done.stdout.count("SyntaxError") == 1, done.stdout
    assert done.stdout.count("does not import") == 3 + 1, done.stdout  # a row per exercise, one message
    line = source.splitlines().index("    def forward(self, inputs)") + 1
    assert f"mlp.py:{line} in <module>: def forward(self, inputs)" in done.stdout, done.stdout


def _quick_check_limit(tmp_path, exercise: str) -> Path:
    """A copy of grading.toml whose `exercise` has check_timeout_s = 1.5 (it has 5)."""
    config = tmp_path / "grading.toml"
    text = (REPO / "grading.toml").read_text()
    section = text.index(f"[exercise.{exercise}]")
    config.write_text(text[:section] + text[section:].replace("check_timeout_s = 5", "check_timeout_s = 1.5", 1))
    return config


def test_an_endless_loop_times_out_quickly_and_shows_the_stuck_line(tmp_path, solution_mlp):
    loop = "        for _ in range(epochs):\n"
    source = mutate(solution_mlp, loop, "        epoch = 0\n        while epoch < epochs:  # never incremented\n")
    config = _quick_check_limit(tmp_path, "train_xor")
    results = check_results(make_submission(tmp_path / "loop", mlp=source), ["train_xor"], config)
    stuck = [t for t in results["train_xor"] if "time limit" in t["message"]]
    assert stuck and all("1.5 s time limit" in t["message"] for t in stuck), results
    line = source.splitlines().index("        while epoch < epochs:  # never incremented") + 1
    frames = [frame for test in stuck for frame in test["trace"]]
    # the dump was taken inside the loop: train's frame is at the loop's line or in a call made from it
    assert any(re.match(rf"mlp\.py:({line}|{line + 1}|{line + 2}|{line + 3}) in train: ", f) for f in frames), frames


def test_a_loop_in_c_code_shows_the_stuck_line_too(tmp_path, solution_mlp):
    """The stack is dumped from a signal handler, so a call stuck in C (holding the GIL) shows its line."""
    source = solution_mlp + (
        "\n\n_sigmoid_ok = sigmoid\n\n\ndef sigmoid(x):\n    import re\n"
        "    re.match(r\"(a+)+$\", \"a\" * 40 + \"b\")  # catastrophic backtracking, in C\n"
        "    return _sigmoid_ok(x)\n")
    config = _quick_check_limit(tmp_path, "sigmoid")
    results = check_results(make_submission(tmp_path / "c-loop", mlp=source), ["sigmoid"], config)
    stuck = [t for t in results["sigmoid"] if "1.5 s time limit" in t["message"]]
    line = source.splitlines().index("    re.match(r\"(a+)+$\", \"a\" * 40 + \"b\")  # catastrophic backtracking, in C") + 1
    assert stuck and all(any(f.startswith(f"mlp.py:{line} in sigmoid: ") for f in t["trace"]) for t in stuck), results


def test_check_timeout_is_validated():
    from autograder.config import ConfigError, _exercise

    table = {"module": "mlp", "points": {"test_sigmoid_x": 1}, "check_timeout_s": 0}
    with pytest.raises(ConfigError, match="check_timeout_s"):
        _exercise("sigmoid", table, [], hidden_present=False)
    assert _exercise("sigmoid", {**table, "check_timeout_s": 2}, [], hidden_present=False).check_timeout_s == 2
    assert _exercise("sigmoid", {"module": "mlp", "points": {}, "timeout_s": 7}, [],
                     hidden_present=False).check_timeout_s == 7


def test_student_text_is_escaped_in_the_terminal(tmp_path, solution_mlp):
    source = mutate(solution_mlp, "        return self.output\n",
                    "        print('\\x1b]52;c;aGk=\\x07[bold red]markup[/]')\n        raise ValueError('[link=x]no[/]')\n")
    done = run_cli("check", str(make_submission(tmp_path, mlp=source)), "--only", "forward")
    assert "\x1b" not in done.stdout and "\x07" not in done.stdout
    assert "[bold red]markup[/]" in done.stdout and "[link=x]no[/]" in done.stdout, done.stdout


# -- the .venv -------------------------------------------------------------------------------
def _make(folder: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("MAKE", "MFLAGS"))}
    return subprocess.run(["make", "--no-print-directory", *args], cwd=folder, capture_output=True, text=True,
                          timeout=timeout, env=env)


@pytest.fixture
def student_repo(tmp_path) -> Path:
    from autograder.release import release

    release(tmp_path / "student")
    return tmp_path / "student"


def test_too_old_python_gets_one_line_naming_what_to_install(student_repo):
    old = next((PYENV / v / "bin" / "python" for v in ("3.9.18", "3.8.18") if (PYENV / v).is_dir()), None)
    if old is None:
        pytest.skip("no Python older than 3.10 under pyenv here")
    done = _make(student_repo, "check", f"PYTHON={old}")
    assert done.returncode != 0 and not (student_repo / ".venv").exists()
    lines = [line for line in done.stderr.splitlines() if not line.startswith("make: ***")]
    assert len(lines) == 1 and "Python 3.10 to 3.13" in lines[0] and "PYTHON=python3.12" in lines[0], done.stderr


def test_a_venv_from_another_python_or_requirements_is_rebuilt(student_repo):
    venv = student_repo / ".venv"
    (venv / "bin").mkdir(parents=True)
    os.symlink(sys.executable, venv / "bin" / "python")
    (venv / ".installed").write_text(f"python3.10-000000000000\n{sys.executable}\n")
    dry = _make(student_repo, "-n", "check")
    assert "rm -rf .venv" in dry.stdout and "-m venv .venv" in dry.stdout, dry.stdout
    version = "python%d.%d" % sys.version_info[:2]
    import hashlib
    digest = hashlib.sha256((student_repo / "requirements.txt").read_bytes()).hexdigest()[:12]
    (venv / ".installed").write_text(f"{version}-{digest}\n{sys.executable}\n")
    dry = _make(student_repo, "-n", "check")
    assert "-m venv" not in dry.stdout and "autograder check exercises" in dry.stdout, dry.stdout
    (student_repo / "requirements.txt").write_text((student_repo / "requirements.txt").read_text() + "# changed\n")
    assert "-m venv .venv" in _make(student_repo, "-n", "check").stdout


def test_make_check_runs_on_the_oldest_and_newest_python(tmp_path):
    """Both at once, each in its own release (most of the time is pip installing requirements.txt)."""
    from concurrent.futures import ThreadPoolExecutor

    from autograder.release import release

    found = {version: sorted(PYENV.glob(f"{version}.*/bin/python")) for version in ("3.10", "3.13")}
    if not all(found.values()):
        pytest.skip(f"Python {', '.join(v for v, f in found.items() if not f)} is not installed under pyenv here")

    for version in found:  # one after the other: Python 3.11's ast.parse is not safe in two threads at once
        release(tmp_path / version)
        shutil.copy(REPO / "solutions" / "mlp.py", tmp_path / version / "exercises" / "mlp.py")

    def check(version: str):
        repo = tmp_path / version
        return repo, _make(repo, "check", "EX=sigmoid,sigmoid_derivative,forward,backward,train_xor",
                           f"PYTHON={found[version][-1]}", timeout=1800)

    with ThreadPoolExecutor(2) as pool:
        runs = dict(zip(found, pool.map(check, found)))
    for version, (repo, done) in runs.items():
        assert done.returncode == 0, version + ": " + done.stdout[-3000:] + done.stderr[-3000:]
        assert done.stdout.count(" passed\n") == 5, done.stdout
        assert (repo / ".venv" / ".installed").read_text().startswith(f"python{version}-")


def test_a_stub_waits_only_on_a_stub_it_calls(tmp_path, solution_mlp):
    from mistakes import STABLE

    source = mutate(solution_mlp, STABLE, 'raise NotImplementedError("sigmoid is not implemented yet")')
    results = check_results(make_submission(tmp_path / "sigmoid", mlp=source), ["sigmoid", "forward"])
    assert {t["status"] for t in results["sigmoid"]} == {"not implemented"}
    assert {t["status"] for t in results["forward"]} <= {"passed", "waiting"}
    assert any(t["status"] == "waiting" for t in results["forward"])
    # forward's own stub stays "not implemented", whatever sigmoid does
    stubs = (REPO / "exercises" / "mlp.py").read_text()
    results = check_results(make_submission(tmp_path / "stubs", mlp=stubs), ["sigmoid", "forward"])
    assert {t["status"] for t in results["forward"]} == {"not implemented"}


def test_results_json_carries_what_a_failing_public_check_printed(tmp_path, solution_mlp):
    from conftest import grade

    source = mutate(solution_mlp, "        return self.output\n", "        print('output was', self.output.sum())\n"
                    "        return self.output * 2\n")
    results = grade(make_submission(tmp_path / "sub", mlp=source), tmp_path / "results.json", "--only", "forward")
    public = [t for t in results["tests"] if "public" in t["tags"] and t["status"] != "passed"]
    hidden = [t for t in results["tests"] if "hidden" in t["tags"]]
    assert public and all("Your code printed:\noutput was" in t["output"] for t in public if "batch" in t["name"])
    assert hidden and not any("output was" in t["output"] for t in hidden)  # prints could echo hidden inputs
