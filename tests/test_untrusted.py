"""Text a submission chooses is data: hidden checks never echo it, and every view escapes it.

One submission of the toy course (its reference solution plus the attacks below, one per
exercise) is graded with `python -m autograder grade --junit --summary` in each sandbox mode:
- scale raises an exception whose class name carries the hidden input's values and whose
  message holds rich markup, terminal escape sequences (OSC 52 clipboard write, window title,
  clear screen), XML-illegal control characters, a Markdown link and image, and a lone surrogate;
- mean (hidden checks only) raises NotImplementedError with a stub-shaped message carrying the
  input, and exits with a status it chose (173) on integer input;
- predict returns an object of a class named after the input;
- fit exits with a status it chose (173).
Hidden checks must show none of it; public checks show it, escaped where it lands.
It runs in every sandbox mode of support.SANDBOX_MODES.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from support import SANDBOX_MODES
from markdown_it import MarkdownIt
from support import TOY_SOLUTION, make_submission, run_cli

from autograder.handle import StudentCrashed, StudentError
from autograder.plugin import WITHHELD, _Seen, verdict
from autograder.wire import Opaque

MODES = SANDBOX_MODES
NUMPY = "scale,predict,mean,fit"
NASTY = ("\x1b]52;c;aGk=\x07\x1b]0;owned\x07\x1b[2J[link=http://evil.example]click[/] [/] "
         "\x00\x0b\x1f ![pixel](http://evil.example/p.png) [here](http://evil.example) \ud800 end")

ATTACK = '''

import numpy as _np

def _leak(x):
    return "".join(str(int(abs(v) * 1000) % 10) for v in _np.ravel(_np.asarray(x, dtype=float))[:12])

def scale(x, factor):
    raise type("Leak" + _leak(x), (Exception,), {})(NASTY)

def mean(x):
    if _np.asarray(x).dtype.kind == "i":
        import os
        os._exit(173)
    raise NotImplementedError("Leak" + _leak(x) + " is not implemented yet")

def _predict(self, x):
    return type("Leak" + _leak(x), (), {})()
Line.predict = _predict

def fit(x, y, epochs):
    import os
    os._exit(173)
'''.replace("NASTY", repr(NASTY))


@pytest.fixture(scope="module", params=list(MODES.values()), ids=list(MODES))
def graded(request, tmp_path_factory, toy_repo):
    root = tmp_path_factory.mktemp("untrusted")
    folder = make_submission(root / "sub", toy=TOY_SOLUTION + ATTACK)
    out = root / "out"
    out.mkdir()
    done = run_cli("grade", str(folder), "--results", str(out / "results.json"), "--junit", str(out / "junit.xml"),
                   "--summary", str(out / "summary.md"), "--only", NUMPY, "--allow-unsandboxed", env=request.param,
                   timeout=300, cwd=toy_repo)
    return done, out


def _tests(out, visibility: str) -> list[dict]:
    tests = json.loads((out / "results.json").read_text(encoding="utf-8"))["tests"]
    return [t for t in tests if (t["tags"][1] == "hidden") == (visibility == "hidden")]


def test_a_hostile_message_never_stops_grading_or_leaves_temporary_files(graded):
    done, out = graded
    assert done.returncode == 0, done.stderr
    assert sorted(path.name for path in out.iterdir()) == ["junit.xml", "results.json", "summary.md"]
    text = (out / "results.json").read_bytes().decode("utf-8")  # strict: no lone surrogate was written
    assert "\\ud800" not in text and "\\udc" not in text


def test_hidden_checks_echo_no_name_message_or_status_the_submission_chose(graded):
    _, out = graded
    hidden = _tests(out, "hidden")
    assert {t["tags"][0] for t in hidden} == {"scale", "predict", "mean"}
    for test in hidden:
        assert "Leak" not in test["output"] and "173" not in test["output"], test
    outputs = {t["tags"][0]: t["output"] for t in hidden if t["status"] != "passed"}
    assert outputs["scale"] == "your code raised an exception"
    assert sorted(t["output"] for t in hidden if t["tags"][0] == "mean") == [
        "not implemented yet", "your code crashed: the process exited (sys.exit or os._exit in your code?)"]
    assert WITHHELD in [t["output"] for t in hidden if t["tags"][0] == "predict"]


def test_public_checks_show_the_submissions_own_text(graded):
    # The attacks did run: the same text is in the public checks (which may show it).
    _, out = graded
    public = {t["tags"][0]: t["output"] for t in _tests(out, "public") if t["status"] != "passed"}
    assert "Leak" in public["scale"] and "[link=http://evil.example]" in public["scale"]
    # predict's ran with the reference's scale standing in (the student's raised): they speak as hidden
    # checks do, so nothing of the stand-in (or what the student's code made of it) comes back
    assert "Leak" not in public["predict"] and "standing in" in public["predict"], public["predict"]
    assert "173" not in public["fit"] and "the process exited" in public["fit"]  # beside stand-ins too


def test_junit_parses_whatever_the_messages_hold(graded):
    _, out = graded
    root = ET.fromstring((out / "junit.xml").read_bytes())
    messages = [failure.text or "" for failure in root.iter("failure")]
    assert any("Leak" in text for text in messages)
    assert not any(ch in text for text in messages for ch in "\x00\x0b\x1b")


def test_the_markdown_summary_renders_no_link_image_or_html(graded):
    _, out = graded
    summary = (out / "summary.md").read_text(encoding="utf-8")
    assert "evil.example/p.png" in summary  # the text is there, as text
    html = MarkdownIt("commonmark").enable("table").render(summary)
    assert "<a " not in html and "<img" not in html and "\x1b" not in html
    assert html.count("<tr>") == 6  # header, four exercises, total: no row broken by a '|'


# -- verdict(): the trusted side's wording, unit by unit ---------------------------------

def test_a_hidden_check_names_only_builtin_exception_types():
    assert verdict(StudentError("ValueError", "x=[0.5]", "toy.py line 9, in f"), public=False)[1] == \
        "your code raised ValueError"
    assert verdict(StudentError("Leak0512", "", ""), public=False)[1] == "your code raised an exception"
    public = verdict(StudentError("Leak0512", "x=[0.5]", "toy.py line 9, in f"), public=True)[1]
    assert public == "your code raised Leak0512: x=[0.5] (toy.py line 9, in f)"


@pytest.mark.parametrize("crash, shown", [
    ("the process exited with status 173 (sys.exit or os._exit in your code?)",
     "the process exited (sys.exit or os._exit in your code?)"),
    ("the process died with signal SIGUSR1", "the process died from a signal"),
    ("the process died with signal 37", "the process died from a signal"),
    ("sent back something that is not plain data (message of 9123456 bytes exceeds the 268435456 byte limit)",
     "sent back something that is not plain data"),
    ("took longer than the 10 s time limit (an endless loop?)",
     "took longer than the 10 s time limit (an endless loop?)"),
    ("something new the engine says 12345", "it stopped answering"),
])
def test_a_hidden_crash_keeps_the_limits_and_drops_what_the_submission_chose(crash, shown):
    said = "your code " if crash.startswith("took longer") else "your code crashed: "  # a time limit is no crash
    assert verdict(StudentCrashed(crash), public=False)[1] == said + shown
    assert verdict(StudentCrashed(crash), public=True)[1] == said + crash


def test_a_graders_hint_that_would_repeat_the_childs_text_is_withheld():
    from autograder.checks import CheckFailed, as_array

    seen = _Seen()
    seen.received.add("Leak0512")
    with pytest.raises(CheckFailed) as caught:
        as_array(Opaque(1, "Leak0512"), "forward(inputs)")
    assert verdict(caught.value, public=False, seen=seen)[1] == WITHHELD
    assert "Leak0512" in verdict(caught.value, public=True, seen=seen)[1]
    seen.sent.add("Leak0512")  # the grader's own string (e.g. new("MLP")) coming back is not the child's
    assert "Leak0512" in verdict(caught.value, public=False, seen=seen)[1]
    # A grader that wrapped a StudentError into its own hint: the wrapped message is known too.
    try:
        try:
            raise StudentError("ValueError", "secret 0.5123", "")
        except StudentError as error:
            raise AssertionError(f"forward failed: {error.message}")  # noqa: B904 (keeps __context__)
    except AssertionError as wrapped:
        assert verdict(wrapped, public=False)[1] == WITHHELD


def test_an_integer_no_float_can_hold_is_the_students_failure():
    seen = _Seen()
    from autograder.plugin import _collect
    _collect([1.0, 10 ** 400], seen.received, seen)
    status, message, _ = verdict(OverflowError("int too large to convert to float"), public=False, seen=seen)
    assert status == "failed" and "too large" in message and "instructor" not in message
    # Without such a value the same error is the grader's.
    assert verdict(OverflowError("math range error"), public=False)[0] == "error"


def test_a_death_by_a_nameless_signal_is_called_one():
    from autograder.sandbox import Limits, _death

    assert _death(-37, Limits()) == "the process died with signal 37"  # a real-time signal (the watchdog's is 37)
    assert _death(-10, Limits()) == "the process died with signal SIGUSR1"
    assert _death(3, Limits()) == "the process exited with status 3 (sys.exit or os._exit in your code?)"
