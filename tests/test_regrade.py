"""The regrade report: grade-all over an earlier gradebook keeps it and says what changed and why.

A class of three on the small course of test_instructor_inputs (add in calc.py, mul in other.py,
graders outside the package) is graded, then graded again after a grader, a submission, or
nothing changed.
"""

from __future__ import annotations

import csv
import io

import pytest
from support import run_cli
from test_instructor_inputs import ADD, MUL, course, grade_all

WRONG_MUL = "def mul(a, b):\n    return a + b\n"


def _class(root):
    subs = root / "subs"
    for name, mul in (("ada", MUL), ("bob", WRONG_MUL), ("=cmd", MUL)):
        (subs / name).mkdir(parents=True)
        (subs / name / "calc.py").write_text(ADD)
        (subs / name / "other.py").write_text(mul)
    return subs


def _regrade(out):
    return [tuple(row) for row in csv.reader(io.StringIO((out / "regrade.csv").read_text()))]


@pytest.fixture
def graded(tmp_path):
    config = course(tmp_path / "course")
    subs = _class(tmp_path)
    out = tmp_path / "out"
    grade_all(config, subs, out, "--jobs", "2")
    return config, subs, out


def test_a_grader_fix_keeps_the_earlier_gradebook_and_lists_every_change(graded):
    config, subs, out = graded
    earlier = (out / "gradebook.csv").read_bytes()
    grader = config.parent / "graders" / "public" / "test_mul.py"
    grader.write_text(grader.read_text().replace("6.0", "7.0"))  # a grader bug: now everyone's mul fails
    done = grade_all(config, subs, out, "--jobs", "2")
    assert _regrade(out) == [("student", "exercise", "old", "new", "reason"),
                             ("'=cmd", "mul", "1", "0", "graders"), ("'=cmd", "total", "2", "1", "graders"),
                             ("ada", "mul", "1", "0", "graders"), ("ada", "total", "2", "1", "graders")]
    assert "regrade: 2 students changed (0 up, 2 down)" in done.stdout
    kept = sorted((out / "history").iterdir())
    assert [path.name.split("-", 1)[1] for path in kept] == ["batch.json", "gradebook.csv"]
    assert (out / "history" / kept[1].name).read_bytes() == earlier

    report = run_cli("class-report", str(out))
    assert report.returncode == 0, report.stderr
    text = (out / "class-report.md").read_text()
    assert "## Changed at the last regrade" in text and "| ada | mul | 1 | 0 | graders |" in text
    assert "Changed at the last regrade" in (out / "class-report.html").read_text()


def test_a_fixed_submission_is_a_change_up_with_its_reason(graded):
    config, subs, out = graded
    (subs / "bob" / "other.py").write_text(MUL)
    done = grade_all(config, subs, out)
    assert "1 graded this run" in done.stdout
    assert _regrade(out)[1:] == [("bob", "mul", "0", "1", "submission"), ("bob", "total", "1", "2", "submission")]
    assert "regrade: 1 students changed (1 up, 0 down)" in done.stdout


def test_nothing_is_written_when_nothing_changed(graded):
    config, subs, out = graded
    for extra in ((), ("--force",)):
        done = grade_all(config, subs, out, *extra)
        assert "regrade" not in done.stdout
        assert not (out / "regrade.csv").exists() and not (out / "history").exists()


def test_a_student_new_to_the_class_is_not_a_regrade(graded):
    config, subs, out = graded
    (subs / "cy").mkdir()
    (subs / "cy" / "calc.py").write_text(ADD)
    done = grade_all(config, subs, out)
    assert "1 graded this run" in done.stdout and "regrade" not in done.stdout
    assert not (out / "regrade.csv").exists()


def test_merging_shards_over_an_earlier_gradebook_is_a_regrade_too(tmp_path):
    from autograder.gradebook import Row, merge, write_outputs

    out = tmp_path / "out"
    write_outputs(out, [Row("ada", "graded", "", {"add": 1.0}, 1.0)], exercises=["add"], graders="g", only=[],
                  shard=None, entries=1)
    earlier = (out / "gradebook.csv").read_bytes()
    shard = tmp_path / "shard"
    write_outputs(shard, [Row("ada", "graded", "", {"add": 0.0}, 0.0)], exercises=["add"], graders="g", only=[],
                  shard=(1, 1), entries=1)
    merge([shard], out)
    assert _regrade(out)[1:] == [("ada", "add", "1", "0", "unknown (no earlier skip key)"),
                                 ("ada", "total", "1", "0", "unknown (no earlier skip key)")]
    assert [path.read_bytes() for path in (out / "history").glob("*-gradebook.csv")] == [earlier]
