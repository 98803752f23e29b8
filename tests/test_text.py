"""autograder/text.py and the views that use it: each escapes untrusted text for where it lands."""

from __future__ import annotations

import csv
import io
import json
import os
import xml.etree.ElementTree as ET

import pytest
from markdown_it import MarkdownIt

from autograder import results, text
from autograder.plugin import TestResult as Result

HOSTILE = ("\x1b]52;c;aGk=\x07\x1b]0;title\x07\x1b[2J\x9b31m[link=http://e.example]x[/] [/] \x00\x0b\x0c\x1f\x7f"
           " ![i](http://e.example/i.png) <img src=x> [a](http://e.example) www.e.example me@e.example | \ud800")


def test_plain_removes_escape_sequences_and_control_characters_but_keeps_tabs_and_newlines():
    shown = text.plain(HOSTILE + "\tnext\nline")
    assert not any(ch in shown for ch in "\x1b\x07\x00\x0b\x0c\x1f\x7f\x9b")
    assert "aGk=" not in shown and "title" not in shown  # the OSC payloads go with their sequences
    assert shown.endswith("?\tnext\nline")  # the lone surrogate is replaced


def test_for_terminal_shows_markup_as_text():
    from rich.console import Console
    console = Console(file=io.StringIO(), force_terminal=True, color_system="truecolor", width=400, highlight=False)
    console.print(text.for_terminal(HOSTILE))  # an unbalanced [/] would raise MarkupError here
    printed = console.file.getvalue()
    assert "[link=http://e.example]x[/] [/]" in printed and "\x1b]8;" not in printed  # no live hyperlink


def test_for_xml_replaces_what_xml_1_0_forbids():
    element = ET.Element("failure", message=text.for_xml(HOSTILE))
    element.text = text.for_xml(HOSTILE)
    assert ET.fromstring(ET.tostring(element, encoding="unicode")).text.startswith("\ufffd]52")
    with pytest.raises(ET.ParseError):  # what it prevents
        ET.fromstring(f"<a>{HOSTILE[:20]}</a>")


def test_for_markdown_renders_as_the_text_itself():
    escaped = text.for_markdown(HOSTILE)
    html = MarkdownIt("commonmark").enable("table").render(f"| a |\n| - |\n| {escaped} |\n")
    assert "<a " not in html and "<img" not in html and html.count("<td>") == 1
    # GitHub also links bare URLs, www. names and e-mail addresses: none is left in a linkable form.
    assert "http://" not in escaped and "www." not in escaped and "me@" not in escaped


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("http://e","x")'])
def test_for_csv_never_starts_a_cell_with_a_formula_character(cell):
    assert text.for_csv(cell).startswith("'")
    assert text.for_csv("alice") == "alice" and text.for_csv("0.5") == "0.5"


def test_clean_replaces_lone_surrogates_only():
    assert text.clean("é\ud800x") == "é?x" and text.clean("ok") == "ok"


def test_write_atomic_writes_surrogates_replaced_and_leaves_no_temporary_file(tmp_path):
    results.write_json(tmp_path / "r.json", {"output": "a\ud800b", "k\udcff": 1})
    assert json.loads((tmp_path / "r.json").read_bytes().decode("utf-8")) == {"output": "a?b", "k?": 1}
    assert os.listdir(tmp_path) == ["r.json"]


def test_write_atomic_removes_its_temporary_file_when_writing_fails(tmp_path, monkeypatch):
    (tmp_path / "r.json").write_text("old")

    def broken(*args):
        raise OSError("disk full")
    monkeypatch.setattr(results.os, "replace", broken)
    with pytest.raises(OSError):
        results.write_atomic(tmp_path / "r.json", "new")
    assert os.listdir(tmp_path) == ["r.json"] and (tmp_path / "r.json").read_text() == "old"


def _report(message: str) -> results.Report:
    test = Result("sigmoid", "test_sigmoid_values", "sigmoid gives values", True, 2.0, 0.0, "failed", message)
    return results.Report(tests=[test], seed=1, sandbox="test", execution_time=0.5, submission_sha256="0",
                          notes=["note with [a](http://e.example)"])


def test_junit_of_a_hostile_message_parses():
    root = ET.fromstring(results.junit(_report(HOSTILE)).encode())
    assert "[link=http://e.example]" in root.find(".//failure").text


def test_markdown_summary_of_a_hostile_message_has_no_link_image_or_broken_row():
    html = MarkdownIt("commonmark").enable("table").render(results.markdown(_report(HOSTILE)))
    assert "<a " not in html and "<img" not in html and html.count("<tr>") == 3


def test_results_json_without_timings_is_the_same_for_the_same_grading():
    one, two = _report("x"), _report("x")
    two.execution_time, two.tests[0].seconds = 9.0, 3.0
    assert results.gradescope(one, timings=False) == results.gradescope(two, timings=False)
    assert "execution_time" not in results.gradescope(one, timings=False)
    assert results.gradescope(one) != results.gradescope(two)


def test_gradebook_cells_are_never_formulas():
    from autograder.gradebook import Row, gradebook
    rows = [Row("=cmd|' /C calc'!A0", "refused", "-2+3"), Row("bob", "graded", "", {"sigmoid": 10.0}, 10.0)]
    table = list(csv.reader(io.StringIO(gradebook(rows, ["sigmoid"], "d" * 64))))
    assert table[0] == ["student", "sigmoid", "total", "status", "detail", "grader_digest"]
    assert table[1][0] == "'=cmd|' /C calc'!A0" and table[1][4] == "'-2+3"
    assert table[2] == ["bob", "10", "10", "graded", "", "d" * 64]
