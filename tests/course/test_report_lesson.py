"""This lesson's sections of the feedback page (autograder/graders/figures.py: the XOR plots from the
student's own training, the MNIST plots from the Keras graders' artifacts), opened in headless
Chromium with the helpers of the engine's page tests (tests/test_report.py)."""

import html
import json
import re

import numpy as np
import pytest
from support import REPO, files_of, make_submission, mutate, run_cli
from test_report import (assert_not_blank, assert_page_shows_results, images_loaded, report_of,
                         requires_chromium, screenshot)

from autograder.graders import mnist as data
from autograder.plugin import TestResult as CheckResult  # not "Test...": pytest would try to collect it
from autograder.report import write_report

NUMPY_EXERCISES = "sigmoid,sigmoid_derivative,forward,backward,train_xor"
# The lesson's XOR settings: 2 hidden units, rate 1, all weights from rand() in [0, 1), 100 epochs.
LESSON_XOR = ("network = MLP(2, 2, 1, learning_rate=1.0, seed=seed)\n"
              "    rng = np.random.default_rng(seed)\n"
              "    for name in ('weights_input_hidden', 'bias_hidden', 'weights_hidden_output', 'bias_output'):\n"
              "        setattr(network, name, rng.random(getattr(network, name).shape))")


def grade_with_report(submission, tmp_path):
    results, page = tmp_path / "results.json", tmp_path / "report.html"
    done = run_cli("grade", str(submission), "--results", str(results), "--only", NUMPY_EXERCISES,
                   "--report", str(page))
    assert done.returncode == 0, done.stderr
    return json.loads(results.read_text()), page


@requires_chromium
def test_reference_page_renders_with_its_plots(tmp_path):
    results, page = grade_with_report(REPO / "solutions", tmp_path)
    text = page.read_text()
    assert all(t["status"] == "passed" for t in results["tests"] if t["tags"][0] == "train_xor")
    assert_page_shows_results(results, text)
    assert 'alt="XOR loss curve"' in text and 'alt="XOR decision boundary"' in text
    assert "Every output is within 0.1 of its label." in text
    assert "no MNIST plots" in text
    assert not re.search(r'src="(?!data:)', text) and "<link" not in text, "the page must load nothing from outside"
    links = re.findall(r'href="([^"]*)"', text)  # lesson links only: headings of the lesson on this page
    assert links and all(re.fullmatch(r"#lesson-[\w-]+", link) and f'id="{link[1:]}"' in text for link in links), links
    assert images_loaded(page, tmp_path) == "2/2"
    assert_not_blank(screenshot(page, tmp_path))


@requires_chromium
def test_lesson_settings_page_shows_the_failures_and_the_stuck_network(tmp_path, solution_mlp):
    source = mutate(solution_mlp, "network = MLP(2, 8, 1, learning_rate=2.0, seed=seed)", LESSON_XOR)
    source = mutate(source, "epochs=1000)", "epochs=100)")
    results, page = grade_with_report(make_submission(tmp_path / "lesson", mlp=source), tmp_path)
    text = page.read_text()
    xor = [t for t in results["tests"] if t["tags"][0] == "train_xor" and t["status"] != "passed"]
    assert any("hidden" in t["tags"] for t in xor) and any("public" in t["tags"] for t in xor)
    assert_page_shows_results(results, text)
    assert "Not every output is within 0.1 of its label yet." in text and "100 epochs" in text
    assert images_loaded(page, tmp_path) == "2/2"
    assert_not_blank(screenshot(page, tmp_path))


@requires_chromium
def test_keras_artifacts_give_a_confusion_matrix_and_misclassified_digits(tmp_path):
    (_, _), (_, y_test) = data.read_npz(data.SMALL_PATH)
    predictions = y_test.astype(np.int64).copy()
    predictions[:7] = (predictions[:7] + 1) % 10  # seven known mistakes
    page = write_report(tmp_path / "keras.html", report_of(artifacts={"keras": {"test_pred": predictions}}),
                        {})
    text = page.read_text()
    assert 'alt="MNIST confusion matrix"' in text and 'alt="misclassified MNIST digits"' in text
    assert "The first 7 of 7 misclassified" in text and f"{len(y_test)} images" in text
    assert images_loaded(page, tmp_path) == "2/2"


def test_keras_plots_from_layers_alone(tmp_path):
    rng = np.random.default_rng(0)
    layers = [{"kernel": rng.normal(0, 0.05, (784, 16)), "bias": np.zeros(16), "activation": "relu"},
              {"kernel": rng.normal(0, 0.05, (16, 10)), "bias": np.zeros(10), "activation": "softmax"}]
    text = write_report(tmp_path / "r.html", report_of(artifacts={"keras": {"layers": layers}}), {}).read_text()
    assert 'alt="MNIST confusion matrix"' in text and "misclassified test digits" in text


def test_parts_that_cannot_be_made_are_one_line_each(tmp_path):
    stub = CheckResult("train_xor", "test_train_xor_solves_xor", "train_xor(seed=0) solves XOR", True, 4.0,
                      status="not implemented", message="train_xor is not implemented yet")
    text = write_report(tmp_path / "stub.html", report_of([stub]), files_of(REPO / "exercises")).read_text()
    assert "train_xor (or a function it calls) is not implemented yet, so there are no XOR plots." in text
    assert "no MNIST plots" in text and "<img" not in text
    empty = write_report(tmp_path / "empty.html", report_of([stub]), files_of(make_submission(tmp_path / "empty"))).read_text()
    assert "mlp.py is not in the submission" in empty
    ungraded = write_report(tmp_path / "ungraded.html", report_of(), files_of(REPO / "solutions")).read_text()
    assert "train_xor was not graded in this run" in ungraded


def test_student_text_is_escaped(tmp_path, solution_mlp):
    evil = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    source = mutate(solution_mlp, "network = MLP(2, 8, 1, learning_rate=2.0, seed=seed)",
                    f"raise ValueError({evil!r})")
    failed = CheckResult("train_xor", "test_train_xor_solves_xor", "solves XOR", True, 4.0,
                        message=f"your code raised ValueError: {evil}")
    text = write_report(tmp_path / "evil.html", report_of([failed]),
                        files_of(make_submission(tmp_path / "evil", mlp=source))).read_text()
    assert "<script" not in text and "<img src=x" not in text
    assert text.count(html.escape(evil)) == 2  # the failed check and the XOR section's line


def test_page_lists_passed_checks_student_output_and_lesson_links(tmp_path):
    evil = "<b>printed</b>"
    passed = CheckResult("forward", "test_forward_batch", "forward maps a batch", True, 3.0, 3.0, "passed")
    failed = CheckResult("backward", "test_backward_returns_none", "backward returns None", True, 1.0,
                         message="backward should return None", output=f"debug {evil}\n",
                         trace=("mlp.py:120 in backward: return self",))
    (tmp_path / "out").mkdir()
    text = write_report(tmp_path / "out" / "report.html", report_of([passed, failed]), REPO / "solutions").read_text()
    assert "Checks that passed" in text and "forward maps a batch" in text
    assert html.escape(f"debug {evil}") in text and evil not in text
    assert "mlp.py:120 in backward: return self" in text
    # links go to the lesson's headings, rendered at the end of the page and anchored as GitHub does
    links = dict(re.findall(r'<code>(\w+)</code> <a href="([^"]+)">lesson</a>', text))
    assert links["forward"] == "#lesson-32-forward-pass-forward-method", links
    assert links["backward"] == "#lesson-33-backward-pass-backward-method"
    assert all(f'id="{link[1:]}"' in text for link in links.values()), links
