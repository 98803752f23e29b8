"""Hidden checks for sigmoid_derivative(a): finite differences through a = sigmoid(z)."""

from autograder.checks import assert_close
from autograder.oracle import logistic, sigmoid_derivative_mistakes


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
                 rtol=cfg.rtol, atol=cfg.atol, hint="sigmoid_derivative should be a * (1 - a), elementwise",
                 misconceptions=sigmoid_derivative_mistakes(a))
