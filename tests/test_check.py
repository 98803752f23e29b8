"""`make check` teaches: the right exercise blamed, the student's output and frames, one message
per cause, the stuck line at a timeout, and a .venv that follows the Python and the requirements.
On the toy course (tests/toy/); this lesson's own cases are in tests/course/test_check_lesson.py."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support import REPO, TOY, TOY_CONFIG, TOY_SOLUTION, TOY_STUB, make_submission, mutate, run_cli, toy_submission

from autograder.config import load
from autograder.plugin import prerequisites

CONFIG = load(TOY_CONFIG)
PYENV = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"


def check_results(submission: Path, only: list[str], config: Path = TOY_CONFIG) -> dict[str, list[dict]]:
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


def toy_check(*args: str) -> subprocess.CompletedProcess:
    """`python -m autograder check` with the toy course's grading.toml (checks need no stand-ins)."""
    return run_cli("--config", str(TOY_CONFIG), "check", *args)


def test_prerequisites_come_from_the_standins_in_grading_toml():
    assert prerequisites(CONFIG, "scale") == []
    assert prerequisites(CONFIG, "predict") == ["scale"]
    assert prerequisites(CONFIG, "fit") == ["scale", "predict"]  # Line.__init__: no exercise of its own


SCALE_BUG = ("return np.asarray(x, dtype=float) * factor", "return np.asarray(x, dtype=float) * -factor")


def test_a_broken_prerequisite_makes_its_dependents_wait_not_fail(tmp_path):
    submission = toy_submission(tmp_path / "sub", mutate(TOY_SOLUTION, *SCALE_BUG))
    results = check_results(submission, ["scale", "predict", "fit"])
    assert all(t["status"] == "failed" for t in results["scale"])
    for test in results["predict"] + results["fit"]:
        # the dependents' own code is the reference: they may pass, or wait, but are never told to change
        assert test["status"] in ("passed", "waiting"), (test["name"], test["status"], test["message"])
        if test["status"] == "waiting":
            assert test["message"] == "waiting on scale: fix it first" and not test["output"]
    assert any(t["status"] == "waiting" for t in results["predict"])
    done = toy_check(str(submission), "--only", "scale,predict")
    assert done.returncode == 1, done.stderr
    assert re.search(r"predict +\d+ / 3 +waiting on scale\n", done.stdout), done.stdout
    assert "x @ weights + bias" not in done.stdout  # predict's hint is not shown: nothing to change there


PREDICT = "        self.output = scale(x, 1.0) @ self.weights + self.bias\n"


def test_print_in_a_failing_call_is_shown_with_the_students_frame(tmp_path):
    source = mutate(TOY_SOLUTION, PREDICT, "        print('predict got', x.shape)\n"
                    "        self.output = scale(x, 1.0) @ self.weights[:, None].T + self.bias\n")
    done = toy_check(str(toy_submission(tmp_path, source)), "--only", "predict")
    assert done.returncode == 1
    assert "your code printed:" in done.stdout and "predict got (4, 3)" in done.stdout, done.stdout
    line = source.splitlines().index("        self.output = scale(x, 1.0) @ self.weights[:, None].T + self.bias") + 1
    assert f"toy.py:{line} in predict: self.output = scale(x, 1.0) @" in done.stdout, done.stdout


def test_print_in_passing_code_is_listed_with_v1(tmp_path):
    source = mutate(TOY_SOLUTION, "        return self.output\n", "        print('output', self.output.shape)\n"
                    "        return self.output\n")
    submission = toy_submission(tmp_path, source)
    quiet = toy_check(str(submission), "--only", "predict")
    verbose = toy_check(str(submission), "--only", "predict", "--verbose")
    assert quiet.returncode == verbose.returncode == 0, quiet.stdout
    assert "output (4,)" not in quiet.stdout
    after = verbose.stdout.split("ok predict gives x @ weights + bias", 1)[1]
    assert re.match(r"[^(]*\(2\s+/ 2\)\n +output \(4,\)\n", after), verbose.stdout


