"""Public checks for sigmoid_derivative(a)."""

import numpy as np

from autograder.checks import as_array, assert_close, check, check_values
from autograder.graders.oracle import sigmoid_derivative_mistakes

HINT = "use the identity sigma'(z) = sigma(z) * (1 - sigma(z)), with a = sigma(z)"


def test_sigmoid_derivative_known_values(student, cfg, rng):
    """sigmoid_derivative(a) is the sigmoid's slope, given the activation a"""
    a = np.concatenate([[0.01, 0.1, 0.25, 0.5, 0.8, 0.99], rng.uniform(0, 1, size=6)])
    assert_close(student.call("sigmoid_derivative", a), a * (1 - a), what="sigmoid_derivative(a)", rtol=cfg.rtol,
                 atol=cfg.atol, hint=HINT, misconceptions=sigmoid_derivative_mistakes(a))


def test_sigmoid_derivative_keeps_shape(student, cfg, rng):
    """sigmoid_derivative returns the right values in an array shaped like its input"""
    a = rng.uniform(0.05, 0.95, size=(3, 4))
    got = as_array(student.call("sigmoid_derivative", a), "sigmoid_derivative(a)")
    check(got.shape == a.shape, "sigmoid_derivative must return an array shaped like a",
          f"input shape {a.shape}, got shape {got.shape}")
    check_values(got, a * (1 - a), what="sigmoid_derivative(a)", rtol=cfg.rtol, atol=cfg.atol, hint=HINT,
                 misconceptions=sigmoid_derivative_mistakes(a))
