"""Public checks for MLP.train and train_xor."""

import numpy as np

from autograder.checks import as_array, assert_close, check
from autograder.graders.oracle import (PARAMETERS, XOR_INPUTS, XOR_LABELS, gradient, layers, loss, random_params,
                               train_mistakes, train_provenance, train_xor_runs)

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
    """train_xor(seed=0) returns the network its train() call produced, with outputs within 0.1 of the XOR labels"""
    runs = student.run(train_xor_runs, [0], XOR_INPUTS)
    check(isinstance(runs, list) and len(runs) == 1 and isinstance(runs[0], dict),
          "train_xor should return the trained MLP")
    run = runs[0]
    problem = train_provenance(run)
    check(problem is None, problem or "")
    params = {name: as_array(run["params"][name], name) for name in PARAMETERS}
    outputs = layers(params, XOR_INPUTS)["output"]
    check(np.all(np.abs(outputs - XOR_LABELS) < cfg.tolerance),
          "the trained network does not solve XOR: try more epochs, more hidden units, a larger learning "
          "rate, or initial weights centred on zero (the lesson's settings stop near 0.5)",
          f"outputs for [0,0], [0,1], [1,0], [1,1]: {np.round(outputs.ravel(), 3).tolist()}")
    start = {name: as_array(run["calls"][0]["start"][name], name) for name in PARAMETERS}
    check(not np.all(np.abs(layers(start, XOR_INPUTS)["output"] - XOR_LABELS) < cfg.tolerance),
          "the network already solves XOR before train() runs: the weights were set by hand; train_xor must learn "
          "them from MLP(..., seed=seed)'s random start")
    predicted = as_array(run.get("predicted"), "predict(XOR_INPUTS)")
    check(predicted.shape == outputs.shape and np.allclose(predicted, outputs, rtol=cfg.rtol, atol=cfg.atol),
          "predict() does not return what the trained weights compute: it must be the forward pass, "
          "never fixed values", f"predict gave {np.round(predicted.ravel(), 3).tolist()}")
