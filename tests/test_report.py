"""The HTML feedback page of the toy course (tests/toy/): built for the reference and for wrong
submissions, opened in headless Chromium. This lesson's own plots are tested in
tests/course/test_report_lesson.py.

Chromium loads each page with a probe script added before </body>: on `load` it writes
"loaded/total" images (loaded = complete and naturalWidth > 0) into the body's
data-images attribute, which --dump-dom prints. A screenshot must not be blank.
"""

import html
import json
import re
import shutil
import subprocess

import numpy as np
import pytest
from support import TOY_SOLUTION, TOY_STUB, files_of, make_submission, mutate, run_cli, toy_submission

from autograder.config import load
from autograder.plugin import TestResult as CheckResult  # not "Test...": pytest would try to collect it
from autograder.report import write_report
from autograder.results import Report

CHROMIUM = shutil.which("chromium")
requires_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (make test installs it as root: apt-get install chromium)")
PROBE = ('<script>addEventListener("load", function () { var all = Array.from(document.images);'
         ' var ok = all.filter(function (i) { return i.complete && i.naturalWidth > 0; });'
         ' document.body.setAttribute("data-images", ok.length + "/" + all.length); });</script>')


def chromium(*args, tmp_path):
    profile = tmp_path / "chromium-profile"
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--hide-scrollbars", f"--user-data-dir={profile}", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def images_loaded(page, tmp_path) -> str:
    """'loaded/total' as Chromium saw the page's <img> elements once it had loaded."""
    probe = tmp_path / f"probe-{page.name}"
    probe.write_text(page.read_text().replace("</body>", PROBE + "</body>"))
    done = chromium("--virtual-time-budget=5000", "--dump-dom", probe.as_uri(), tmp_path=tmp_path)
    found = re.search(r'<body[^>]*data-images="(\d+/\d+)"', done.stdout)
    assert found, f"the probe script did not run (exit {done.returncode}): {done.stderr[-500:]}"
    return found.group(1)


def screenshot(page, tmp_path, height: int = 2400) -> np.ndarray:
    import matplotlib.image

    shot = tmp_path / f"{page.stem}.png"
    done = chromium(f"--window-size=1000,{height}", f"--screenshot={shot}", page.as_uri(), tmp_path=tmp_path)
    assert shot.exists(), f"chromium wrote no screenshot (exit {done.returncode}): {done.stderr[-500:]}"
    return matplotlib.image.imread(shot)[..., :3]


def assert_not_blank(pixels: np.ndarray) -> None:
    inked = np.any(pixels < 0.9, axis=-1).mean()
    colours = len(np.unique((pixels * 255).astype(np.uint8).reshape(-1, 3), axis=0))
    assert inked > 0.03 and colours > 100, f"the screenshot looks blank: {inked:.1%} inked pixels, {colours} colours"


def assert_page_shows_results(results: dict, text: str) -> None:
    """Every failed check's output, exactly as results.json has it (hidden checks: hints only)."""
    failed = [t for t in results["tests"] if t["status"] != "passed"]
    for test in failed:
        assert html.escape(test["output"]) in text, test["name"]
    assert ("Every check passed." in text) == (not failed)


def report_of(tests=(), artifacts=None) -> Report:
    return Report(tests=list(tests), seed=1, sandbox="test", execution_time=0.0, submission_sha256="0",
                  artifacts=artifacts or {})


def toy_page(submission, tmp_path, toy_repo):
    results, page = tmp_path / "results.json", tmp_path / "report.html"
    done = run_cli("grade", str(submission), "--results", str(results), "--report", str(page), cwd=toy_repo)
    assert done.returncode == 0, done.stderr
    return json.loads(results.read_text()), page


def test_probe_notices_a_broken_image(tmp_path):
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed (make test installs it as root: apt-get install chromium)")
    page = tmp_path / "broken.html"
    page.write_text('<!DOCTYPE html><html><body><img src="data:image/png;base64,iVBORw0KGgoAAAA"></body></html>')
    assert images_loaded(page, tmp_path) == "0/1"


