"""The engine options bench/ uses: prefetched children, background clean-up, the in-process
stand-in for Student (benchmarks only), and grade-all's fork server. Functional checks only:
bench/run.py measures the speed; nothing here asserts a time."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import types

import numpy as np
import pytest
from conftest import REPO, exercise_scores, make_submission, mutate, run_cli

from autograder import batch, sandbox
from autograder.handle import Student, StudentError, SubmissionMissing

NUMPY = ("sigmoid", "sigmoid_derivative", "forward", "backward", "train_xor")


def _student(folder, source: str, **kwargs) -> Student:
    make_submission(folder, mlp=source)
    return Student("mlp", {"mlp.py": folder / "mlp.py"}, sandbox.Limits(timeout_s=10), seed=0, **kwargs)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_started_child_serves_first_use_and_gets_standins_only_then(tmp_path, monkeypatch):
    sent = []
    post = Student._post

    def recording(self, op, *args, **kwargs):
        sent.append(op)
        return post(self, op, *args, **kwargs)
    monkeypatch.setattr(Student, "_post", recording)
    reference = "def sigmoid(x):\n    return 0.5\n"
    student = _student(tmp_path, "def sigmoid(x):\n    return 'student'\n\ndef which():\n    return sigmoid(0)\n",
                       reference=reference, standins=("sigmoid",))
    try:
        student.start()
        assert sent == ["import"], "a prefetched child gets the import, and nothing of the reference yet"
        assert student.call("which") == 0.5
        assert sent == ["import", "stand_in", "call"]
    finally:
        student.close()


def test_import_error_after_start_surfaces_on_first_use_every_time(tmp_path):
    student = _student(tmp_path, "raise ValueError('broken at import')\n")
    try:
        student.start()
        for _ in range(2):
            with pytest.raises(StudentError) as raised:
                student.call("sigmoid", 1.0)
            assert raised.value.type_name == "ValueError"
    finally:
        student.close()


def test_start_without_the_file_starts_nothing(tmp_path):
    student = Student("mlp", {}, sandbox.Limits(), seed=0)
    student.start()
    assert student._child is None
    with pytest.raises(SubmissionMissing):
        student.call("sigmoid", 1.0)


def test_close_in_background_then_join_leaves_nothing(tmp_path):
    student = _student(tmp_path, "import numpy as np\n\ndef total(a):\n    return float(np.sum(a))\n")
    assert student.call("total", np.ones(4)) == 4.0
    child = student._child
    student.close(wait=False)
    sandbox.join_closing()
    assert not _alive(child.process.pid) and not os.path.exists(child.workdir)


def test_in_process_stand_in_scores_like_the_sandbox(tmp_path, solution_mlp):
    """bench/inprocess_grade.py (the cost-of-isolation baseline) gives the engine's scores."""
    submission = make_submission(tmp_path / "mistake", mlp=mutate(solution_mlp, "return a - a * a", "return a * a - a"))
    done = run_cli("grade", str(submission), "--results", str(tmp_path / "r.json"), "--only", ",".join(NUMPY))
    assert done.returncode == 0, done.stderr
    engine = exercise_scores(json.loads((tmp_path / "r.json").read_text()))
    baseline = subprocess.run([sys.executable, "bench/inprocess_grade.py", str(submission), "--only", ",".join(NUMPY)],
                              cwd=REPO, capture_output=True, text=True, timeout=300)
    assert baseline.returncode == 0, baseline.stderr
    assert json.loads(baseline.stdout.splitlines()[-1])["exercise_scores"] == engine
    assert 0 < engine["sigmoid_derivative"] < 10 and engine["forward"] == 20


def test_in_process_stand_in_is_not_reachable_from_the_command_line():
    cli = (REPO / "autograder" / "cli.py").read_text()
    assert "inprocess" not in cli and "student_factory" not in cli


def test_fork_server_is_not_used_when_main_is_a_script(monkeypatch):
    script = types.ModuleType("__main__")
    script.__file__, script.__spec__ = "/tmp/some_script.py", None
    monkeypatch.setitem(sys.modules, "__main__", script)
    assert batch._fork_server() is None


def _gradebook(path) -> list[dict]:
    with open(path, newline="") as stream:
        return list(csv.DictReader(stream))


def test_grade_all_fork_server_grades_like_one_subprocess_each(tmp_path, solution_mlp):
    submissions = tmp_path / "class"
    make_submission(submissions / "good", mlp=solution_mlp)
    make_submission(submissions / "broken", mlp="this is not python\n")
    only = "sigmoid,forward"
    forked = run_cli("grade-all", str(submissions), "--out", str(tmp_path / "forked"), "--only", only,
                     "--allow-unsandboxed")  # the CLI runs as `python -m autograder`: fork server
    assert forked.returncode == 0, forked.stderr
    script = subprocess.run([sys.executable, "bench/ablation.py", "grade-all", str(submissions), str(tmp_path / "sub"),
                             "--only", only], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert script.returncode == 0, script.stderr
    assert _gradebook(tmp_path / "forked" / "gradebook.csv") == _gradebook(tmp_path / "sub" / "gradebook.csv")
    rows = {row["student"]: row for row in _gradebook(tmp_path / "forked" / "gradebook.csv")}
    assert rows["good"]["total"] == "30" and rows["broken"]["total"] == "0" and rows["good"]["status"] == "graded"
