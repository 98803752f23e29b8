"""Hidden checks for scale(x, factor)."""

from autograder.checks import assert_close


def test_scale_random_values(student, cfg, rng):
    """scale is right on random arrays and factors"""
    x, factor = rng.normal(size=(5, 3)), float(rng.uniform(-3, 3))
    assert_close(student.call("scale", x, factor), x * factor, what="scale(x, factor)", rtol=cfg.rtol, atol=cfg.atol,
                 hint="scale does not match x * factor on random inputs")
