"""Hidden checks for sigmoid(x): random points, the symmetry identity, extremes, dtype, no side effects."""

import numpy as np

from autograder.checks import as_array, assert_close, check, check_every_dtype, check_values, precision_atol
from autograder.graders.oracle import (SIGMOID_OVERFLOW_HINT, calls_keeping_inputs, check_python_floats, logistic,
                                       sigmoid_mistakes, sigmoid_overflow)

VALUES_HINT = "sigmoid does not match 1 / (1 + exp(-x))"
INTEGER_HINT = ("sigmoid of an integer differs from sigmoid of the same number as a float: convert the input "
                "to floats first (np.asarray(x, dtype=float)), so an integer result is never truncated")


def test_sigmoid_random_values(student, cfg, rng):
    """sigmoid matches the logistic function at random points"""
    x = rng.normal(scale=4.0, size=(6, 5))
    assert_close(student.call("sigmoid", x), logistic(x), what="sigmoid(x)", rtol=cfg.rtol, atol=cfg.atol,
                 hint=VALUES_HINT + " on random inputs", misconceptions=sigmoid_mistakes(x))


def test_sigmoid_symmetry(student, cfg, rng):
    """sigmoid(-x) equals 1 - sigmoid(x), and both are the logistic function's values"""
    x = rng.uniform(-30, 30, size=40)
    both = np.concatenate([x, -x])
    got = check_values(student.call("sigmoid", both), logistic(both), what="sigmoid(x)", rtol=cfg.rtol,
                       atol=cfg.atol, hint=VALUES_HINT, misconceptions=sigmoid_mistakes(both))
    assert_close(got[40:], 1 - got[:40], what="sigmoid(-x)", rtol=0, atol=cfg.symmetry_atol,
                 hint="sigmoid(-x) should equal 1 - sigmoid(x) for every x")


def test_sigmoid_extremes(student, cfg, rng):
    """sigmoid is right (0 or 1, no NaN, no warning) for |x| up to 1e4, float64, float32 and Python floats"""
    # The moderate values between the extremes: a function right only far out (a clipped line, a step) earns nothing.
    x = np.concatenate([rng.uniform(709, cfg.extreme, 6), -rng.uniform(709, cfg.extreme, 6),
                        rng.uniform(80, 709, 4), -rng.uniform(80, 709, 4), rng.uniform(-8, 8, 6),
                        [-cfg.extreme, cfg.extreme]])
    hint = "sigmoid should be 0 far to the left and 1 far to the right, never NaN, and the logistic function in between"
    check_every_dtype(student, "sigmoid", x, logistic, what="sigmoid at large |x|", rtol=cfg.rtol, atol=cfg.atol,
                      hint=hint, warn_hint=sigmoid_overflow(student, x, SIGMOID_OVERFLOW_HINT),
                      misconceptions=lambda v: {"sign": (logistic(-v), sigmoid_mistakes(v)["sign"][1])})
    check_python_floats(student, (-float(rng.uniform(710, cfg.extreme)), float(rng.uniform(710, cfg.extreme))),
                        rtol=cfg.rtol, atol=cfg.atol, hint=hint)


def test_sigmoid_float32_and_scalars(student, cfg, rng):
    """sigmoid accepts float32 arrays, Python floats and integers"""
    x = rng.normal(scale=3.0, size=(3, 4)).astype(np.float32)
    exact = x.astype(float)
    raw = student.call("sigmoid", x)
    got = as_array(raw, "sigmoid(float32 x)")
    if got.shape != x.shape or not np.allclose(got, logistic(exact), rtol=cfg.rtol,
                                               atol=precision_atol(raw, cfg.atol)):
        # Blame float32 only when the same numbers as float64 come out right.
        raw64 = student.call("sigmoid", exact)
        right64 = np.allclose(as_array(raw64, "sigmoid(x)"), logistic(exact), rtol=cfg.rtol,
                              atol=precision_atol(raw64, cfg.atol))
        assert_close(raw, logistic(exact), what="sigmoid(float32 x)", rtol=cfg.rtol, atol=cfg.atol,
                     hint="sigmoid is right for float64 arrays but not for the same numbers as float32" if right64
                     else VALUES_HINT, misconceptions=sigmoid_mistakes(exact))
    for value in (1.5, -2, 3, 0):
        raw = student.call("sigmoid", value)
        got = as_array(raw, f"sigmoid({value})")
        check(got.shape == (), "sigmoid of a single number should be a single number",
              f"sigmoid({value}) has shape {got.shape}")
        atol = precision_atol(raw, cfg.atol)
        if isinstance(value, int) and not np.allclose(got, logistic(value), rtol=cfg.rtol, atol=atol):
            as_float = student.call("sigmoid", float(value))
            check(not np.allclose(as_array(as_float, f"sigmoid({float(value)})"), logistic(value), rtol=cfg.rtol,
                                  atol=precision_atol(as_float, cfg.atol)), INTEGER_HINT)
        assert_close(raw, logistic(value), what=f"sigmoid({value})", rtol=cfg.rtol, atol=cfg.atol,
                     hint="sigmoid should work on plain Python numbers, integers included")


def test_sigmoid_does_not_modify_input(student, cfg, rng):
    """sigmoid returns the right values and leaves the array it is given unchanged, extreme values included"""
    x = np.concatenate([rng.normal(size=6), [-cfg.extreme, -720.0, -95.0, 95.0, 720.0, cfg.extreme]]).reshape(4, 3)
    inputs = [x, x.astype(np.float32)]
    # The inputs come back as they are after the calls and are compared with the grader's own copies.
    reply = student.run(calls_keeping_inputs, "sigmoid", inputs)
    check(isinstance(reply, list) and len(reply) == 2 and all(isinstance(part, list) and len(part) == 2
                                                             for part in reply), "sigmoid did not return a value")
    outputs, after = reply
    for given, output, seen in zip(inputs, outputs, after):
        name = f"sigmoid({given.dtype.name} x)"
        assert_close(output, logistic(given.astype(float)), what=name, rtol=cfg.rtol, atol=cfg.atol, hint=VALUES_HINT)
        seen = as_array(seen, "the input after sigmoid")
        check(seen.shape == given.shape and np.array_equal(seen, given),
              "sigmoid changed its input array in place: compute into a new array instead")
