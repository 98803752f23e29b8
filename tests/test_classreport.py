"""The class report from a grade-all output: its numbers, its escaping, and that Chromium renders it."""

import html
import re

import pytest
from class_out import SIGN_HINT, student, write_out
from support import requires_bwrap
from support import TOY_SOLUTION, mutate, run_cli, toy_submission
from test_report import assert_not_blank, images_loaded, requires_chromium, screenshot

from autograder import classreport

EVIL = "<img src=x onerror=alert(1)>"
CRASH = "your code crashed: it was killed (signal 9) after using over 1024 MB"


@pytest.fixture
def out(tmp_path):
    wrong = {"test_scale_random_values": SIGN_HINT, "test_scale_known_values": SIGN_HINT + "\nworst element ..."}
    return write_out(tmp_path / "out", {
        "alice": student("alice", seconds=2.0),
        "bob": student("bob", wrong, seconds=9.5),
        "carol": student("carol", wrong, seconds=1.0),
        EVIL: student(EVIL, {"test_predict_values": f"your code raised ValueError: {EVIL}"}, seconds=3.0),
        "dave": student("dave", {"test_predict_values": CRASH}, seconds=30.0),
        "erin": None,
        "frank": None,
    }, {"erin": ("refused", "toy.py is a symbolic link"), "frank": ("does-not-import", f"SyntaxError {EVIL}")})


def test_numbers_come_from_the_results(out):
    data = classreport.load(out)
    assert data.exercises == ["scale", "predict"] and len(data.results) == 5
    assert data.max_points() == {"scale": 5.0, "predict": 5.0}
    assert sorted(data.scores("scale")) == [0.0, 0.0, 5.0, 5.0, 5.0]
    rates = {check.name: (check.passed, check.failed) for check in data.checks()}
    assert rates == {"scale: scale multiplies every entry": (3, 2), "scale: scale is right on random arrays": (3, 2),
                     "predict: predict gives x @ weights + bias": (3, 2)}
    assert data.hints()[0] == ("scale", SIGN_HINT, 2), "one student counts once per hint, not once per check"
    assert [s for s, _, _ in data.slowest()][:2] == ["dave", "bob"]
    problems = {(s, status) for s, status, _ in data.problems()}
    assert problems == {("erin", "refused"), ("frank", "does-not-import"), ("dave", "crashed in predict")}


def test_untrusted_text_is_escaped(out):
    page_path, markdown_path = classreport.write(out)
    page, markdown = page_path.read_text(), markdown_path.read_text()
    assert "<img src=x" not in page and html.escape(EVIL) in page
    assert page.count(html.escape(EVIL)) >= 3  # a folder name, a hint, a detail
    assert not re.search(r"(?<!\\)<", markdown) and "\\<img src=x onerror=alert\\(1\\)\\>" in markdown
    assert "| frank | does-not-import | SyntaxError \\<img" in markdown
    assert not re.search(r'(src|href)="(?!data:)', page), "the page must not load anything from outside itself"


@requires_chromium
def test_page_renders_with_its_plots(out, tmp_path):
    page, _ = classreport.write(out)
    text = page.read_text()
    assert 'alt="score histogram per exercise"' in text and 'alt="pass rate per check"' in text
    assert images_loaded(page, tmp_path) == "2/2"
    assert_not_blank(screenshot(page, tmp_path))


def test_nothing_graded_still_gives_a_page(tmp_path):
    out = write_out(tmp_path / "out", {"erin": None}, {"erin": ("missing", "no toy.py or words.py")})
    page, markdown = classreport.write(out)
    assert "No results.json to plot." in page.read_text() and "<img" not in page.read_text()
    assert "| missing | 1 |" in markdown.read_text()


@requires_bwrap
def test_class_report_of_a_real_grade_all_run(tmp_path, toy_repo):
    # The formats of a real run, whatever statuses and columns grade-all writes today.
    submissions = tmp_path / "submissions"
    toy_submission(submissions / "right")
    toy_submission(submissions / "sign", mutate(TOY_SOLUTION, "dtype=float) * factor", "dtype=float) * -factor"))
    out = tmp_path / "out"
    done = run_cli("grade-all", str(submissions), "--out", str(out), "--only", "scale", cwd=toy_repo)
    assert done.returncode == 0, done.stderr
    done = run_cli("class-report", str(out))
    assert done.returncode == 0, done.stderr
    data = classreport.load(out)
    assert set(data.results) == {"right", "sign"}
    assert sorted(data.scores("scale"))[-1] == data.max_points()["scale"] > sorted(data.scores("scale"))[0]
    assert any(hint and n == 1 for _, hint, n in data.hints())
    assert (out / "class-report.html").is_file() and (out / "class-report.md").is_file()
