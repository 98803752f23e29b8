"""Hidden checks for sigmoid_derivative(a): finite differences, saturated activations, no side effects."""

import numpy as np

from autograder.checks import as_array, assert_close, check, check_every_dtype
from autograder.graders.oracle import calls_keeping_inputs, logistic, sigmoid_derivative_mistakes

HINT = "sigmoid_derivative should be a * (1 - a), elementwise"


def test_sigmoid_derivative_matches_finite_differences(student, cfg, rng):
    """sigmoid_derivative(sigmoid(z)) equals the slope of the sigmoid at z"""
    z = rng.normal(scale=3.0, size=(5, 4))
    a = logistic(z)
    h = cfg.fd_step
    slope = (logistic(z + h) - logistic(z - h)) / (2 * h)
    # Centred differences are accurate to about h**2 / 24 (and float64 rounding / h), far below this tolerance.
    assert_close(student.call("sigmoid_derivative", a), slope, what="sigmoid_derivative(a)", rtol=cfg.rtol,
                 atol=cfg.atol, hint="sigmoid_derivative(a) should be the slope of the sigmoid at the z with sigmoid(z) = a",
                 misconceptions=sigmoid_derivative_mistakes(a))


def test_sigmoid_derivative_random_values(student, cfg, rng, reference):
    """sigmoid_derivative matches a * (1 - a) on random activations of any shape"""
    a = rng.uniform(0, 1, size=(2, 3, 4))
    assert_close(student.call("sigmoid_derivative", a), reference.sigmoid_derivative(a), what="sigmoid_derivative(a)",
                 rtol=cfg.rtol, atol=cfg.atol, hint=HINT, misconceptions=sigmoid_derivative_mistakes(a))


def test_sigmoid_derivative_saturated(student, cfg, rng):
    """sigmoid_derivative is right for saturated activations (a at or next to 0 and 1), float64 and float32"""
    tiny = np.array([0.0, 1e-12, 1e-9, 1e-6, 1e-4])
    # With activations in between too: a function right only near 0 and 1 (min(a, 1 - a)) earns nothing.
    a = np.concatenate([tiny, 1 - tiny, logistic(rng.uniform(8, 30, 4)), logistic(-rng.uniform(8, 30, 4)),
                        rng.uniform(0.05, 0.95, 6)])
    check_every_dtype(student, "sigmoid_derivative", a, lambda v: v * (1 - v), what="sigmoid_derivative(a)",
                      rtol=cfg.rtol, atol=cfg.atol,
                      hint="sigmoid_derivative is wrong where the sigmoid saturates (a near 0 or 1): the slope "
                           "a * (1 - a) goes to 0 there, with no floor and no clipping",
                      warn_hint="sigmoid_derivative warned for activations near 0 or 1",
                      misconceptions=sigmoid_derivative_mistakes)


def test_sigmoid_derivative_does_not_modify_input(student, cfg, rng):
    """sigmoid_derivative returns the right values and leaves the activations it is given unchanged"""
    a = np.concatenate([rng.uniform(0, 1, size=8), [0.0, 1e-9, 1 - 1e-9, 1.0]]).reshape(3, 4)
    inputs = [a, a.astype(np.float32)]
    # The activations come back as they are after the calls and are compared with the grader's own copies.
    reply = student.run(calls_keeping_inputs, "sigmoid_derivative", inputs)
    check(isinstance(reply, list) and len(reply) == 2 and all(isinstance(part, list) and len(part) == 2
                                                             for part in reply), "sigmoid_derivative returned nothing")
    for given, output, seen in zip(inputs, *reply):
        exact = given.astype(float)
        assert_close(output, exact * (1 - exact), what=f"sigmoid_derivative({given.dtype.name} a)", rtol=cfg.rtol,
                     atol=cfg.atol, hint=HINT, misconceptions=sigmoid_derivative_mistakes(exact))
        seen = as_array(seen, "the activations after sigmoid_derivative")
        check(seen.shape == given.shape and np.array_equal(seen, given),
              "sigmoid_derivative changed the array it was given: backward() passes it the cached activations, "
              "which must stay as forward() left them; compute into a new array")
