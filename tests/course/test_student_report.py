"""The student's `make report` is the instructor's report for public checks: the same sections and
the same plots, seen in headless Chromium; its lesson links land on the lesson's headings."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (apt-get install chromium)")
# On load: the alt text of every image that loaded, the page's sections (h2), and the element the
# URL's #fragment names, written into the body's data-seen attribute for --dump-dom.
PROBE = ('<script>addEventListener("load", function () {'
         ' var shown = Array.from(document.images).filter(function (i) { return i.complete && i.naturalWidth > 0; });'
         ' var target = location.hash ? document.getElementById(location.hash.slice(1)) : null;'
         ' document.body.setAttribute("data-seen", JSON.stringify({'
         '  figures: shown.map(function (i) { return i.alt; }),'
         '  sections: Array.from(document.querySelectorAll("h2")).map(function (h) { return h.textContent; }),'
         '  target: target ? target.tagName + " " + target.textContent : null})); });</script>')


def seen(page: Path, tmp_path: Path, fragment: str = "") -> dict:
    probe = page.with_name(f"probe-{page.name}")
    probe.write_text(page.read_text().replace("</body>", PROBE + "</body>"))
    done = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                           "--disable-background-networking", "--disable-component-update", "--disable-sync",
                           f"--user-data-dir={tmp_path / 'chromium-profile'}", "--virtual-time-budget=5000",
                           "--dump-dom", probe.as_uri() + fragment], capture_output=True, text=True, timeout=120)
    found = re.search(r"data-seen=\"([^\"]*)\"", done.stdout)
    assert found, f"the probe did not run (exit {done.returncode}): {done.stderr[-500:]}"
    import html
    return json.loads(html.unescape(found.group(1)))


def test_the_students_report_shows_the_instructors_sections_and_plots(tmp_path):
    sys.path.insert(0, str(REPO))
    from autograder.release import release

    instructor = tmp_path / "instructor.html"
    done = subprocess.run([sys.executable, "-m", "autograder", "grade", "solutions", "--results",
                           str(tmp_path / "instructor.json"), "--report", str(instructor)],
                          cwd=REPO, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    student = tmp_path / "student"
    release(student)
    for path in (REPO / "solutions").glob("*.py"):
        shutil.copy(path, student / "exercises" / path.name)
    done = subprocess.run(["make", "report", f"PY={sys.executable}"], cwd=student, capture_output=True, text=True,
                          timeout=900, env={**os.environ, "AUTOGRADER_SANDBOX": "none"})  # a laptop: no sandbox
    assert done.returncode == 0, done.stdout + done.stderr
    theirs, ours = seen(student / "out" / "report.html", tmp_path), seen(instructor, tmp_path)
    assert len(ours["figures"]) >= 4 and theirs["figures"] == ours["figures"], (theirs, ours)
    assert theirs["sections"] == ours["sections"], (theirs, ours)

    page = (student / "out" / "report.html").read_text()
    link = re.search(r'<code>sigmoid</code> <a href="(#[^"]+)">lesson</a>', page).group(1)
    landed = seen(student / "out" / "report.html", tmp_path, link)["target"]
    assert landed and re.match(r"H\d 2\. Activation Functions$", landed), landed
