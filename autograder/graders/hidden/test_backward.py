"""Hidden checks for MLP.backward: reference update, numerical gradient, in-place, known wrong variants."""

import numpy as np

from autograder.checks import CheckFailed, as_array, assert_close, check, explained, norm_rel_error
from autograder.mistakes import backward_mistakes
from autograder.oracle import PARAMETERS, for_parameter, gradient, layers, random_params

SHAPES = ("a product in backward() has mismatched shapes: each update must have the shape of the parameter "
          "it changes (check where .T goes)")


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
    with explained(shapes=SHAPES):
        net.call("backward", x, y, cache["output"])
    return {name: net.get(name) for name in PARAMETERS}


def _reference_step(reference, params, x, y, rate):
    d, h = params["weights_input_hidden"].shape
    model = reference.MLP(d, h, params["bias_output"].size, learning_rate=rate)
    for name, value in params.items():
        setattr(model, name, value.copy())
    model.backward(x, y, model.forward(x))
    return {name: getattr(model, name) for name in PARAMETERS}


def test_backward_matches_reference(student, rng, cfg, reference):
    """one backward() step updates all four parameter arrays correctly (random shapes, N > 1, learning rate != 1)"""
    for _ in range(2):
        params, x, y = _setup(rng)
        rate = cfg.learning_rate
        got, want = _student_step(student, params, x, y, rate), _reference_step(reference, params, x, y, rate)
        mistakes = backward_mistakes(params, x, y, rate)
        for name in PARAMETERS:
            assert_close(got[name], want[name], what=name, rtol=cfg.rtol, atol=cfg.atol,
                         hint="the parameters after one backward() step are wrong",
                         misconceptions=for_parameter(mistakes, name))


def test_backward_matches_numerical_gradient(student, rng, cfg):
    """the step backward() takes is -learning_rate times the numerical gradient of L (relative error)"""
    params, x, y = _setup(rng, 3, 5, 2, 6)
    rate = cfg.learning_rate
    got = _student_step(student, params, x, y, rate)
    grads = gradient(params, x, y, cfg.fd_step)
    mistakes = backward_mistakes(params, x, y, rate)
    for name in PARAMETERS:
        after = as_array(got[name], name)
        check(after.shape == grads[name].shape, f"{name} changed shape in backward()")
        error = norm_rel_error((params[name] - after) / rate, grads[name])
        if error > cfg.fd_max_rel_error:
            for wrong, text in for_parameter(mistakes, name).values():
                if norm_rel_error(after - params[name], wrong - params[name]) <= cfg.fd_max_rel_error:
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
        assert_close(step_large, 2 * step_small, what=f"step of {name}", rtol=cfg.rtol, atol=cfg.atol,
                     hint="the size of each update must be proportional to self.learning_rate",
                     misconceptions={"rate": (step_small, "the update ignores self.learning_rate")})


IN_PLACE_ORDER = ("weights_input_hidden", "weights_hidden_output", "bias_hidden", "bias_output")


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
    with explained(shapes=SHAPES):
        outcome = student.run(_backward_in_place, d, h, 2, params, layers(params, x), x, y)
    check(isinstance(outcome, dict) and outcome.get("same") == [True] * 4,
          "backward() should change the parameter arrays in place (+= or -=), not replace them with new arrays")
    unchanged = [name for name, changed in zip(IN_PLACE_ORDER, outcome.get("changed", [])) if not changed]
    check(not unchanged, f"backward() never updates {', '.join(unchanged)}: every weight and bias moves in each step")
