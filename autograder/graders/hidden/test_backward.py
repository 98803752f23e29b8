"""Hidden checks for MLP.backward: reference updates, numerical gradient, in place, stateless, known wrong variants.

Every check takes two backward() steps in a row on the same network (new batch, fresh cached
activations), so a backward() that remembers anything between calls (momentum) fails all of them.
"""

import numpy as np

from autograder.checks import CheckFailed, as_array, assert_close, check, explained, norm_rel_error
from autograder.graders.mistakes import backward_mistakes
from autograder.graders.oracle import (BIAS_2D_RULES, PARAMETERS, STATE_HINT, backward_runs, for_parameter, gradient,
                                       layers, random_params)

SHAPES = ("a product in backward() has mismatched shapes: each update must have the shape of the parameter "
          "it changes (check where .T goes)")


def _setup(rng, d=None, h=None, k=None, n=None, scale=1.0):
    """Weights and two batches (x, y) of the same shapes."""
    d, h, k = (int(v) for v in rng.choice(np.arange(2, 8), size=3, replace=False)) if d is None else (d, h, k)
    n = int(rng.integers(3, 9)) if n is None else n
    batches = [(rng.normal(size=(n, d)), rng.uniform(size=(n, k))) for _ in range(2)]
    return random_params(rng, d, h, k, scale=scale), batches


def _reference_steps(reference, params, batches, rate):
    """The reference's parameters after each of the steps, one batch each."""
    d, h = params["weights_input_hidden"].shape
    model = reference.MLP(d, h, params["bias_output"].size, learning_rate=rate)
    for name, value in params.items():
        setattr(model, name, value.copy())
    steps = []
    for x, y in batches:
        model.backward(x, y, model.forward(x))
        steps.append({name: getattr(model, name).copy() for name in PARAMETERS})
    return steps


def _student_steps(student, params, batches, rate, expected):
    """The student's parameters after each backward() on one network; step i reads the activations
    of the expected parameters before it (what a correct forward() would have cached)."""
    d, h = params["weights_input_hidden"].shape
    net = student.new("MLP", d, h, params["bias_output"].size, learning_rate=rate, seed=0)
    net.set_many(params)
    steps = []
    for (x, y), before in zip(batches, [params, *expected[:-1]]):
        cache = layers(before, x)
        net.set_many(cache)
        with explained(shapes=SHAPES, rules=BIAS_2D_RULES):
            net.call("backward", x, y, cache["output"])
        steps.append({name: net.get(name) for name in PARAMETERS})
    return steps


def check_steps(got, want, *, rtol, atol, hint, mistakes=None, what=lambda name: name):
    """Step 1 against want[0] (known mistakes named), then step 2: wrong only there means state."""
    for index, (got_step, want_step) in enumerate(zip(got, want)):
        for name in PARAMETERS:
            try:
                assert_close(got_step[name], want_step[name], what=what(name), rtol=rtol, atol=atol, hint=hint,
                             misconceptions=for_parameter(mistakes, name) if mistakes and index == 0 else None)
            except CheckFailed as failure:
                if index == 0:
                    raise
                raise CheckFailed(STATE_HINT, failure.detail) from None


def test_backward_matches_reference(student, rng, cfg, reference):
    """two backward() steps in a row update all four parameter arrays correctly (random shapes, learning rate != 1)"""
    for _ in range(2):
        params, batches = _setup(rng)
        rate = cfg.learning_rate
        want = _reference_steps(reference, params, batches, rate)
        got = _student_steps(student, params, batches, rate, want)
        x, y = batches[0]
        check_steps(got, want, rtol=cfg.rtol, atol=cfg.atol, hint="the parameters after a backward() step are wrong",
                    mistakes=backward_mistakes(params, x, y, rate))


def test_backward_matches_numerical_gradient(student, rng, cfg, reference):
    """each step backward() takes is -learning_rate times the numerical gradient of L (relative error)"""
    params, batches = _setup(rng, 3, 5, 2, 6)
    rate = cfg.learning_rate
    want = _reference_steps(reference, params, batches, rate)
    got = _student_steps(student, params, batches, rate, want)
    for index, ((x, y), before) in enumerate(zip(batches, [params, *want[:-1]])):
        grads = gradient(before, x, y, cfg.fd_step)
        mistakes = backward_mistakes(before, x, y, rate)
        for name in PARAMETERS:
            after = as_array(got[index][name], name)
            check(after.shape == grads[name].shape, f"{name} changed shape in backward()")
            error = norm_rel_error((before[name] - after) / rate, grads[name])
            if error <= cfg.fd_max_rel_error:
                continue
            if index == 1:
                raise CheckFailed(STATE_HINT, f"second step: relative error {error:.2e} > {cfg.fd_max_rel_error:g}")
            named = {text for wrong, text in for_parameter(mistakes, name).values()
                     if norm_rel_error(after - before[name], wrong - before[name]) <= cfg.fd_max_rel_error}
            if len(named) == 1:
                raise CheckFailed(named.pop())
            raise CheckFailed(f"the change backward() makes to {name} is not -learning_rate * dL/d{name}",
                              f"relative error {error:.2e} > {cfg.fd_max_rel_error:g}")


