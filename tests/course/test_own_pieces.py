"""Grading uses the submission's own pieces wherever they work: a method may rely on what its own
class sets up, and a reference piece stands in only for an exercise that failed (charged once)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from support import REPO, exercise_scores, grade  # noqa: E402

from autograder.config import load  # noqa: E402

NUMPY = ("sigmoid", "sigmoid_derivative", "forward", "backward", "train_xor")
COURSE = load(REPO / "grading.toml")
SELF_HELPERS = (REPO / "tests" / "course" / "variants" / "self_helpers" / "mlp.py").read_text()
# forward without its hidden bias: forward's own checks fail, so the reference's forward (and, layered
# over the student's own, its __init__) stands in for backward and train_xor.
NO_HIDDEN_BIAS = '''

_own_forward = MLP.forward


def _forward(self, inputs):
    self.hidden_layer_input = inputs @ self.weights_input_hidden
    self.hidden_layer_output = self.activation(self.hidden_layer_input)
    self.output_layer_input = self.hidden_layer_output @ self.weights_hidden_output + self.bias_output
    self.output = self.activation(self.output_layer_input)
    return self.output


MLP.forward = _forward
'''


def _graded(tmp_path, source: str) -> dict[str, float]:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "mlp.py").write_text(source)
    return exercise_scores(grade(tmp_path / "sub", tmp_path / "results.json", "--only", ",".join(NUMPY)))


def test_methods_that_rely_on_their_own_init_earn_full_marks(tmp_path):
    scores = _graded(tmp_path, SELF_HELPERS)
    assert scores == {name: COURSE.exercises[name].max_score for name in NUMPY}


def test_a_broken_forward_costs_forward_only_while_backward_keeps_its_own_helpers(tmp_path):
    scores = _graded(tmp_path, SELF_HELPERS + NO_HIDDEN_BIAS)
    assert scores["forward"] < COURSE.exercises["forward"].max_score
    lost = {name: scores[name] for name in NUMPY if name != "forward" and scores[name] != COURSE.exercises[name].max_score}
    assert not lost, lost