def test_a_syntax_error_is_reported_once_with_its_line(tmp_path):
    source = mutate(TOY_SOLUTION, "    def predict(self, x):", "    def predict(self, x)")
    done = toy_check(str(toy_submission(tmp_path, source)), "--only", "scale,predict,fit")
    assert done.returncode == 1
    assert done.stdout.count("SyntaxError") == 1, done.stdout
    assert done.stdout.count("does not import") == 3 + 1, done.stdout  # a row per exercise, one message
    line = source.splitlines().index("    def predict(self, x)") + 1
    assert f"toy.py:{line} in <module>: def predict(self, x)" in done.stdout, done.stdout


def _quick_check_limit(tmp_path, exercise: str) -> Path:
    """A copy of the toy grading.toml whose `exercise` has check_timeout_s = 1.5 (it has more)."""
    config = tmp_path / "grading.toml"
    text = TOY_CONFIG.read_text().replace('graders = "graders"', f'graders = "{TOY / "graders"}"', 1)
    section = text.index(f"[exercise.{exercise}]")
    limit = re.search(r"check_timeout_s = [\d.]+", text[section:])
    assert limit and float(limit.group().split("= ")[1]) > 1.5
    config.write_text(text[:section] + text[section:].replace(limit.group(), "check_timeout_s = 1.5", 1))
    return config


def test_an_endless_loop_times_out_quickly_and_shows_the_stuck_line(tmp_path):
    source = mutate(TOY_SOLUTION, "    for _ in range(epochs):\n",
                    "    epoch = 0\n    while epoch < epochs:  # never incremented\n")
    config = _quick_check_limit(tmp_path, "fit")
    results = check_results(toy_submission(tmp_path / "loop", source), ["fit"], config)
    stuck = [t for t in results["fit"] if "time limit" in t["message"]]
    assert stuck and all("1.5 s time limit" in t["message"] for t in stuck), results
    line = source.splitlines().index("    while epoch < epochs:  # never incremented") + 1
    frames = [frame for test in stuck for frame in test["trace"]]
    # the dump was taken inside the loop: fit's frame is at the loop's line or in a call made from it
    assert any(re.match(rf"toy\.py:({line}|{line + 1}|{line + 2}|{line + 3}|{line + 4}) in fit: ", f)
               for f in frames), frames


def test_a_loop_in_c_code_shows_the_stuck_line_too(tmp_path):
    """The stack is dumped from a signal handler, so a call stuck in C (holding the GIL) shows its line."""
    source = TOY_SOLUTION + (
        "\n\n_scale_ok = scale\n\n\ndef scale(x, factor):\n    import re\n"
        "    re.match(r\"(a+)+$\", \"a\" * 40 + \"b\")  # catastrophic backtracking, in C\n"
        "    return _scale_ok(x, factor)\n")
    config = _quick_check_limit(tmp_path, "scale")
    results = check_results(toy_submission(tmp_path / "c-loop", source), ["scale"], config)
    stuck = [t for t in results["scale"] if "1.5 s time limit" in t["message"]]
    line = source.splitlines().index("    re.match(r\"(a+)+$\", \"a\" * 40 + \"b\")  # catastrophic backtracking, in C") + 1
    assert stuck and all(any(f.startswith(f"toy.py:{line} in scale: ") for f in t["trace"]) for t in stuck), results


def test_check_timeout_is_validated():
    from autograder.config import ConfigError, _exercise

    table = {"module": "toy", "points": {"test_scale_x": 1}, "check_timeout_s": 0}
    with pytest.raises(ConfigError, match="check_timeout_s"):
        _exercise("scale", table, [], hidden_present=False)
    assert _exercise("scale", {**table, "check_timeout_s": 2}, [], hidden_present=False).check_timeout_s == 2
    assert _exercise("scale", {"module": "toy", "points": {}, "timeout_s": 7}, [],
                     hidden_present=False).check_timeout_s == 7


