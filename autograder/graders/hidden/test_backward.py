"""Hidden checks for MLP.backward: reference update, numerical gradient, in-place, known wrong variants."""

import numpy as np

from autograder.checks import CheckFailed, as_array, assert_close, check, rel_error
from autograder.oracle import PARAMETERS, gradient, layers, random_params


def _setup(rng, d=None, h=None, k=None, n=None):
    d, h, k = (int(v) for v in rng.choice(np.arange(2, 8), size=3, replace=False)) if d is None else (d, h, k)
    n = int(rng.integers(3, 9)) if n is None else n
    return random_params(rng, d, h, k), rng.normal(size=(n, d)), rng.uniform(size=(n, k))


def _student_step(student, params, x, y, rate):
    d, h = params["weights_input_hidden"].shape
    net = student.new("MLP", d, h, params["bias_output"].size, learning_rate=rate, seed=0)
    net.set_many(params)
    cache = layers(params, x)
    net.set_many(cache)
    net.call("backward", x, y, cache["output"])
    return {name: net.get(name) for name in PARAMETERS}


def _reference_step(reference, params, x, y, rate):
    d, h = params["weights_input_hidden"].shape
    model = reference.MLP(d, h, params["bias_output"].size, learning_rate=rate)
    for name, value in params.items():
        setattr(model, name, value.copy())
    model.backward(x, y, model.forward(x))
    return {name: getattr(model, name) for name in PARAMETERS}


def _variants(params, x, y, rate):
    """What the common wrong backward() passes produce: {mistake: (parameters after, hint)}."""
    cache = layers(params, x)
    w2 = params["weights_hidden_output"]

    def slope(a):  # what sigmoid_derivative returns for whatever it is given
        return a * (1 - a)

    def step(delta_from_z=False, stale=False, scale=1.0, sign=1.0, no_bias=False):
        out, hid = cache["output"], cache["hidden_layer_output"]
        d_out = (y - out) * slope(cache["output_layer_input"] if delta_from_z else out)
        new_w2 = w2 + sign * scale * rate * hid.T @ d_out
        d_hid = (d_out @ (new_w2 if stale else w2).T) * slope(cache["hidden_layer_input"] if delta_from_z else hid)
        return {"weights_hidden_output": new_w2,
                "bias_output": params["bias_output"] + (0 if no_bias else sign * scale * rate * d_out.sum(axis=0)),
                "weights_input_hidden": params["weights_input_hidden"] + sign * scale * rate * x.T @ d_hid,
                "bias_hidden": params["bias_hidden"] + (0 if no_bias else sign * scale * rate * d_hid.sum(axis=0))}

    return {
        "stale": (step(stale=True), "the hidden error uses weights_hidden_output AFTER its update: "
                                    "compute every delta before changing any weight"),
        "z": (step(delta_from_z=True), "sigmoid_derivative is given a pre-activation (a *_input array); "
                                       "it takes activations, the *_output arrays"),
        "mean": (step(scale=1 / len(x)), "the update is averaged over samples; this loss is a sum, so do not divide by N"),
        "rate": (step(scale=1 / rate), "the update ignores self.learning_rate"),
        "ascent": (step(sign=-1.0), "the step goes up the loss (gradient ascent): check the sign of output_error"),
        "no bias": (step(no_bias=True), "the biases are never updated"),
    }


def _compare(got, want, params, x, y, rate, cfg, hint):
    variants = _variants(params, x, y, rate)
    for name in PARAMETERS:
        assert_close(got[name], want[name], what=name, rtol=cfg.rtol, atol=cfg.atol, hint=hint,
                     misconceptions={key: (after[name], text) for key, (after, text) in variants.items()})


def test_backward_matches_reference(student, rng, cfg, reference):
    """one backward() step updates all four parameter arrays correctly (random shapes, N > 1, learning rate != 1)"""
    for _ in range(2):
        params, x, y = _setup(rng)
        rate = cfg.learning_rate
        _compare(_student_step(student, params, x, y, rate), _reference_step(reference, params, x, y, rate),
                 params, x, y, rate, cfg, "the parameters after one backward() step are wrong")


def test_backward_matches_numerical_gradient(student, rng, cfg):
    """the step backward() takes is -learning_rate times the numerical gradient of L (relative error)"""
    params, x, y = _setup(rng, 3, 5, 2, 6)
    rate = cfg.learning_rate
    got = _student_step(student, params, x, y, rate)
    grads = gradient(params, x, y, cfg.fd_step)
    for name in PARAMETERS:
        implied = (params[name] - as_array(got[name], name)) / rate
        check(implied.shape == grads[name].shape, f"{name} changed shape in backward()")
        error = rel_error(implied, grads[name])
        if error > cfg.fd_max_rel_error:
            variants = _variants(params, x, y, rate)
            for after, text in variants.values():
                if np.allclose(as_array(got[name], name), after[name], rtol=1e-6, atol=1e-9):
                    raise CheckFailed(text)
            raise CheckFailed(f"the change backward() makes to {name} is not -learning_rate * dL/d{name}",
                              f"relative error {error:.2e} > {cfg.fd_max_rel_error:g}")


def test_backward_learning_rate_scales_step(student, rng, cfg):
    """doubling learning_rate doubles the step"""
    params, x, y = _setup(rng, 4, 3, 2, 5)
    small = _student_step(student, params, x, y, 0.25)
    large = _student_step(student, params, x, y, 0.5)
    for name in PARAMETERS:
        step_small = as_array(small[name], name) - params[name]
        step_large = as_array(large[name], name) - params[name]
        assert_close(step_large, 2 * step_small, what=f"step of {name}", rtol=1e-6, atol=1e-12,
                     hint="the size of each update must be proportional to self.learning_rate")


def _backward_in_place(d, h, k, params, cache, x, y):
    net = student.MLP(d, h, k)  # noqa: F821 - the submission's module, in the sandbox
    for name, value in {**params, **cache}.items():
        setattr(net, name, value)
    arrays = [params[name] for name in ("weights_input_hidden", "weights_hidden_output", "bias_hidden", "bias_output")]
    before = [a.copy() for a in arrays]
    net.backward(x, y, cache["output"])
    after = [net.weights_input_hidden, net.weights_hidden_output, net.bias_hidden, net.bias_output]
    return {"same": [a is b for a, b in zip(arrays, after)], "changed": [bool((a != b).any()) for a, b in zip(before, arrays)]}


def test_backward_updates_in_place(student, rng):
    """backward() updates the existing parameter arrays in place (as the lesson's += does)"""
    params, x, y = _setup(rng, 3, 4, 2, 4)
    d, h = params["weights_input_hidden"].shape
    outcome = student.run(_backward_in_place, d, h, 2, params, layers(params, x), x, y)
    check(isinstance(outcome, dict) and outcome.get("same") == [True] * 4 and outcome.get("changed") == [True] * 4,
          "backward() should change the parameter arrays in place (+= or -=), not replace them with new arrays")
