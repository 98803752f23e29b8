"""Public checks for MLP.backward: one gradient step, checked against finite differences."""

import numpy as np

from autograder.checks import assert_close, check, explained
from autograder.oracle import PARAMETERS, for_parameter, gradient, layers, random_params, step_mistakes

SHAPES = ("a product in backward() has mismatched shapes: each delta has its layer's shape (N, K) or (N, H), "
          "and each update must have the shape of the parameter it changes (check where .T goes)")


def _step(student, params, x, y, learning_rate):
    """The student's parameters after one backward() from these weights and cached activations."""
    d, h = params["weights_input_hidden"].shape
    net = student.new("MLP", d, h, params["bias_output"].size, learning_rate=learning_rate, seed=0)
    net.set_many(params)
    cache = layers(params, x)
    net.set_many(cache)  # backward() reads the activations that forward() cached
    with explained(shapes=SHAPES):
        returned = net.call("backward", x, y, cache["output"])
    return {name: net.get(name) for name in PARAMETERS}, returned


def test_backward_matches_finite_differences(student, rng, cfg):
    """backward() moves every weight and bias by -learning_rate times the gradient of the loss"""
    params = random_params(rng, 3, 4, 2)
    x, y = rng.normal(size=(5, 3)), rng.uniform(size=(5, 2))
    rate = cfg.learning_rate
    grads = gradient(params, x, y, cfg.fd_step)
    got, _ = _step(student, params, x, y, rate)
    mistakes = step_mistakes(params, grads, rate, len(x))
    for name in PARAMETERS:
        assert_close(got[name], params[name] - rate * grads[name], what=name, rtol=cfg.rtol, atol=cfg.atol,
                     hint=f"{name} after one backward() step is not old value - learning_rate * dL/d{name}",
                     misconceptions=for_parameter(mistakes, name))


def test_backward_returns_none(student, rng, cfg):
    """backward() updates the network and returns None"""
    params = random_params(rng, 2, 3, 1)
    x, y = rng.normal(size=(4, 2)), rng.uniform(size=(4, 1))
    got, returned = _step(student, params, x, y, cfg.learning_rate)
    check(returned is None, "backward() should update the weights in place and return None",
          f"it returned {type(returned).__name__}")
    check(any(not np.allclose(got[name], params[name]) for name in PARAMETERS), "backward() changed no parameter")
