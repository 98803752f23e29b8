"""Hidden checks for MLP.forward: random non-square networks, every cache, known wrong variants."""

import numpy as np

from autograder.checks import as_array, assert_close, check
from autograder.oracle import layers, logistic, random_params

CACHED = ("hidden_layer_input", "hidden_layer_output", "output_layer_input", "output")


def _shapes(rng):
    d, h, k = rng.choice(np.arange(2, 9), size=3, replace=False)  # all different: a transpose cannot fit
    return int(d), int(h), int(k)


def _wrong_outputs(params, x):
    hidden_in = x @ params["weights_input_hidden"] + params["bias_hidden"]
    no_bias_hidden = logistic(x @ params["weights_input_hidden"])
    out = layers(params, x)
    return {
        "no bias": (logistic(logistic(x @ params["weights_input_hidden"]) @ params["weights_hidden_output"]),
                    "the biases are missing: each layer adds its bias before the sigmoid"),
        "no hidden bias": (logistic(no_bias_hidden @ params["weights_hidden_output"] + params["bias_output"]),
                           "the hidden layer's bias is missing"),
        "linear output": (out["output_layer_input"], "the output layer needs a sigmoid too"),
        "relu hidden": (logistic(np.maximum(hidden_in, 0) @ params["weights_hidden_output"] + params["bias_output"]),
                        "the hidden layer uses ReLU; this network uses the sigmoid on both layers"),
        "linear hidden": (logistic(hidden_in @ params["weights_hidden_output"] + params["bias_output"]),
                          "the hidden layer needs a sigmoid before the output layer"),
    }


def test_forward_random_networks(student, rng, cfg, reference):
    """forward matches the two-layer sigmoid network for random shapes and weights"""
    for _ in range(3):
        d, h, k = _shapes(rng)
        params = random_params(rng, d, h, k)
        net = student.new("MLP", d, h, k, seed=1)
        net.set_many(params)
        x = rng.normal(size=(int(rng.integers(2, 9)), d))
        model = reference.MLP(d, h, k)
        for name, value in params.items():
            setattr(model, name, value.copy())
        want = model.forward(x)
        assert_close(net.call("forward", x), want, what="forward(inputs)", rtol=cfg.rtol, atol=cfg.atol,
                     hint="forward does not compute sigmoid(sigmoid(inputs @ W1 + b1) @ W2 + b2) for some shapes "
                          "(check which side of the product each weight matrix goes on)",
                     misconceptions=_wrong_outputs(params, x))


def test_forward_caches_every_layer(student, rng, cfg):
    """forward caches all four intermediate arrays for a random network"""
    d, h, k = _shapes(rng)
    params = random_params(rng, d, h, k)
    net = student.new("MLP", d, h, k, seed=2)
    net.set_many(params)
    x = rng.normal(size=(5, d))
    net.call("forward", x)
    want = layers(params, x)
    for name in CACHED:
        assert_close(net.get(name), want[name], what=f"self.{name}", rtol=cfg.rtol, atol=cfg.atol,
                     hint=f"self.{name} is missing or wrong after forward(); backward() needs it")


def test_forward_single_sample_and_float32(student, rng, cfg):
    """forward handles one sample (D,) and float32 inputs"""
    d, h, k = _shapes(rng)
    params = random_params(rng, d, h, k)
    net = student.new("MLP", d, h, k, seed=3)
    net.set_many(params)
    x = rng.normal(size=d)
    assert_close(net.call("forward", x), layers(params, x)["output"], what="forward(one sample)", rtol=cfg.rtol,
                 atol=cfg.atol, hint="one sample of shape (D,) should give an output of shape (K,)")
    batch = rng.normal(size=(3, d)).astype(np.float32)
    assert_close(net.call("forward", batch), layers(params, batch.astype(float))["output"], what="forward(float32 inputs)",
                 rtol=1e-5, atol=1e-6, hint="forward should accept float32 inputs")


def test_forward_init_random_and_seeded(student, rng):
    """MLP(...) draws different weights for different seeds and the same for the same seed"""
    d, h, k = _shapes(rng)
    shapes = {"weights_input_hidden": (d, h), "weights_hidden_output": (h, k), "bias_hidden": (h,), "bias_output": (k,)}
    nets = [student.new("MLP", d, h, k, seed=seed) for seed in (11, 11, 12)]
    for name, shape in shapes.items():
        values = [as_array(net.get(name), name) for net in nets]
        check(values[0].shape == shape, f"{name} has the wrong shape for MLP({d}, {h}, {k})")
        check(np.array_equal(values[0], values[1]), "the same seed should give the same initial weights")
    first = [as_array(nets[0].get(n), n) for n in ("weights_input_hidden", "weights_hidden_output")]
    other = [as_array(nets[2].get(n), n) for n in ("weights_input_hidden", "weights_hidden_output")]
    check(any(not np.array_equal(a, b) for a, b in zip(first, other)), "different seeds should give different weights")
    check(np.unique(np.round(first[0], 12), axis=1).shape[1] == h,
          "two hidden units start with identical weights, so they can never learn different features")
