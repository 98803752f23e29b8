"""Hidden checks for MLP.train and train_xor: reference trajectory, convergence over many seeds."""

import numpy as np

from autograder.checks import as_array, assert_close, check
from autograder.graders.oracle import PARAMETERS, XOR_INPUTS, XOR_LABELS, random_params, train_mistakes
from autograder.graders.xor_replay import Limits, judge


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


def test_train_xor_converges_for_most_seeds(student, rng, cfg):
    """train_xor(seed) returns what MLP.train made of MLP(..., seed)'s start, and it solves XOR for nearly every seed"""
    seeds = [0] + [int(s) for s in rng.choice(np.arange(1, 10**6), size=cfg.seeds - 1, replace=False)]
    judge(student, seeds, _limits(cfg), need=cfg.min_solved)


def _limits(cfg) -> Limits:
    return Limits(cfg.tolerance, cfg.rtol, cfg.atol, cfg.max_seconds_per_seed, cfg.replay_atol,
                  cfg.max_replay_epochs, cfg.max_hidden)
