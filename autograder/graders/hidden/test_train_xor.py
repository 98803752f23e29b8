"""Hidden checks for MLP.train and train_xor: reference trajectory, convergence over many seeds."""

import numpy as np

from autograder.checks import CheckFailed, as_array, assert_close, check
from autograder.graders.oracle import (PARAMETERS, XOR_INPUTS, XOR_LABELS, layers, random_params, train_mistakes,
                               train_provenance, train_xor_runs)

LESSON_HINT = ("train_xor solves XOR for too few seeds: the lesson's settings (2 hidden units, weights from rand() "
               "in [0, 1), 100 epochs) stall near 0.5. Use more epochs, more hidden units, or zero-centred "
               "initial weights")


def _reference_losses(reference, params, rate, epochs):
    model = reference.MLP(2, 4, 1, learning_rate=rate)
    for name, value in params.items():
        setattr(model, name, value.copy())
    return model, np.array(model.train(XOR_INPUTS, XOR_LABELS, epochs))


def test_train_xor_trajectory_matches_reference(student, rng, cfg, reference):
    """MLP.train follows the reference's losses and weights from the same starting weights"""
    params = random_params(rng, 2, 4, 1)
    epochs, rate = cfg.trajectory_epochs, 0.7
    net = student.new("MLP", 2, 4, 1, learning_rate=rate, seed=0)
    net.set_many(params)
    losses = net.call("train", XOR_INPUTS, XOR_LABELS, epochs)
    model, want = _reference_losses(reference, params, rate, epochs)
    shifted = _reference_losses(reference, params, rate, epochs + 1)[1][1:]
    check(not (isinstance(losses, list) and len(losses) == 1),
          "train() ran a single epoch: it must repeat forward() and backward() `epochs` times")
    check(isinstance(losses, list) and len(losses) == epochs, "train() should return a list with one loss per epoch")
    assert_close(as_array(losses, "losses"), want, what="losses", rtol=cfg.rtol, atol=cfg.atol,
                 hint="the losses train() returns do not follow gradient descent from these weights",
                 misconceptions=train_mistakes(want, shifted))
    for name in PARAMETERS:
        assert_close(net.get(name), getattr(model, name), what=name, rtol=cfg.rtol, atol=cfg.atol,
                     hint="after training, the weights differ from full-batch gradient descent for the given epochs")


def _again(seed):
    net = student.train_xor(seed)  # noqa: F821 - the same seed must give the same network
    return {name: getattr(net, name) for name in ("weights_input_hidden", "bias_hidden", "weights_hidden_output",
                                                  "bias_output")}


def _solves(params: dict, tolerance: float) -> bool:
    outputs = layers(params, XOR_INPUTS)["output"]  # judged from the weights, not from predict()
    return bool(outputs.shape == XOR_LABELS.shape and np.all(np.abs(outputs - XOR_LABELS) < tolerance))


def test_train_xor_converges_for_most_seeds(student, rng, cfg):
    """train_xor(seed) returns what MLP.train made of the seeded start, and it solves XOR for nearly every seed"""
    seeds = [int(s) for s in rng.choice(10**6, size=cfg.seeds, replace=False)]
    runs = student.run(train_xor_runs, seeds, XOR_INPUTS)
    check(isinstance(runs, list) and len(runs) == len(seeds) and all(isinstance(run, dict) for run in runs),
          "train_xor did not return a network for every seed")
    solved, finals, starts = 0, [], []
    for run in runs:
        problem = train_provenance(run)
        check(problem is None, problem or "")
        params = {name: as_array(run["params"][name], name) for name in PARAMETERS}
        predicted = as_array(run.get("predicted"), "predict(XOR_INPUTS)")
        computed = layers(params, XOR_INPUTS)["output"]
        check(predicted.shape == computed.shape and np.allclose(predicted, computed, rtol=cfg.rtol, atol=cfg.atol),
              "predict() does not return what the trained weights compute: it must be the forward pass, "
              "never fixed values")
        solved += _solves(params, cfg.tolerance)
        finals.append(np.concatenate([params[name].ravel() for name in PARAMETERS]))
        start = {name: as_array(run["calls"][0]["start"][name], name) for name in PARAMETERS}
        starts.append(np.concatenate([start[name].ravel() for name in PARAMETERS]))
        check(not _solves(start, cfg.tolerance), "the network already solves XOR before train() runs: the weights "
              "were set by hand; train_xor must learn them from MLP(..., seed=seed)'s random start")
    if solved < cfg.min_solved:
        raise CheckFailed(LESSON_HINT, f"solved {solved} of {len(seeds)} seeds")
    check(not all(final.shape == finals[0].shape and np.allclose(final, finals[0]) for final in finals[1:]),
          "train_xor returns the same network for every seed: pass seed to MLP(..., seed=seed) and learn the "
          "weights from its random start (no hand-set weights)")
    check(not all(start.shape == starts[0].shape and np.array_equal(start, starts[0]) for start in starts[1:]),
          "train() starts from the same weights for every seed: pass seed to MLP(..., seed=seed)")
    again = student.run(_again, seeds[0])
    check(isinstance(again, dict) and all(np.array_equal(as_array(again.get(name), name), as_array(
              runs[0]["params"][name], name)) for name in PARAMETERS),
          "train_xor(seed) returns a different network each time for the same seed: pass seed to MLP(..., seed=seed)")
    seconds = float(np.median([float(run.get("seconds", 0.0)) for run in runs]))
    check(seconds <= cfg.max_seconds_per_seed, "train_xor is too slow: it should take well under a second "
          "(fewer epochs, or a larger learning rate)", f"median {seconds:.2f} s per seed")