def test_backward_learning_rate_scales_step(student, rng, cfg, reference):
    """each step is the right one for its learning rate, so doubling the rate doubles the step"""
    params, batches = _setup(rng, 4, 3, 2, 5)
    steps = {}
    for rate in (0.25, 0.5):
        want = _reference_steps(reference, params, batches, rate)
        steps[rate] = _student_steps(student, params, batches, rate, want)
        first = {name: as_array(steps[rate][0][name], name) - params[name] for name in PARAMETERS}
        if rate == 0.5:
            small = {name: as_array(steps[0.25][0][name], name) - params[name] for name in PARAMETERS}
            for name in PARAMETERS:
                if np.allclose(first[name], small[name], rtol=cfg.rtol, atol=cfg.atol) and not np.allclose(
                        first[name], want[0][name] - params[name], rtol=cfg.rtol, atol=cfg.atol):
                    raise CheckFailed("the update ignores self.learning_rate: the step is the same at rate 0.25 "
                                      "and 0.5")
        check_steps(steps[rate], want, rtol=cfg.rtol, atol=cfg.atol,
                    hint=f"with learning_rate={rate} the step is not learning_rate * (the update): each update "
                         "must be proportional to self.learning_rate", what=lambda name: f"{name} (rate {rate})")


def _in_sandbox(student, reference, params, batches, rate):
    """Two steps run inside the child on `batches`: (reply, the student's steps, the reference's steps, caches)."""
    want = _reference_steps(reference, params, [(np.asarray(x, float), np.asarray(y, float)) for x, y in batches], rate)
    caches = [layers(before, np.asarray(x, float)) for (x, _), before in zip(batches, [params, *want[:-1]])]
    d, h = params["weights_input_hidden"].shape
    with explained(shapes=SHAPES, rules=BIAS_2D_RULES):
        reply = student.run(backward_runs, (d, h, params["bias_output"].size), params, caches, batches, rate)
    ok = (isinstance(reply, dict) and all(isinstance(reply.get(key), list) and len(reply[key]) == 2
                                          for key in ("same", "values", "batches", "caches")))
    check(ok, "backward() did not run to the end")
    got = [values if isinstance(values, dict) and set(values) == set(PARAMETERS) else {} for values in reply["values"]]
    check(all(got), "backward() did not leave four parameter arrays")
    return reply, got, want, caches


def test_backward_updates_in_place(student, rng, cfg, reference):
    """backward() updates the existing parameter arrays in place (as the lesson's += does), to the right values"""
    params, batches = _setup(rng, 3, 4, 2, 4)
    reply, got, want, _ = _in_sandbox(student, reference, params, batches, 1.0)
    check_steps(got, want, rtol=cfg.rtol, atol=cfg.atol, hint="the parameters after a backward() step are wrong")
    check(reply["same"] == [[True] * 4] * 2,
          "backward() should change the parameter arrays in place (+= or -=), not replace them with new arrays")


def test_backward_leaves_its_arguments_alone(student, rng, cfg, reference):
    """backward() is right for float32 batches and saturated units, and changes none of the arrays it is given"""
    params, batches = _setup(rng, 4, 5, 3, 6, scale=3.0)
    batches = [(x.astype(np.float32), y.astype(np.float32)) for x, y in batches]
    reply, got, want, caches = _in_sandbox(student, reference, params, batches, 1.0)
    check_steps(got, want, rtol=cfg.rtol, atol=cfg.atol,
                hint="the parameters after a backward() step are wrong for these float32 batches")
    # The arguments come back as they are after the calls and are compared with the grader's own copies.
    changed = set()
    for (x, y), cache, seen, seen_cache in zip(batches, caches, reply["batches"], reply["caches"]):
        given = {"inputs": x, "actual_output": y, "predicted_output": cache["output"]}
        seen = {"inputs": seen[0], "actual_output": seen[1], "predicted_output": seen_cache.get("output")} \
            if isinstance(seen, list) and len(seen) == 2 and isinstance(seen_cache, dict) else {}
        changed |= {name for name, value in given.items() if not (
            isinstance(seen.get(name), np.ndarray) and np.array_equal(as_array(seen[name], name), value))}
    check(not changed, f"backward() changed {', '.join(sorted(changed))}: compute the errors and deltas into new "
          "arrays, leave the arguments as they were given")
