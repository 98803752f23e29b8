"""Public checks for MLP.backward: two gradient steps in a row, checked against finite differences."""

from autograder.checks import CheckFailed, assert_close, check, explained
from autograder.graders.oracle import PARAMETERS, STATE_HINT, for_parameter, gradient, layers, random_params, step_mistakes

SHAPES = ("a product in backward() has mismatched shapes: each delta has its layer's shape (N, K) or (N, H), "
          "and each update must have the shape of the parameter it changes (check where .T goes)")


def _expected(params, batches, rate, h):
    """The parameters after each gradient step (gradient by finite differences), one batch each."""
    steps, current = [], params
    for x, y in batches:
        grads = gradient(current, x, y, h)
        current = {name: current[name] - rate * grads[name] for name in PARAMETERS}
        steps.append(current)
    return steps


def _steps(student, params, batches, rate, expected):
    """The student's parameters after each backward() on one network, and what each call returned."""
    d, h = params["weights_input_hidden"].shape
    net = student.new("MLP", d, h, params["bias_output"].size, learning_rate=rate, seed=0)
    net.set_many(params)
    steps, returned = [], []
    for (x, y), before in zip(batches, [params, *expected[:-1]]):
        cache = layers(before, x)
        net.set_many(cache)  # backward() reads the activations that forward() cached
        with explained(shapes=SHAPES):
            returned.append(net.call("backward", x, y, cache["output"]))
        steps.append({name: net.get(name) for name in PARAMETERS})
    return steps, returned


def _check(got, want, params, batches, cfg, hint):
    x, y = batches[0]
    mistakes = step_mistakes(params, gradient(params, x, y, cfg.fd_step), cfg.learning_rate, len(x))
    for index, (got_step, want_step) in enumerate(zip(got, want)):
        for name in PARAMETERS:
            try:
                assert_close(got_step[name], want_step[name], what=name if index == 0 else f"{name} after step 2",
                             rtol=cfg.rtol, atol=cfg.atol, hint=hint(name),
                             misconceptions=for_parameter(mistakes, name) if index == 0 else None)
            except CheckFailed as failure:
                if index == 0:
                    raise
                raise CheckFailed(STATE_HINT, failure.detail) from None


def _problem(rng, d, h, k, n):
    return random_params(rng, d, h, k), [(rng.normal(size=(n, d)), rng.uniform(size=(n, k))) for _ in range(2)]


def test_backward_matches_finite_differences(student, rng, cfg):
    """backward() moves every weight and bias by -learning_rate times the gradient of the loss, step after step"""
    params, batches = _problem(rng, 3, 4, 2, 5)
    want = _expected(params, batches, cfg.learning_rate, cfg.fd_step)
    got, _ = _steps(student, params, batches, cfg.learning_rate, want)
    _check(got, want, params, batches, cfg,
           lambda name: f"{name} after one backward() step is not old value - learning_rate * dL/d{name}")


def test_backward_returns_none(student, rng, cfg):
    """backward() updates the network to the right values and returns None"""
    params, batches = _problem(rng, 2, 3, 2, 4)
    want = _expected(params, batches, cfg.learning_rate, cfg.fd_step)
    got, returned = _steps(student, params, batches, cfg.learning_rate, want)
    _check(got, want, params, batches, cfg, lambda name: f"{name} after a backward() step is wrong")
    check(all(value is None for value in returned), "backward() should update the weights in place and return None",
          f"it returned {type(next(v for v in returned if v is not None)).__name__}"
          if any(v is not None for v in returned) else "")
