"""Public checks for MLP.backward: two gradient steps in a row, checked against finite differences."""

import numpy as np

from autograder.checks import CheckFailed, as_array, assert_close, check, explained
from autograder.graders.oracle import (BIAS_2D_RULES, PARAMETERS, STATE_HINT, backward_runs, for_parameter, gradient,
                                       layers, random_params, step_mistakes)

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
        with explained(shapes=SHAPES, rules=BIAS_2D_RULES):
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
    """backward() updates its arrays in place to the right values (float32 too), returns None, leaves its arguments"""
    params, batches = _problem(rng, 2, 3, 2, 4)
    # The float32 batch first: a failure only in the second step is read as state kept between calls.
    batches[0] = tuple(array.astype(np.float32) for array in batches[0])
    exact = [(x.astype(float), y.astype(float)) for x, y in batches]
    want = _expected(params, exact, cfg.learning_rate, cfg.fd_step)
    caches = [layers(before, x) for (x, _), before in zip(exact, [params, *want[:-1]])]
    # The arguments come back as they are after the calls and are compared with the grader's own copies.
    with explained(shapes=SHAPES, rules=BIAS_2D_RULES):
        reply = student.run(backward_runs, (2, 3, 2), params, caches, batches, cfg.learning_rate)
    check(isinstance(reply, dict) and all(isinstance(reply.get(key), list) and len(reply[key]) == 2
                                          for key in ("same", "values", "returned_none", "batches", "caches")),
          "backward() did not run to the end")
    got = [step if isinstance(step, dict) else {} for step in reply["values"]]
    check(all(set(step) == set(PARAMETERS) for step in got), "backward() did not leave four parameter arrays")
    _check(got, want, params, exact, cfg, lambda name: f"{name} after a backward() step is wrong")
    check(reply["returned_none"] == [True, True], "backward() should update the weights in place and return None")
    check(reply["same"] == [[True] * 4] * 2,
          "backward() should change the parameter arrays in place (+= or -=), not replace them with new arrays")
    for (x, y), cache, seen, seen_cache in zip(batches, caches, reply["batches"], reply["caches"]):
        given = {"inputs": x, "actual_output": y, "predicted_output": cache["output"]}
        seen = {"inputs": seen[0], "actual_output": seen[1], "predicted_output": seen_cache.get("output")} \
            if isinstance(seen, list) and len(seen) == 2 and isinstance(seen_cache, dict) else {}
        changed = sorted(name for name, value in given.items() if not (
            isinstance(seen.get(name), np.ndarray) and np.array_equal(as_array(seen[name], name), value)))
        check(not changed, f"backward() changed {', '.join(changed)}: compute the errors and deltas into new "
              "arrays, leave the arguments as they were given")
