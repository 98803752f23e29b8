"""Hidden checks for mean(x): this exercise has no public checks."""

import numpy as np

from autograder.checks import assert_close


def test_mean_values(student, cfg, rng):
    """mean averages every entry of an array"""
    x = rng.normal(size=(3, 4))
    assert_close(student.call("mean", x), np.mean(x), what="mean(x)", rtol=cfg.rtol, atol=cfg.atol,
                 hint="mean(x) should be the average of every entry")


def test_mean_of_integers(student, cfg):
    """mean of an integer array is its exact average"""
    assert_close(student.call("mean", np.arange(10)), 4.5, what="mean(0..9)", rtol=cfg.rtol, atol=cfg.atol,
                 hint="mean(x) should be the average of every entry")
