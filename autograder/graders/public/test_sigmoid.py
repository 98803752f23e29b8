"""Public checks for sigmoid(x)."""

import numpy as np

from autograder.checks import as_array, assert_close, check
from autograder.oracle import SIGMOID_OVERFLOW_HINT, sigmoid_mistakes

KNOWN = {-6.0: 0.0024726231566347743, -1.0: 0.2689414213699951, 0.0: 0.5,
         0.5: 0.6224593312018546, 2.0: 0.8807970779778823, 10.0: 0.9999546021312976}


def test_sigmoid_known_values(student, cfg):
    """sigmoid gives the logistic function's values at a few known points"""
    x = np.array(list(KNOWN))
    want = np.array(list(KNOWN.values()))
    assert_close(student.call("sigmoid", x), want, what="sigmoid(x)", rtol=cfg.rtol, atol=cfg.atol,
                 hint="sigmoid(x) should be 1 / (1 + exp(-x)) at every point", misconceptions=sigmoid_mistakes(x))


def test_sigmoid_keeps_shape(student):
    """sigmoid works elementwise on arrays of any shape and returns the same shape"""
    x = np.linspace(-3, 3, 24).reshape(2, 3, 4)
    got = as_array(student.call("sigmoid", x), "sigmoid(x)")
    check(got.shape == x.shape, "sigmoid must return an array shaped like its input",
          f"input shape {x.shape}, got shape {got.shape}")
    scalar = as_array(student.call("sigmoid", 0.0), "sigmoid(0.0)")
    check(scalar.shape == (), "sigmoid of a single float should be a single number",
          f"sigmoid(0.0) returned shape {scalar.shape}")


def test_sigmoid_no_overflow(student, cfg):
    """sigmoid of very large |x| gives 0 or 1 without overflow warnings"""
    x = np.array([-cfg.extreme, -800.0, -710.0, 710.0, 800.0, cfg.extreme])
    value, warnings = student.call_warnings("sigmoid", x)
    check(not warnings, SIGMOID_OVERFLOW_HINT, f"warnings: {warnings[:2]}")
    assert_close(value, (x > 0).astype(float), what="sigmoid(x) at extreme x", rtol=0, atol=cfg.atol,
                 hint="sigmoid should tend to 0 for very negative x and to 1 for very positive x",
                 misconceptions={"sign": ((x < 0).astype(float), sigmoid_mistakes(x)["sign"][1])})
