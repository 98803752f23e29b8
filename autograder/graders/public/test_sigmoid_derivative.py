"""Public checks for sigmoid_derivative(a)."""

import numpy as np

from autograder.checks import as_array, assert_close, check, check_values
from autograder.graders.oracle import calls_keeping_inputs, sigmoid_derivative_mistakes

HINT = "use the identity sigma'(z) = sigma(z) * (1 - sigma(z)), with a = sigma(z)"
# Activations at and next to 0 and 1, where the sigmoid saturates: the slope goes to 0 there, with no floor.
SATURATED = [0.0, 1e-9, 1e-4, 1 - 1e-4, 1 - 1e-9, 1.0]


def test_sigmoid_derivative_known_values(student, cfg, rng):
    """sigmoid_derivative(a) is the sigmoid's slope, given the activation a, saturated activations included"""
    a = np.concatenate([[0.01, 0.1, 0.25, 0.5, 0.8, 0.99], rng.uniform(0, 1, size=6), SATURATED])
    assert_close(student.call("sigmoid_derivative", a), a * (1 - a), what="sigmoid_derivative(a)", rtol=cfg.rtol,
                 atol=cfg.atol, hint=HINT, misconceptions=sigmoid_derivative_mistakes(a))


def test_sigmoid_derivative_keeps_shape(student, cfg, rng):
    """sigmoid_derivative returns the right values shaped like a, float64 and float32, and leaves a unchanged"""
    a = rng.uniform(0.05, 0.95, size=(3, 4))
    inputs = [a, a.astype(np.float32)]
    outputs, after = student.run(calls_keeping_inputs, "sigmoid_derivative", inputs)
    for given, output, seen in zip(inputs, outputs, after):
        exact = given.astype(float)
        name = f"sigmoid_derivative({given.dtype.name} a)"
        got = as_array(output, name)
        check(got.shape == a.shape, "sigmoid_derivative must return an array shaped like a",
              f"input shape {a.shape}, got shape {got.shape}")
        check_values(output, exact * (1 - exact), what=name, rtol=cfg.rtol, atol=cfg.atol, hint=HINT,
                     misconceptions=sigmoid_derivative_mistakes(exact))
        check(np.array_equal(as_array(seen, "a after sigmoid_derivative"), given),
              "sigmoid_derivative changed the array it was given: backward() passes it the cached activations, "
              "which must stay as forward() left them; compute into a new array")
