"""Public checks for scale(x, factor)."""

import numpy as np

from autograder.checks import as_array, assert_close, check

HINT = "scale(x, factor) should be x * factor, as floats"


def test_scale_known_values(student, cfg):
    """scale multiplies every entry by the factor"""
    x = np.array([[1.0, -2.0], [3.5, 0.0]])
    assert_close(student.call("scale", x, 2.0), x * 2.0, what="scale(x, 2.0)", rtol=cfg.rtol, atol=cfg.atol, hint=HINT)


def test_scale_keeps_shape(student, cfg, rng):
    """scale returns an array shaped like its input"""
    x = rng.normal(size=(2, 3, 4))
    got = as_array(student.call("scale", x, -1.5), "scale(x, -1.5)")
    check(got.shape == x.shape, "scale must return an array shaped like x", f"input {x.shape}, got {got.shape}")
    assert_close(got, x * -1.5, what="scale(x, -1.5)", rtol=cfg.rtol, atol=cfg.atol, hint=HINT)
