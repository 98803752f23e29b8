"""Deadlines, late penalties and extensions: grade-all's late columns, the export, Gradescope's rule.

A class of four on the small course of test_instructor_inputs, due 2026-12-01 17:00 UTC with
10% per started day: one on time, one a second late, one late but with an extension, one with
no submission time (flagged, never taken to be on time).
"""

from __future__ import annotations

import csv
import http.server
import io
import json
import os
import subprocess
import sys
import threading
from datetime import datetime, timedelta, timezone

import pytest
from support import REPO, run_cli
from test_instructor_inputs import ADD, MUL, course, grade_all

from autograder import deadlines, gradescope

DUE = "2026-12-01T17:00:00+00:00"
TIMES = """student,submitted_at
ontime,2026-12-01T17:00:00Z
second-late,2026-12-01T17:00:01+00:00
extended,2026-12-03T12:00:00+00:00
=late,2026-12-04T18:00:00+01:00
"""
EXTENSIONS = "student,due\nextended,2026-12-04T17:00:00+00:00\n"


def test_late_days_are_started_days_and_the_penalty_is_capped():
    due = datetime(2026, 12, 1, 17, tzinfo=timezone.utc)
    assert deadlines.late_units(due, due) == 0
    assert deadlines.late_units(due + timedelta(seconds=1), due) == 1
    assert deadlines.late_units(due + timedelta(hours=25), due) == 2
    assert deadlines.late_units(due + timedelta(minutes=61), due, "hour") == 2
    assert deadlines.penalty(3, 0.1) == pytest.approx(0.3) and deadlines.penalty(30, 0.1) == 1.0


@pytest.mark.parametrize("created, share", [("2026-12-01T17:00:00+00:00", 0.0), ("2026-12-01T17:00:01+00:00", 0.1),
                                            ("2026-12-03T17:00:01+00:00", 0.3), ("2026-12-30T00:00:00+00:00", 1.0)])
def test_gradescope_and_grade_all_share_one_rule(created, share):
    metadata = {"created_at": created, "assignment": {"due_date": DUE}}
    got, _ = gradescope.late_penalty(metadata, "0.1")
    days = deadlines.late_units(deadlines.parse_time(created), deadlines.parse_time(DUE))
    assert got == pytest.approx(share) == pytest.approx(deadlines.penalty(days, 0.1))


@pytest.fixture(scope="module")
def late_class(tmp_path_factory):
    root = tmp_path_factory.mktemp("late")
    config = course(root / "course")
    subs = root / "subs"
    for name in ("ontime", "second-late", "extended", "no-time", "=late"):
        (subs / name).mkdir(parents=True)
        (subs / name / "calc.py").write_text(ADD)
        (subs / name / "other.py").write_text(MUL)
    (root / "times.csv").write_text(TIMES)
    (root / "extensions.csv").write_text(EXTENSIONS)
    out = root / "out"
    done = grade_all(config, subs, out, "--jobs", "2", "--due", DUE, "--late-penalty", "0.1",
                     "--submitted-at", str(root / "times.csv"), "--extensions", str(root / "extensions.csv"))
    return root, config, out, done


def test_the_gradebook_has_the_late_columns(late_class):
    _, _, out, done = late_class
    rows = list(csv.DictReader(io.StringIO((out / "gradebook.csv").read_text())))
    assert list(rows[0])[:8] == ["student", "add", "mul", "total", "submitted_at", "late_days", "penalty", "final"]
    got = {row["student"]: (row["total"], row["late_days"], row["penalty"], row["final"]) for row in rows}
    assert got == {"'=late": ("2", "3", "0.3", "1.4"), "extended": ("2", "0", "0", "2"),
                   "no-time": ("2", "", "", ""), "ontime": ("2", "0", "0", "2"), "second-late": ("2", "1", "0.1", "1.8")}
    flagged = next(row for row in rows if row["student"] == "no-time")
    assert flagged["detail"].startswith("no submission time") and flagged["submitted_at"] == ""
    assert "2 late, 1 with no submission time" in done.stdout


def test_the_export_uses_final_and_leaves_the_student_without_a_time_blank(late_class):
    root, config, out, _ = late_class
    roster = root / "roster.csv"
    roster.write_text("folder,ID\nontime,1\nsecond-late,2\nextended,3\nno-time,4\n=late,5\n")
    done = run_cli("--config", str(config), "export", str(out), "--roster", str(roster), "--lms", "canvas",
                   "--assignment", "Day 2")
    assert done.returncode == 0, done.stderr
    grades = {row[1]: row[5] for row in csv.reader(io.StringIO((out / "canvas.csv").read_text()))}
    assert (grades["1"], grades["2"], grades["3"], grades["4"], grades["5"]) == ("2", "1.8", "2", "", "1.4")
    assert "no-time" in done.stderr and "no submission time" in done.stderr


