"""Public checks for MLP(...) and MLP.forward(inputs)."""

import numpy as np

from autograder.checks import as_array, assert_all_close, assert_close, check, explained
from autograder.graders.oracle import (HARD_CODED_HINT, SHAPE_HINT, cached, forward_mistake_layers, forward_mistakes,
                                       layers, random_params)


def _network(student, rng, d=3, h=5, k=2):
    params = random_params(rng, d, h, k)
    net = student.new("MLP", d, h, k, seed=0)
    net.set_many(params)
    return net, params


def test_forward_init_shapes(student):
    """MLP(3, 5, 2) creates weights and biases of the right shapes, reproducibly from its seed"""
    shapes = {"weights_input_hidden": (3, 5), "weights_hidden_output": (5, 2), "bias_hidden": (5,), "bias_output": (2,)}
    first, again = student.new("MLP", 3, 5, 2, seed=7), student.new("MLP", 3, 5, 2, seed=7)
    for name, shape in shapes.items():
        value = as_array(first.get(name), name)
        check(value.shape == shape, f"{name} should have shape {shape} (see the docstring)", f"got {value.shape}")
        check(np.array_equal(value, as_array(again.get(name), name)),
              f"{name} differs between two MLPs made with the same seed: draw it from np.random.default_rng(seed)")
    weights = as_array(first.get("weights_input_hidden"), "weights_input_hidden")
    check(not np.allclose(weights, weights[:, :1]), "all hidden units start with the same weights, "
          "so they would all learn the same thing: initialise weights at random")


def test_forward_batch(student, rng, cfg):
    """forward maps a batch (N, D) to outputs (N, K) through two sigmoid layers"""
    net, params = _network(student, rng)
    x, other = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    with explained(shapes=SHAPE_HINT):
        got, got_other = as_array(net.call("forward", x), "forward(inputs)"), net.call("forward", other)
    check(not np.array_equal(got, as_array(got_other, "forward(inputs)")), HARD_CODED_HINT)
    assert_close(got, layers(params, x)["output"], what="forward(inputs)", rtol=cfg.rtol, atol=cfg.atol,
                 hint="forward should be sigmoid(sigmoid(inputs @ W1 + b1) @ W2 + b2)",
                 misconceptions=forward_mistakes(params, x))


def test_forward_caches_activations(student, rng, cfg):
    """forward stores hidden_layer_input, hidden_layer_output, output_layer_input and output"""
    net, params = _network(student, rng)
    x = rng.normal(size=(4, 3))
    with explained(shapes=SHAPE_HINT):
        net.call("forward", x)
    assert_all_close(cached(net), layers(params, x), rtol=cfg.rtol, atol=cfg.atol,
                     hint=lambda name: f"after forward(), self.{name} should hold that layer's value "
                                       "(backward() reads it)",
                     misconceptions=forward_mistake_layers(params, x))


def test_forward_single_sample(student, rng, cfg):
    """forward of a single sample (D,) returns (K,) and caches (H,) and (K,) arrays"""
    net, params = _network(student, rng)
    x = rng.normal(size=3)
    with explained(shapes=SHAPE_HINT):
        got = net.call("forward", x)
    assert_close(got, layers(params, x)["output"], what="forward(one sample)", rtol=cfg.rtol, atol=cfg.atol,
                 hint="a single sample of shape (D,) should give an output of shape (K,)",
                 misconceptions=forward_mistakes(params, x))
    assert_all_close(cached(net), layers(params, x), rtol=cfg.rtol, atol=cfg.atol,
                     hint=lambda name: f"for one sample of shape (D,), self.{name} should be 1-D: (H,) or (K,), "
                                       "holding that layer's values",
                     misconceptions=forward_mistake_layers(params, x))
