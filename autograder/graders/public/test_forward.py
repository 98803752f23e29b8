"""Public checks for MLP(...) and MLP.forward(inputs)."""

import numpy as np

from autograder.checks import as_array, assert_all_close, assert_close, check, explained
from autograder.graders.oracle import (BIAS_2D_RULES, DROPOUT_HINT, HARD_CODED_HINT, SHAPE_HINT, bias_shape_hint,
                                       cached, check_left_alone, forward_mistake_layers, forward_mistakes,
                                       forward_runs, layers, random_params)

FORWARD_HINT = "forward should be sigmoid(sigmoid(inputs @ W1 + b1) @ W2 + b2)"


def _network(student, rng, d=3, h=5, k=2):
    params = random_params(rng, d, h, k)
    net = student.new("MLP", d, h, k, seed=0)
    net.set_many(params)
    return net, params


def test_forward_init_shapes(student):
    """MLP(3, 5, 2) creates weights and biases of the right shapes, reproducibly from its seed (0 included)"""
    shapes = {"weights_input_hidden": (3, 5), "weights_hidden_output": (5, 2), "bias_hidden": (5,), "bias_output": (2,)}
    for seed in (7, 0):
        first, again = student.new("MLP", 3, 5, 2, seed=seed), student.new("MLP", 3, 5, 2, seed=seed)
        for name, shape in shapes.items():
            value = as_array(first.get(name), name)
            check(value.shape == shape, bias_shape_hint(name, value.shape, shape), f"got {value.shape}")
            check(np.array_equal(value, as_array(again.get(name), name)),
                  f"{name} differs between two MLPs made with the same seed ({seed}): draw it from "
                  "np.random.default_rng(seed)")
        weights = as_array(first.get("weights_input_hidden"), "weights_input_hidden")
        check(not np.allclose(weights, weights[:, :1]), "all hidden units start with the same weights, "
              "so they would all learn the same thing: initialise weights at random")


def test_forward_batch(student, rng, cfg):
    """forward maps a batch (N, D), float64 or float32, to outputs (N, K) and changes neither inputs nor weights"""
    params = random_params(rng, 3, 5, 2)
    x, other = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    inputs = [x, other, x.copy(), other.astype(np.float32)]
    with explained(shapes=SHAPE_HINT, rules=BIAS_2D_RULES):
        outputs, inputs_after, params_after = student.run(forward_runs, (3, 5, 2), params, inputs)
    got, got_other, got_again = (as_array(value, "forward(inputs)") for value in outputs[:3])
    check(got.shape != got_again.shape or np.array_equal(got, got_again), DROPOUT_HINT,
          "forward(inputs) twice on the same network and inputs gave different outputs")
    check(not np.array_equal(got, got_other), HARD_CODED_HINT)
    assert_close(outputs[0], layers(params, x)["output"], what="forward(inputs)", rtol=cfg.rtol, atol=cfg.atol,
                 hint=FORWARD_HINT, misconceptions=forward_mistakes(params, x))
    exact = inputs[3].astype(float)
    assert_close(outputs[3], layers(params, exact)["output"], what="forward(float32 inputs)", rtol=cfg.rtol,
                 atol=cfg.atol, hint=FORWARD_HINT + ", for float32 inputs too",
                 misconceptions=forward_mistakes(params, exact))
    check_left_alone(inputs, inputs_after, params, params_after)


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
    """forward of a single sample (D,) returns (K,) and caches (H,) and (K,) arrays, for K = 1 too"""
    for k in (2, 1):
        net, params = _network(student, rng, k=k)
        x = rng.normal(size=3)
        with explained(shapes=SHAPE_HINT):
            got = net.call("forward", x)
        assert_close(got, layers(params, x)["output"], what="forward(one sample)", rtol=cfg.rtol, atol=cfg.atol,
                     hint=f"forward of one sample (D,) should return its output of shape (K,), here ({k},): "
                          "sigmoid(sigmoid(x @ W1 + b1) @ W2 + b2)",
                     misconceptions=forward_mistakes(params, x))
        assert_all_close(cached(net), layers(params, x), rtol=cfg.rtol, atol=cfg.atol,
                         hint=lambda name: f"for one sample of shape (D,), self.{name} should be 1-D: (H,) or (K,), "
                                           "holding that layer's values",
                         misconceptions=forward_mistake_layers(params, x))
