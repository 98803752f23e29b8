"""The feedback page: one self-contained HTML file with the scores and matplotlib plots.

Everything is inline (CSS, PNGs as base64), so the page opens from a zip or an e-mail.
After the scores come the course's own sections: `SECTIONS` in <graders>/figures.py, a list of
(heading, make) where make(report, files, config) returns HTML (`figure()` turns a matplotlib
figure into an inline one) or raises `Missing` with the line to show instead. A section that
cannot be made becomes one line; the page itself is always written.
"""

from __future__ import annotations

import base64
import contextlib
import html
import io
import re
from pathlib import Path

import numpy as np

from . import __version__
from .config import Config, load
from .results import Report, write_atomic

DEFAULT_CONFIG = Path(__file__).resolve().parent.parent / "grading.toml"

CSS = """
body { font: 15px/1.45 system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; margin: .5rem 0; } td, th { padding: .3rem .8rem; border-bottom: 1px solid #eee; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.full { color: #176f2c; } .part { color: #9a6700; } .zero { color: #b42318; }
.check { margin: .6rem 0; padding: .5rem .8rem; border-left: 4px solid #b42318; background: #fdf3f2; }
.check pre { white-space: pre-wrap; margin: .3rem 0 0; font: 13px/1.4 ui-monospace, monospace; }
.tag { font-size: 12px; color: #666; } .missing { color: #666; font-style: italic; }
figure { margin: 1rem 0; } figcaption { color: #555; font-size: 13px; } img { max-width: 100%; }
.note { background: #fff8e1; padding: .4rem .8rem; }
.lesson pre { background: #f6f8fa; padding: .5rem .8rem; overflow-x: auto; } .lesson h3, .lesson h4 { margin-top: 1.5rem; }
.check.passed { border-left-color: #176f2c; background: #f1f8f3; } .check.waiting { border-left-color: #1f5fa8; background: #f1f5fb; }
"""


def write_report(path, report: Report, files: dict[str, bytes] | None = None, config: Config | None = None) -> Path:
    """Write the feedback page for one graded submission (files: the bytes graded, report.files by
    default; the submission's folder is never read again; config: the course, grading.toml by default);
    returns its path."""
    path = Path(path)
    write_atomic(path, build_page(report, report.files if files is None else files, config=config))
    return path


def build_page(report: Report, files: dict[str, bytes], lesson: Path | None = None,
               config: Config | None = None) -> str:
    """files: the bytes graded; lesson: the folder of the lesson's Markdown, rendered at the end of
    the page, where the score table's lesson links land."""
    config = config or load(DEFAULT_CONFIG)
    lesson = lesson or Path(config.path).resolve().parent / "lesson"  # the course's, beside its grading.toml
    parts = [f"<h1>Autograder feedback: {report.score:g} / {report.max_score:g}</h1>"]
    parts += [f'<p class="note">{html.escape(note)}</p>' for note in report.notes]
    sections = {exercise: f"#{LESSON_ID}-{anchor}"
                for exercise, anchor in lesson_sections(lesson, report.by_exercise()).items()}
    parts.append(_scores(report, sections))
    for heading, make in course_sections(config):
        parts.append(f"<h2>{html.escape(heading)}</h2>")
        parts.append(_section(lambda: make(report, files, config), heading))
    parts.append(_section(lambda: lesson_html(lesson), "The lesson"))
    parts.append(f'<p class="tag">Seed {report.seed}, engine {html.escape(__version__)}, '
                 f"sandbox: {html.escape(report.sandbox)}.</p>")
    return ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>Autograder feedback</title><style>{CSS}</style></head>\n<body>\n"
            + "\n".join(parts) + "\n</body></html>\n")


class Missing(Exception):
    """A part of the page that cannot be made; the message is the line shown instead."""


