"""Public checks for sigmoid(x)."""

import numpy as np

from autograder.checks import as_array, assert_close, check, check_every_dtype, check_values
from autograder.graders.oracle import (SIGMOID_OVERFLOW_HINT, calls_keeping_inputs, check_python_floats, logistic,
                                       sigmoid_mistakes, sigmoid_overflow)

KNOWN = {-6.0: 0.0024726231566347743, -1.0: 0.2689414213699951, 0.0: 0.5,
         0.5: 0.6224593312018546, 2.0: 0.8807970779778823, 10.0: 0.9999546021312976}
VALUES_HINT = "sigmoid(x) should be 1 / (1 + exp(-x)) at every point"
EXTREME_HINT = "sigmoid should tend to 0 for very negative x and to 1 for very positive x, never NaN"


def test_sigmoid_known_values(student, cfg, rng):
    """sigmoid gives the logistic function's values at a few known points and at random ones"""
    x = np.concatenate([list(KNOWN), rng.uniform(-8, 8, size=6)])
    want = np.concatenate([list(KNOWN.values()), logistic(x[len(KNOWN):])])
    assert_close(student.call("sigmoid", x), want, what="sigmoid(x)", rtol=cfg.rtol, atol=cfg.atol,
                 hint=VALUES_HINT, misconceptions=sigmoid_mistakes(x))


def test_sigmoid_keeps_shape(student, cfg, rng):
    """sigmoid works elementwise on arrays of any shape, floats and ints, and leaves its input unchanged"""
    x = rng.uniform(-6, 6, size=(2, 3, 4))
    scalars = (0.25, 2)
    outputs, after = student.run(calls_keeping_inputs, "sigmoid", [x, *scalars])
    got = as_array(outputs[0], "sigmoid(x)")
    check(got.shape == x.shape, "sigmoid must return an array shaped like its input",
          f"input shape {x.shape}, got shape {got.shape}")
    check_values(outputs[0], logistic(x), what="sigmoid(x)", rtol=cfg.rtol, atol=cfg.atol, hint=VALUES_HINT,
                 misconceptions=sigmoid_mistakes(x))
    for value, output in zip(scalars, outputs[1:]):
        scalar = as_array(output, f"sigmoid({value})")
        check(scalar.shape == (), f"sigmoid of a single {type(value).__name__} should be a single number",
              f"sigmoid({value}) returned shape {scalar.shape}")
        check_values(output, logistic(value), what=f"sigmoid({value})", rtol=cfg.rtol, atol=cfg.atol,
                     hint=VALUES_HINT + ", for plain Python floats and ints too")
    check(np.array_equal(as_array(after[0], "the input after sigmoid"), x),
          "sigmoid changed its input array in place: compute into a new array instead")


def test_sigmoid_no_overflow(student, cfg):
    """sigmoid is right and silent for very large |x| and moderate x: float64, float32 and Python floats"""
    # exp(-x) overflows below -709 in float64 and below -88.7 in float32: both sides of both, with values
    # in between, so that a function right only at the extremes (a clipped line, a step) earns nothing.
    x = np.array([-cfg.extreme, -800.0, -710.0, -100.0, -89.0, *KNOWN, 89.0, 100.0, 710.0, 800.0, cfg.extreme])
    check_every_dtype(student, "sigmoid", x, logistic, what="sigmoid(x) at extreme x", rtol=cfg.rtol, atol=cfg.atol,
                      hint=EXTREME_HINT, warn_hint=sigmoid_overflow(student, x, SIGMOID_OVERFLOW_HINT),
                      misconceptions=sign_mistake)
    check_python_floats(student, (-1000.0, 1000.0), rtol=cfg.rtol, atol=cfg.atol, hint=EXTREME_HINT)


def sign_mistake(x):
    return {"sign": (logistic(-x), sigmoid_mistakes(x)["sign"][1])}
