"""Hidden checks for MLP.forward: random non-square networks, every cache, known wrong variants."""

import numpy as np

from autograder.checks import as_array, assert_all_close, assert_close, check, explained
from autograder.graders.oracle import (BIAS_2D_RULES, HARD_CODED_HINT, SHAPE_HINT, XOR_INPUTS, XOR_LABELS,
                                       bias_shape_hint, cached, check_left_alone, forward_mistake_layers,
                                       forward_mistakes, forward_runs, layers, random_params)


def _shapes(rng):
    d, h, k = rng.choice(np.arange(2, 9), size=3, replace=False)  # all different: a transpose cannot fit
    return int(d), int(h), int(k)


def test_forward_random_networks(student, rng, cfg, reference):
    """forward matches the two-layer sigmoid network for random shapes and weights"""
    seen = []
    for trial in range(4):
        # The first network has XOR's shape and inputs, so outputs hard-coded for XOR are caught too.
        d, h, k = (2, int(rng.integers(3, 9)), 1) if trial == 0 else _shapes(rng)
        params = random_params(rng, d, h, k)
        net = student.new("MLP", d, h, k, seed=1)
        net.set_many(params)
        x = XOR_INPUTS if trial == 0 else rng.normal(size=(int(rng.integers(2, 9)), d))
        model = reference.MLP(d, h, k)
        for name, value in params.items():
            setattr(model, name, value.copy())
        want = model.forward(x)
        with explained(shapes=SHAPE_HINT):
            raw = net.call("forward", x)
            got = as_array(raw, "forward(inputs)")
        check(not any(got.shape == earlier.shape and np.allclose(got, earlier) for earlier in seen), HARD_CODED_HINT)
        seen.append(got)
        assert_close(raw, want, what="forward(inputs)", rtol=cfg.rtol, atol=cfg.atol,
                     hint="forward does not compute sigmoid(sigmoid(inputs @ W1 + b1) @ W2 + b2) for some shapes "
                          "and weights",
                     misconceptions={**forward_mistakes(params, x), "hard-coded": (XOR_LABELS, HARD_CODED_HINT)})


def test_forward_caches_every_layer(student, rng, cfg):
    """forward caches all four intermediate arrays for a random network"""
    d, h, k = _shapes(rng)
    params = random_params(rng, d, h, k)
    net = student.new("MLP", d, h, k, seed=2)
    net.set_many(params)
    x = rng.normal(size=(5, d))
    with explained(shapes=SHAPE_HINT):
        net.call("forward", x)
    assert_all_close(cached(net), layers(params, x), rtol=cfg.rtol, atol=cfg.atol,
                     hint=lambda name: f"self.{name} is missing or wrong after forward(); backward() needs it",
                     misconceptions=forward_mistake_layers(params, x))


def test_forward_single_sample_and_float32(student, rng, cfg):
    """forward handles one sample (D,), caching (H,) and (K,) arrays (K = 1 too), and float32 inputs"""
    d, h, k = _shapes(rng)
    for outputs in (k, 1):
        params = random_params(rng, d, h, outputs)
        net = student.new("MLP", d, h, outputs, seed=3)
        net.set_many(params)
        x = rng.normal(size=d)
        with explained(shapes=SHAPE_HINT):
            got = net.call("forward", x)
        assert_close(got, layers(params, x)["output"], what="forward(one sample)", rtol=cfg.rtol, atol=cfg.atol,
                     hint="forward of one sample (D,) should return its output of shape (K,): "
                          "sigmoid(sigmoid(x @ W1 + b1) @ W2 + b2)",
                     misconceptions=forward_mistakes(params, x))
        assert_all_close(cached(net), layers(params, x), rtol=cfg.rtol, atol=cfg.atol,
                         hint=lambda name: f"for one sample (D,), self.{name} should be 1-D ((H,) or (K,)) and hold "
                                           "that layer's values", misconceptions=forward_mistake_layers(params, x))
    batch = rng.normal(size=(3, d)).astype(np.float32)
    with explained(shapes=SHAPE_HINT):
        got = net.call("forward", batch)
    assert_close(got, layers(params, batch.astype(float))["output"], what="forward(float32 inputs)", rtol=cfg.rtol,
                 atol=cfg.atol, hint="forward should accept float32 inputs",
                 misconceptions=forward_mistakes(params, batch.astype(float)))


def test_forward_saturated_and_leaves_its_inputs_alone(student, rng, cfg):
    """forward is right for saturated units, float64 and float32, and changes neither its inputs nor the weights"""
    d, h, k = _shapes(rng)
    x = rng.normal(scale=20.0, size=(4, d))
    inputs = [x, x.astype(np.float32), x[0]]
    # The same inputs through weights of scale 1 first: a forward wrong there is wrong for a reason the
    # saturation hint would not name. Inputs and weights come back as they are after the calls and are
    # compared with the grader's own copies.
    runs = []
    for scale in (1.0 / 60.0, 30.0):  # |weighted sums| about 1, then in the hundreds: sigmoids at 0 or 1
        params = random_params(rng, d, h, k, scale=scale)
        with explained(shapes=SHAPE_HINT, rules=BIAS_2D_RULES):
            reply = student.run(forward_runs, (d, h, k), params, inputs)
        check(isinstance(reply, list) and len(reply) == 3 and isinstance(reply[0], list)
              and len(reply[0]) == len(inputs), "forward did not return its outputs")
        runs.append((params, *reply))
    for (params, outputs, _, _), hint in zip(runs, (
            "forward does not compute sigmoid(sigmoid(inputs @ W1 + b1) @ W2 + b2) for these inputs and weights",
            "forward is wrong when the hidden units saturate (weighted sums far from 0)")):
        for given, output in zip(inputs, outputs):
            exact = given.astype(float)
            assert_close(output, layers(params, exact)["output"], what=f"forward({given.dtype.name} inputs)",
                         rtol=cfg.rtol, atol=cfg.atol, hint=hint, misconceptions=forward_mistakes(params, exact))
    for params, _, inputs_after, params_after in runs:
        check_left_alone(inputs, inputs_after, params, params_after)


def test_forward_init_random_and_seeded(student, rng):
    """MLP(...) draws different weights for different seeds and the same for the same seed"""
    d, h, k = _shapes(rng)
    shapes = {"weights_input_hidden": (d, h), "weights_hidden_output": (h, k), "bias_hidden": (h,), "bias_output": (k,)}
    nets = [student.new("MLP", d, h, k, seed=seed) for seed in (11, 11, 12)]
    for name, shape in shapes.items():
        values = [as_array(net.get(name), name) for net in nets]
        check(values[0].shape == shape, bias_shape_hint(name, values[0].shape, shape) + f", for MLP({d}, {h}, {k})")
        check(np.array_equal(values[0], values[1]), "the same seed should give the same initial weights")
    first = [as_array(nets[0].get(n), n) for n in ("weights_input_hidden", "weights_hidden_output")]
    other = [as_array(nets[2].get(n), n) for n in ("weights_input_hidden", "weights_hidden_output")]
    check(np.unique(np.round(first[0], 12), axis=1).shape[1] == h,
          "two hidden units start with identical weights, so they can never learn different features")
    check(any(not np.array_equal(a, b) for a, b in zip(first, other)), "different seeds should give different weights")
