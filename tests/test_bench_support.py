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
from support import REPO, TOY_SOLUTION, exercise_scores, make_submission, mutate, run_cli

from autograder import batch, sandbox
from autograder.handle import Student, StudentError, SubmissionMissing

TOY = ("scale", "predict", "mean", "fit")  # the toy course (tests/toy/), graded in a toy repository


def _student(folder, source: str, **kwargs) -> Student:
    make_submission(folder, toy=source)
    return Student("toy", {"toy.py": (folder / "toy.py").read_bytes()}, sandbox.Limits(timeout_s=10), seed=0, **kwargs)


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
    reference = "def scale(x):\n    return 0.5\n"
    student = _student(tmp_path, "def scale(x):\n    return 'student'\n\ndef which():\n    return scale(0)\n",
                       reference=reference, standins=("scale",))
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
                student.call("scale", 1.0)
            assert raised.value.type_name == "ValueError"
    finally:
        student.close()


def test_start_without_the_file_starts_nothing(tmp_path):
    student = Student("toy", {}, sandbox.Limits(), seed=0)
    student.start()
    assert student._child is None
    with pytest.raises(SubmissionMissing):
        student.call("scale", 1.0)


def test_close_in_background_then_join_leaves_nothing(tmp_path):
    student = _student(tmp_path, "import numpy as np\n\ndef total(a):\n    return float(np.sum(a))\n")
    assert student.call("total", np.ones(4)) == 4.0
    child = student._child
    student.close(wait=False)
    sandbox.join_closing()
    assert not _alive(child.process.pid) and not os.path.exists(child.workdir)


def test_in_process_stand_in_scores_like_the_sandbox(tmp_path, toy_repo):
    """bench/inprocess_grade.py (the cost-of-isolation baseline) gives the engine's scores."""
    wrong_in_3d = mutate(TOY_SOLUTION, "return np.asarray(x, dtype=float) * factor",
                         "return np.asarray(x, dtype=float) * factor + 1e-3 * (np.ndim(x) == 3)")
    submission = make_submission(tmp_path / "mistake", toy=wrong_in_3d)
    done = run_cli("grade", str(submission), "--results", str(tmp_path / "r.json"), "--only", ",".join(TOY),
                   cwd=toy_repo)
    assert done.returncode == 0, done.stderr
    engine = exercise_scores(json.loads((tmp_path / "r.json").read_text()))
    baseline = subprocess.run([sys.executable, str(REPO / "bench" / "inprocess_grade.py"), str(submission), "--only",
                               ",".join(TOY)], cwd=toy_repo, capture_output=True, text=True, timeout=300)
    assert baseline.returncode == 0, baseline.stderr
    assert json.loads(baseline.stdout.splitlines()[-1])["exercise_scores"] == engine
    assert engine["scale"] == 4 and engine["predict"] == 5, "one check of scale lost, none of predict (stand-in)"


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


def test_grade_all_fork_server_grades_like_one_subprocess_each(tmp_path, toy_repo):
    submissions = tmp_path / "class"
    make_submission(submissions / "good", toy=TOY_SOLUTION)
    make_submission(submissions / "broken", toy="this is not python\n")
    only = "scale,predict"
    forked = run_cli("grade-all", str(submissions), "--out", str(tmp_path / "forked"), "--only", only,
                     "--allow-unsandboxed", cwd=toy_repo)  # the CLI runs as `python -m autograder`: fork server
    assert forked.returncode == 0, forked.stderr
    script = subprocess.run([sys.executable, str(REPO / "bench" / "ablation.py"), "grade-all", str(submissions),
                             str(tmp_path / "sub"), "--only", only], cwd=toy_repo, capture_output=True, text=True,
                            timeout=300)
    assert script.returncode == 0, script.stderr
    assert _gradebook(tmp_path / "forked" / "gradebook.csv") == _gradebook(tmp_path / "sub" / "gradebook.csv")
    rows = {row["student"]: row for row in _gradebook(tmp_path / "forked" / "gradebook.csv")}
    assert rows["good"]["total"] == "10" and rows["broken"]["total"] == "0" and rows["good"]["status"] == "graded"
