"""Public checks for Line(size, seed) and Line.predict(x), graded with the reference scale."""

import numpy as np

from autograder.checks import as_array, assert_close, check


def test_predict_init_shapes(student):
    """Line(3) has weights of shape (3,), the same for the same seed"""
    first, again = student.new("Line", 3, seed=7), student.new("Line", 3, seed=7)
    weights = as_array(first.get("weights"), "weights")
    check(weights.shape == (3,), "weights should have shape (size,)", f"got {weights.shape}")
    check(np.array_equal(weights, as_array(again.get("weights"), "weights")),
          "two Lines made with the same seed differ: draw the weights from np.random.default_rng(seed)")


def test_predict_values(student, cfg, rng):
    """predict gives x @ weights + bias and keeps it as self.output"""
    weights, x = rng.normal(size=3), rng.normal(size=(4, 3))
    line = student.new("Line", 3)
    line.set_many({"weights": weights, "bias": 0.5})
    want = x @ weights + 0.5
    assert_close(line.call("predict", x), want, what="predict(x)", rtol=cfg.rtol, atol=cfg.atol,
                 hint="predict should be x @ weights + bias")
    assert_close(line.get("output"), want, what="self.output", rtol=cfg.rtol, atol=cfg.atol,
                 hint="predict should keep its result as self.output")
