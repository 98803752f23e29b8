"""Hidden checks for MLP.train and train_xor: reference trajectory, convergence over many seeds."""

import numpy as np

from autograder.checks import CheckFailed, as_array, assert_close, check
from autograder.oracle import PARAMETERS, layers, random_params

XOR_INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
XOR_LABELS = np.array([[0], [1], [1], [0]], dtype=float)


def test_train_xor_trajectory_matches_reference(student, rng, cfg, reference):
    """MLP.train follows the reference's losses and weights from the same starting weights"""
    params = random_params(rng, 2, 4, 1)
    epochs, rate = cfg.trajectory_epochs, 0.7
    net = student.new("MLP", 2, 4, 1, learning_rate=rate, seed=0)
    net.set_many(params)
    losses = net.call("train", XOR_INPUTS, XOR_LABELS, epochs)
    model = reference.MLP(2, 4, 1, learning_rate=rate)
    for name, value in params.items():
        setattr(model, name, value.copy())
    want = np.array(model.train(XOR_INPUTS, XOR_LABELS, epochs))
    longer = reference.MLP(2, 4, 1, learning_rate=rate)
    for name, value in params.items():
        setattr(longer, name, value.copy())
    shifted = np.array(longer.train(XOR_INPUTS, XOR_LABELS, epochs + 1)[1:])
    check(isinstance(losses, list) and len(losses) == epochs, "train() should return a list with one loss per epoch")
    assert_close(as_array(losses, "losses"), want, what="losses", rtol=cfg.rtol, atol=cfg.atol,
                 hint="the losses train() returns do not follow gradient descent from these weights",
                 misconceptions={"after": (shifted, "each loss should be computed before that epoch's update"),
                                 "mean": (want / len(XOR_INPUTS), "the loss is 1/2 * a sum over samples, not a mean"),
                                 "half": (2 * want, "the loss has a factor 1/2: L = 1/2 * sum((labels - output)**2)")})
    for name in PARAMETERS:
        assert_close(net.get(name), getattr(model, name), what=name, rtol=cfg.rtol, atol=cfg.atol,
                     hint="after training, the weights differ from full-batch gradient descent for the given epochs")


def _train_xor_runs(seeds):
    runs = []
    for seed in seeds:
        calls = []
        original = student.MLP.train  # noqa: F821 - the submission's module, in the sandbox

        def counting(self, *args, **kwargs):
            calls.append(1)
            return original(self, *args, **kwargs)

        student.MLP.train = counting  # noqa: F821
        try:
            net = student.train_xor(seed)  # noqa: F821
        finally:
            student.MLP.train = original  # noqa: F821
        names = ("weights_input_hidden", "bias_hidden", "weights_hidden_output", "bias_output")
        runs.append({"train_calls": len(calls), "params": {name: getattr(net, name) for name in names}})
    return runs


def test_train_xor_converges_for_most_seeds(student, rng, cfg):
    """train_xor(seed) trains with MLP.train and solves XOR for nearly every seed"""
    seeds = [int(s) for s in rng.choice(10**6, size=cfg.seeds, replace=False)]
    runs = student.run(_train_xor_runs, seeds)
    check(isinstance(runs, list) and len(runs) == len(seeds), "train_xor did not return a network for every seed")
    solved = 0
    for run in runs:
        check(isinstance(run, dict) and run.get("train_calls", 0) >= 1,
              "train_xor must train the network with its train() method (no hand-set weights)")
        params = {name: as_array(run["params"].get(name), name) for name in PARAMETERS}
        outputs = layers(params, XOR_INPUTS)["output"]  # judged from the weights, not from predict()
        solved += bool(outputs.shape == XOR_LABELS.shape and np.all(np.abs(outputs - XOR_LABELS) < cfg.tolerance))
    if solved < cfg.min_solved:
        raise CheckFailed("train_xor solves XOR for too few seeds: the lesson's settings (2 hidden units, weights "
                          "from rand() in [0, 1), 100 epochs) stall near 0.5. Use more epochs, more hidden units, "
                          "or zero-centred initial weights", f"solved {solved} of {len(seeds)} seeds")
