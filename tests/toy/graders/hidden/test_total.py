"""Hidden checks for total(x): this exercise has no public checks."""

import numpy as np

from autograder.checks import assert_close


def test_total_values(student, cfg, rng):
    """total adds up every entry of an array"""
    x = rng.normal(size=(3, 4))
    assert_close(student.call("total", x), np.sum(x), what="total(x)", rtol=cfg.rtol, atol=cfg.atol,
                 hint="total(x) should be the sum of every entry")


def test_total_of_integers(student, cfg):
    """total of an integer array is its exact sum"""
    assert_close(student.call("total", np.arange(10)), 45.0, what="total(0..9)", rtol=cfg.rtol, atol=cfg.atol,
                 hint="total(x) should be the sum of every entry")