@requires_chromium
def test_reference_page_renders_with_the_courses_section(tmp_path, toy_repo):
    results, page = toy_page(toy_submission(tmp_path / "reference"), tmp_path, toy_repo)
    text = page.read_text()
    assert results["score"] == results["extra_data"]["max_score"]
    assert_page_shows_results(results, text)
    assert "<h2>Your scale</h2>" in text and 'alt="scale on a ramp"' in text  # tests/toy/graders/figures.py
    assert not re.search(r'src="(?!data:)', text) and "<link" not in text, "the page must load nothing from outside"
    links = re.findall(r'href="([^"]*)"', text)  # lesson links only: headings of the lesson on this page
    assert links and all(re.fullmatch(r"#lesson-[\w-]+", link) and f'id="{link[1:]}"' in text for link in links), links
    assert images_loaded(page, tmp_path) == "1/1"
    assert_not_blank(screenshot(page, tmp_path, height=1000))  # the toy's page is short


@requires_chromium
def test_a_wrong_submission_page_shows_its_failures_and_its_own_plot(tmp_path, toy_repo):
    source = mutate(TOY_SOLUTION, "return np.asarray(x, dtype=float) * factor", "return np.asarray(x, dtype=float) ** 2")
    results, page = toy_page(toy_submission(tmp_path / "wrong", source), tmp_path, toy_repo)
    text = page.read_text()
    failed = [t for t in results["tests"] if t["status"] != "passed"]
    assert {t["tags"][0] for t in failed} == {"scale"} and any("hidden" in t["tags"] for t in failed)
    assert_page_shows_results(results, text)
    assert images_loaded(page, tmp_path) == "1/1"


def test_sections_that_cannot_be_made_are_one_line_each(tmp_path, toy_repo):
    config = load(toy_repo / "grading.toml")
    stub = CheckResult("scale", "test_scale_known_values", "scale multiplies", True, 2.0,
                       status="not implemented", message="scale is not implemented yet")
    text = write_report(tmp_path / "stub.html", report_of([stub]), {"toy.py": TOY_STUB.encode()},
                        config=config).read_text()
    assert "scale is not implemented yet, so there is no plot of it." in text and "<img" not in text
    empty = write_report(tmp_path / "empty.html", report_of([stub]), files_of(make_submission(tmp_path / "empty")),
                         config=config).read_text()
    assert "toy.py is not in the submission, so there is no plot of scale." in empty
    ungraded = write_report(tmp_path / "ungraded.html", report_of(), {"toy.py": TOY_SOLUTION.encode()},
                            config=config).read_text()
    assert "scale was not graded in this run, so there is no plot of it." in ungraded


def test_student_text_is_escaped(tmp_path, toy_repo):
    evil = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    source = mutate(TOY_SOLUTION, "return np.asarray(x, dtype=float) * factor", f"raise ValueError({evil!r})")
    failed = CheckResult("scale", "test_scale_known_values", "scale multiplies", True, 2.0,
                         message=f"your code raised ValueError: {evil}")
    text = write_report(tmp_path / "evil.html", report_of([failed]), {"toy.py": source.encode()},
                        config=load(toy_repo / "grading.toml")).read_text()
    assert "<script" not in text and "<img src=x" not in text
    assert text.count(html.escape(evil)) == 2  # the failed check and the course section's line


def test_page_lists_passed_checks_student_output_and_lesson_links(tmp_path, toy_repo):
    evil = "<b>printed</b>"
    passed = CheckResult("scale", "test_scale_known_values", "scale multiplies every entry", True, 2.0, 2.0, "passed")
    failed = CheckResult("predict", "test_predict_values", "predict gives x @ weights + bias", True, 2.0,
                         message="predict should be x @ weights + bias", output=f"debug {evil}\n",
                         trace=("toy.py:51 in predict: return self",))
    text = write_report(tmp_path / "report.html", report_of([passed, failed]), {},
                        config=load(toy_repo / "grading.toml")).read_text()
    assert "Checks that passed" in text and "scale multiplies every entry" in text
    assert html.escape(f"debug {evil}") in text and evil not in text
    assert "toy.py:51 in predict: return self" in text
    # links go to the lesson's headings, rendered at the end of the page and anchored as GitHub does
    links = dict(re.findall(r'<code>(\w+)</code> <a href="([^"]+)">lesson</a>', text))
    assert links["scale"] == "#lesson-1-scale-an-array", links
    assert links["predict"] == "#lesson-2-predict-with-a-line", links
    assert all(f'id="{link[1:]}"' in text for link in links.values()), links
