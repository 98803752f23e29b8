"""Public checks for MLP.train and train_xor."""

import numpy as np

from autograder.checks import as_array, assert_close, check
from autograder.graders.oracle import PARAMETERS, XOR_INPUTS, XOR_LABELS, gradient, loss, random_params, train_mistakes
from autograder.graders.xor_replay import Limits, judge

EPOCHS, RATE = 4, 0.5


def test_train_xor_returns_losses(student, rng, cfg):
    """MLP.train returns one loss per epoch, each computed before that epoch's update"""
    params = random_params(rng, 2, 3, 1)
    net = student.new("MLP", 2, 3, 1, learning_rate=RATE, seed=0)
    net.set_many(params)
    losses = net.call("train", XOR_INPUTS, XOR_LABELS, EPOCHS)
    check(not (isinstance(losses, list) and len(losses) == 1),
          "train() ran a single epoch: it must repeat forward() and backward() `epochs` times")
    check(isinstance(losses, list) and len(losses) == EPOCHS,
          f"train(inputs, labels, epochs={EPOCHS}) should return a list of {EPOCHS} losses",
          f"got {type(losses).__name__} {'of length ' + str(len(losses)) if isinstance(losses, list) else ''}")
    want, current = [], {name: value.copy() for name, value in params.items()}
    for _ in range(EPOCHS + 1):  # gradient descent on L, with the gradient from finite differences
        want.append(loss(current, XOR_INPUTS, XOR_LABELS))
        grads = gradient(current, XOR_INPUTS, XOR_LABELS, 1e-6)
        current = {name: current[name] - RATE * grads[name] for name in PARAMETERS}
    assert_close(as_array(losses, "losses"), want[:EPOCHS], what="losses", rtol=cfg.rtol, atol=cfg.atol,
                 hint="each loss should be 1/2 * sum((labels - output)**2), computed before that epoch's backward()",
                 misconceptions=train_mistakes(np.array(want[:EPOCHS]), np.array(want[1:])))


def test_train_xor_solves_xor(student, cfg):
    """train_xor(0) trains MLP(..., seed=0)'s start with train(), quickly, to outputs within 0.1 of the XOR labels"""
    judge(student, [0], _limits(cfg), need=1)


def _limits(cfg) -> Limits:
    return Limits(cfg.tolerance, cfg.rtol, cfg.atol, cfg.max_seconds_per_seed, cfg.replay_atol,
                  cfg.max_replay_epochs, cfg.max_hidden)