def test_the_class_report_shows_the_late_summary(late_class):
    _, _, out, _ = late_class
    done = run_cli("class-report", str(out))
    assert done.returncode == 0, done.stderr
    text = (out / "class-report.md").read_text()
    assert "After late penalties: 2 submissions late" in text and "no submission time (final left blank): no-time." in text


@pytest.mark.parametrize("extra, message", [
    (["--due", "2026-12-01T17:00:00"], "with its zone"),
    (["--late-penalty", "0.1"], "need --due"),
    (["--due", DUE], "needs --submitted-at"),
])
def test_a_deadline_that_would_be_a_guess_is_refused(late_class, tmp_path, extra, message):
    root, config, _, _ = late_class
    done = run_cli("--config", str(config), "grade-all", str(root / "subs"), "--out", str(tmp_path / "out"),
                   *extra, *(["--submitted-at", str(root / "times.csv")] if extra[0] == "--due" and
                             extra[1] != DUE else []))
    assert done.returncode == 2 and message in done.stderr, done.stderr


def test_a_submission_time_without_a_zone_is_refused(late_class, tmp_path):
    root, config, _, _ = late_class
    times = tmp_path / "times.csv"
    times.write_text("student,submitted_at\nontime,2026-12-01 17:00\n")
    done = run_cli("--config", str(config), "grade-all", str(root / "subs"), "--out", str(tmp_path / "out"),
                   "--due", DUE, "--submitted-at", str(times))
    assert done.returncode == 2 and "line 2" in done.stderr and "with its zone" in done.stderr


# -- times from the platform: runners/fetch_submissions.py -------------------------------------
def _repository(root, name: str) -> None:
    """A student repository whose commit claims a date long before the deadline (the student sets it)."""
    repo = root / "course" / name
    (repo / "exercises").mkdir(parents=True)
    (repo / "exercises" / "calc.py").write_text(ADD)
    env = {**os.environ, "GIT_COMMITTER_DATE": "2020-01-01T00:00:00Z", "GIT_AUTHOR_DATE": "2020-01-01T00:00:00Z"}
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "on time, honest"]):
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=repo, check=True,
                       capture_output=True, env=env)


def test_fetch_records_the_platforms_times_never_the_commits(tmp_path):
    sys.path.insert(0, str(REPO / "runners"))
    import fetch_submissions

    pushed = {"/repos/course/early": "2026-12-01T16:59:00Z", "/repos/course/racing": "2999-01-01T00:00:00Z"}

    class Api(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the standard library's name)
            body = json.dumps({"pushed_at": pushed[self.path]} if self.path in pushed else {}).encode()
            self.send_response(200 if self.path in pushed else 404)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Api)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        for name in ("early", "racing", "quiet"):
            _repository(tmp_path / "remote", name)
        class_list = tmp_path / "repos.csv"
        class_list.write_text("folder,repository\nearly,course/early\nracing,course/racing\nquiet,course/quiet\n")
        config = course(tmp_path / "course")
        before = datetime.now(timezone.utc).replace(microsecond=0)
        code = fetch_submissions.main([str(class_list), str(tmp_path / "subs"), "--base-url",
                                       f"file://{tmp_path / 'remote'}/", "--config", str(config), "--api-url",
                                       f"http://127.0.0.1:{server.server_port}", "--submitted-at",
                                       str(tmp_path / "times.csv")])
        after = datetime.now(timezone.utc)
    finally:
        server.shutdown()
    assert code == 0
    log = {row["folder"]: row for row in csv.DictReader((tmp_path / "subs-fetched.csv").open())}
    assert log["early"]["pushed_at"] == "2026-12-01T16:59:00+00:00" and log["quiet"]["pushed_at"] == ""
    times = deadlines.read_times(tmp_path / "times.csv", "submitted_at")
    assert times["early"] == deadlines.parse_time("2026-12-01T16:59:00Z")  # pushed before it was fetched
    for name in ("racing", "quiet"):  # a push after the fetch is not what was graded; no pushed time at all
        assert times[name] == deadlines.parse_time(log[name]["fetched_at"]) and before <= times[name] <= after
    assert all(when.year != 2020 for when in times.values())
