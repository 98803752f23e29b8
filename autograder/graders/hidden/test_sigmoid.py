"""Hidden checks for sigmoid(x): random points, the symmetry identity, extremes, dtype, no side effects."""

import numpy as np

from autograder.checks import as_array, assert_close, check
from autograder.oracle import SIGMOID_OVERFLOW_HINT, logistic, sigmoid_mistakes


def test_sigmoid_random_values(student, cfg, rng):
    """sigmoid matches the logistic function at random points"""
    x = rng.normal(scale=4.0, size=(6, 5))
    assert_close(student.call("sigmoid", x), logistic(x), what="sigmoid(x)", rtol=cfg.rtol, atol=cfg.atol,
                 hint="sigmoid does not match 1 / (1 + exp(-x)) on random inputs", misconceptions=sigmoid_mistakes(x))


def test_sigmoid_symmetry(student, cfg, rng):
    """sigmoid(-x) equals 1 - sigmoid(x)"""
    x = rng.uniform(-30, 30, size=40)
    both = as_array(student.call("sigmoid", np.concatenate([x, -x])), "sigmoid(x)")
    check(both.shape == (80,), "sigmoid must return an array shaped like its input")
    assert_close(both[40:], 1 - both[:40], what="sigmoid(-x)", rtol=0, atol=cfg.symmetry_atol,
                 hint="sigmoid(-x) should equal 1 - sigmoid(x) for every x")


def test_sigmoid_extremes(student, cfg, rng):
    """sigmoid is right (0 or 1, no NaN, no warning) for |x| up to 1e4"""
    x = np.concatenate([rng.uniform(709, cfg.extreme, 8), -rng.uniform(709, cfg.extreme, 8), [-cfg.extreme, cfg.extreme]])
    value, warnings = student.call_warnings("sigmoid", x)
    check(not warnings, SIGMOID_OVERFLOW_HINT)
    assert_close(value, (x > 0).astype(float), what="sigmoid at large |x|", rtol=0, atol=cfg.atol,
                 hint="sigmoid should be 0 far to the left and 1 far to the right, never NaN",
                 misconceptions={"sign": ((x < 0).astype(float), sigmoid_mistakes(x)["sign"][1])})


def test_sigmoid_float32_and_scalars(student, cfg, rng):
    """sigmoid accepts float32 arrays, Python floats and integers"""
    x = rng.normal(size=(3, 4)).astype(np.float32)
    assert_close(student.call("sigmoid", x), logistic(x), what="sigmoid(float32 x)", rtol=cfg.rtol, atol=cfg.atol,
                 hint="sigmoid should work on float32 arrays too", misconceptions=sigmoid_mistakes(x))
    for value in (1.5, -2, 0):
        got = as_array(student.call("sigmoid", value), f"sigmoid({value})")
        check(got.shape == (), "sigmoid of a single number should be a single number")
        assert_close(got, logistic(value), what=f"sigmoid({value})", rtol=cfg.rtol, atol=cfg.atol,
                     hint="sigmoid should work on plain Python numbers, integers included",
                     misconceptions=sigmoid_mistakes(value))


def _sigmoid_leaves_input_alone(x):
    before = x.copy()
    student.sigmoid(x)  # noqa: F821 - `student` is the submission's module, in the sandbox
    return x - before


def test_sigmoid_does_not_modify_input(student, rng):
    """sigmoid does not change the array it is given"""
    x = rng.normal(size=(4, 3))
    change = as_array(student.run(_sigmoid_leaves_input_alone, x), "the input after sigmoid")
    check(np.all(change == 0), "sigmoid changed its input array in place: compute into a new array instead")