def course_sections(config: Config) -> list:
    """The course's (heading, make) sections: SECTIONS in <graders>/figures.py, none without one."""
    import importlib.util

    path = config.graders / "figures.py"
    if not path.is_file():
        return []
    spec = importlib.util.spec_from_file_location("autograder_course_figures", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return list(getattr(module, "SECTIONS", []))


# A course section works on what the child sent (a trained network's weights, its losses), so
# each is bounded: what it may add to this process's address space, and its time. Past either it
# becomes one line, and the rest of the page is written.
SECTION_MEMORY_MB = 1024
SECTION_S = 60.0


class _TooLong(Exception):
    pass


def _section(make, what: str) -> str:
    try:
        with _bounded(SECTION_MEMORY_MB, SECTION_S):
            return make()
    except Missing as why:
        return f'<p class="missing">{html.escape(str(why))}</p>'
    except MemoryError:
        return f'<p class="missing">{html.escape(what)} could not be drawn within {SECTION_MEMORY_MB} MB.</p>'
    except _TooLong:
        return f'<p class="missing">{html.escape(what)} could not be drawn within {SECTION_S:g} s.</p>'
    except Exception as error:  # a plot must never cost the student their results page
        return f'<p class="missing">{html.escape(what)} could not be drawn ({html.escape(type(error).__name__)}).</p>'


@contextlib.contextmanager
def _bounded(memory_mb: int, seconds: float):
    """RLIMIT_AS lowered to this process's size + memory_mb (Linux), and a SIGALRM timer (main
    thread): an allocation past it raises MemoryError, the timer _TooLong; both undone after."""
    import resource
    import signal
    import threading

    try:
        with open("/proc/self/status") as status:
            size = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmSize:"))
    except (OSError, StopIteration, ValueError):
        size = None
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = None if size is None else size + (memory_mb << 20)
    if limit is not None and hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    timed = threading.current_thread() is threading.main_thread()

    def stop(signum, frame):
        raise _TooLong

    lowered = False
    if limit is not None and (soft == resource.RLIM_INFINITY or limit < soft):
        try:
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
            lowered = True
        except (ValueError, OSError):  # macOS refuses RLIMIT_AS: the timer alone bounds the section there
            pass
    if timed:
        previous = signal.signal(signal.SIGALRM, stop)
        signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        if timed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
        if lowered:
            resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


# -- scores -------------------------------------------------------------------------------
def _scores(report: Report, sections: dict[str, str] | None = None) -> str:
    sections = sections or {}
    rows = []
    for exercise, tests in report.by_exercise().items():
        score, most = sum(t.score for t in tests), sum(t.max_score for t in tests)
        passed = sum(t.status == "passed" for t in tests)
        css = "full" if score >= most else "part" if score > 0 else "zero"
        link = f' <a href="{html.escape(sections[exercise])}">lesson</a>' if exercise in sections else ""
        rows.append(f'<tr><td><code>{html.escape(exercise)}</code>{link}</td><td class="num {css}">{score:g} / {most:g}</td>'
                    f'<td class="num">{passed} / {len(tests)}</td></tr>')
    rows.append(f'<tr><th>total</th><th class="num">{report.score:g} / {report.max_score:g}</th><th></th></tr>')
    table = ("<h2>Scores</h2><table><thead><tr><th>exercise</th><th>score</th><th>checks passed</th></tr></thead>"
             f"<tbody>{''.join(rows)}</tbody></table>")
    failed = [t for t in report.tests if t.status != "passed"]
    passed = [t for t in report.tests if t.status == "passed"]
    out = table + ("<p>Every check passed.</p>" if report.tests and not failed else "")
    if failed:
        out += "<h2>Checks that did not pass</h2>" + "".join(_check(t) for t in failed)
    if passed:
        out += "<h2>Checks that passed</h2>" + "".join(_check(t) for t in passed)
    return out


def _check(test) -> str:
    """One check: its title and score, the message, the student's frames and output (all escaped)."""
    css = "passed" if test.status == "passed" else "waiting" if test.status == "waiting" else ""
    parts = [f'<div class="check {css}"><b>{html.escape(test.exercise)}</b>: {html.escape(test.title)} '
             f'<span class="tag">({test.score:g} / {test.max_score:g}, {html.escape(test.status)}, '
             f'{"public" if test.public else "hidden"})</span>']
    if test.message:
        parts.append(f"<pre>{html.escape(test.message)}</pre>")
    if test.trace:
        parts.append("<p class=\"tag\">In your code (innermost last):</p><pre>"
                     + html.escape("\n".join(test.trace)) + "</pre>")
    if test.output:
        parts.append(f'<p class="tag">Your code printed:</p><pre>{html.escape(test.output)}</pre>')
    return "".join(parts) + "</div>"


# -- lesson links ---------------------------------------------------------------------------
LESSON = Path(__file__).resolve().parent.parent / "lesson"
LESSON_ID = "lesson"  # the lesson's headings are #lesson-<GitHub's anchor> on the page


def lesson_sections(lesson: Path, exercises) -> dict[str, str]:
    """{exercise: the anchor of its heading in the course's lesson}: the heading over the lesson's
    first code that defines it (`def name(`), else the first heading that names most of the words
    of its id (outside code blocks)."""
    files = sorted(lesson.glob("*.md")) if lesson.is_dir() else []
    texts = [path.read_text(errors="replace") for path in files]
    headings = [heading for text in texts for heading in markdown_headings(text)]
    found = {}
    for exercise in exercises:
        defined = next(filter(None, (_heading_over(text, rf"^\s*def {re.escape(exercise)}\(") for text in texts)), None)
        if defined is not None:
            found[exercise] = _anchor(defined)
            continue
        words = exercise.lower().split("_")
        best = max(headings, default=None, key=lambda h: (sum(bool(re.search(rf"\b{re.escape(w)}", h.lower()))
                                                              for w in words), -headings.index(h)))
        if best and any(re.search(rf"\b{re.escape(w)}", best.lower()) for w in words):
            found[exercise] = _anchor(best)
    return found


def _heading_over(markdown: str, pattern: str) -> str | None:
    """The last heading above the first line inside a code fence that matches pattern."""
    heading, fenced = None, False
    for line in markdown.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
        elif not fenced and re.match(r"#{1,6} ", line):
            heading = line.lstrip("#").strip()
        elif fenced and heading is not None and re.search(pattern, line):
            return heading
    return None


def lesson_html(lesson: Path) -> str:
    """The lesson's Markdown files rendered, each heading with the id the score table links to."""
    from markdown_it import MarkdownIt

    files = sorted(lesson.glob("*.md")) if lesson.is_dir() else []
    if not files:
        raise Missing("The lesson is not here (no lesson/*.md).")
    parser = MarkdownIt("commonmark", {"html": False}).enable("table")
    parts = [f'<h2 id="{LESSON_ID}">The lesson</h2>']
    for path in files:
        tokens = parser.parse(path.read_text(errors="replace"))
        for number, token in enumerate(tokens):
            if token.type == "heading_open":
                token.attrSet("id", f"{LESSON_ID}-{_anchor(tokens[number + 1].content.lstrip('#').strip())}")
                token.tag = f"h{min(int(token.tag[1]) + 2, 6)}"  # under the page's own h1 and h2
            elif token.type == "heading_close":
                token.tag = f"h{min(int(token.tag[1]) + 2, 6)}"
        parts.append(f'<div class="lesson">{parser.renderer.render(tokens, parser.options, {})}</div>')
    return "\n".join(parts)


def markdown_headings(markdown: str) -> list[str]:
    """The text of each Markdown heading, in order, outside code fences."""
    headings, fenced = [], False
    for line in markdown.splitlines():
        fenced ^= line.lstrip().startswith("```")
        if not fenced and re.match(r"#{1,6} ", line):
            headings.append(line.lstrip("#").strip())
    return headings


def _anchor(heading: str) -> str:
    """GitHub's anchor for a Markdown heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.lower())
    return text.replace(" ", "-")


# -- plots --------------------------------------------------------------------------------
def pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def figure(fig, alt: str, caption: str) -> str:
    """An inline <figure> of a matplotlib figure (closed here); caption is HTML, escaped by the caller."""
    plt = pyplot()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    plt.close(fig)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return (f'<figure><img src="data:image/png;base64,{data}" alt="{html.escape(alt)}">'
            f"<figcaption>{caption}</figcaption></figure>")
