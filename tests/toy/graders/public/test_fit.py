"""Public checks for fit(x, y, epochs), graded with the reference Line: the slow exercise, whose
per-call limit is short."""

import numpy as np

from autograder.checks import assert_close


def descent(x, y, epochs, weights):
    """The lesson's gradient descent, written out plainly (rate 0.1, mean squared error)."""
    bias = 0.0
    for _ in range(epochs):
        error = x @ weights + bias - y
        weights = weights - 0.2 * x.T @ error / len(y)
        bias = bias - 0.2 * float(np.mean(error))
    return weights


def test_fit_follows_gradient_descent(student, cfg, rng):
    """fit takes `epochs` steps of gradient descent from Line(D, seed=0)"""
    x = rng.normal(size=(20, 2))
    y = x @ np.array([1.0, -2.0]) + 0.3
    start = np.random.default_rng(0).normal(size=2)
    assert_close(student.call("fit", x, y, cfg.epochs), descent(x, y, cfg.epochs, start), what="fit(x, y, epochs)",
                 rtol=cfg.rtol, atol=cfg.atol, hint="fit should take epochs steps of gradient descent at rate 0.1")