def test_student_text_is_escaped_in_the_terminal(tmp_path):
    source = mutate(TOY_SOLUTION, "        return self.output\n",
                    "        print('\\x1b]52;c;aGk=\\x07[bold red]markup[/]')\n        raise ValueError('[link=x]no[/]')\n")
    done = toy_check(str(toy_submission(tmp_path, source)), "--only", "predict")
    assert "\x1b" not in done.stdout and "\x07" not in done.stdout
    assert "[bold red]markup[/]" in done.stdout and "[link=x]no[/]" in done.stdout, done.stdout


# -- the .venv -------------------------------------------------------------------------------
def _make(folder: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("MAKE", "MFLAGS"))}
    return subprocess.run(["make", "--no-print-directory", *args], cwd=folder, capture_output=True, text=True,
                          timeout=timeout, env=env)


def toy_release(toy_repo: Path, out: Path) -> Path:
    """The student repository of the toy course (`release`, run in a toy repository)."""
    done = run_cli("release", str(out), cwd=toy_repo)
    assert done.returncode == 0, done.stderr
    return out


@pytest.fixture
def student_repo(tmp_path, toy_repo) -> Path:
    return toy_release(toy_repo, tmp_path / "student")


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


def test_make_check_runs_on_the_oldest_and_newest_python(tmp_path, toy_repo):
    """Both at once, each in its own release (most of the time is pip installing requirements.txt)."""
    from concurrent.futures import ThreadPoolExecutor

    found = {version: sorted(PYENV.glob(f"{version}.*/bin/python")) for version in ("3.10", "3.13")}
    if not all(found.values()):
        pytest.skip(f"Python {', '.join(v for v, f in found.items() if not f)} is not installed under pyenv here")

    for version in found:
        toy_release(toy_repo, tmp_path / version)
        for module in ("toy.py", "words.py"):
            shutil.copy(TOY / "solutions" / module, tmp_path / version / "exercises" / module)

    def check(version: str):
        repo = tmp_path / version
        return repo, _make(repo, "check", "EX=scale,predict,fit,shout",
                           f"PYTHON={found[version][-1]}", timeout=1800)

    with ThreadPoolExecutor(2) as pool:
        runs = dict(zip(found, pool.map(check, found)))
    for version, (repo, done) in runs.items():
        assert done.returncode == 0, version + ": " + done.stdout[-3000:] + done.stderr[-3000:]
        assert done.stdout.count(" passed\n") == 4, done.stdout
        assert (repo / ".venv" / ".installed").read_text().startswith(f"python{version}-")


def test_a_stub_waits_only_on_a_stub_it_calls(tmp_path):
    source = mutate(TOY_SOLUTION, "    return np.asarray(x, dtype=float) * factor\n",
                    '    raise NotImplementedError("scale is not implemented yet")\n')
    results = check_results(toy_submission(tmp_path / "scale", source), ["scale", "predict"])
    assert {t["status"] for t in results["scale"]} == {"not implemented"}
    assert {t["status"] for t in results["predict"]} <= {"passed", "waiting"}
    assert any(t["status"] == "waiting" for t in results["predict"])
    # predict's own stub stays "not implemented", whatever scale does
    results = check_results(toy_submission(tmp_path / "stubs", TOY_STUB), ["scale", "predict"])
    assert {t["status"] for t in results["predict"]} == {"not implemented"}


def test_results_json_carries_what_a_failing_public_check_printed(tmp_path, toy_repo):
    from support import grade

    source = mutate(TOY_SOLUTION, "        return self.output\n", "        print('output was', self.output.sum())\n"
                    "        return self.output * 2\n")
    results = grade(toy_submission(tmp_path / "sub", source), tmp_path / "results.json", "--only", "predict",
                    cwd=toy_repo)
    public = [t for t in results["tests"] if "public" in t["tags"] and t["status"] != "passed"]
    hidden = [t for t in results["tests"] if "hidden" in t["tags"]]
    assert public and all("Your code printed:\noutput was" in t["output"] for t in public)
    assert hidden and not any("output was" in t["output"] for t in hidden)  # prints could echo hidden inputs
