"""train_xor judged from outside: the grader replays what the submission's train_xor asked for.

The child runs train_xor(seed) once per seed and reports what it asked of MLP: the constructor's
arguments of each network, and for each train() call its network, epochs and learning rate
(record(), below, runs in the child). None of that is believed on its own: the grader asks the
child for a fresh MLP with those arguments (twice: a seeded start is reproducible), replays the
training itself here, in float64, from that start, and judges the network it computed. The
network the child returns only has to be the one its train() calls made of their own start
(replayed too, when train_xor drew a start of its own). Time is the grader's wall clock around
each seed's request. So rewriting the recorder's snapshots (through the call stack, or by
patching numpy), hand-set weights before or after train(), a train() that recognises its own
call, or a clock replaced in the child decides nothing.
"""

from __future__ import annotations

import numbers
import time
from dataclasses import dataclass

import numpy as np

from autograder.checks import CheckFailed, as_array, check
from autograder.graders.oracle import PARAMETERS, XOR_INPUTS, XOR_LABELS, layers

STALLED = 0.1  # every output within this of 0.5: training stalled where the lesson's settings stop


def record(seed, inputs):
    """In the child: train_xor(seed), with what it asked of MLP (see the module docstring)."""
    import inspect

    import numpy as np

    names = ("weights_input_hidden", "bias_hidden", "weights_hidden_output", "bias_output")
    cls = student.MLP  # noqa: F821 - the submission's module, in the child
    own_init, own_train = cls.__init__, cls.train
    kept = {name: cls.__dict__[name] for name in ("__init__", "train") if name in cls.__dict__}
    made, calls = {}, []

    def init(self, *args, **kwargs):
        made.setdefault(id(self), {"args": list(args), "kwargs": dict(kwargs)})
        return own_init(self, *args, **kwargs)

    def train(self, *args, **kwargs):
        bound = inspect.signature(own_train).bind(self, *args, **kwargs)
        bound.apply_defaults()
        given = list(bound.arguments.values())  # self, inputs, labels, epochs
        epochs = bound.arguments.get("epochs", given[3] if len(given) > 3 else None)
        call = {"network": id(self), "epochs": epochs, "learning_rate": getattr(self, "learning_rate", None),
                "start": {name: np.array(getattr(self, name, np.nan), dtype=float) for name in names}}
        losses = own_train(self, *args, **kwargs)
        call["losses"] = len(losses) if isinstance(losses, list) else -1
        calls.append(call)
        return losses

    cls.__init__, cls.train = init, train
    try:
        net = student.train_xor(seed)  # noqa: F821
    finally:
        for name in ("__init__", "train"):
            if name in kept:
                setattr(cls, name, kept[name])
            else:
                delattr(cls, name)
    mine = id(net)
    return {"made": made.get(mine), "calls": [{key: call[key] for key in ("epochs", "learning_rate", "start", "losses")}
                                              for call in calls if call["network"] == mine],
            "other_calls": sum(call["network"] != mine for call in calls),
            "params": {name: getattr(net, name, None) for name in names}, "predicted": net.predict(inputs)}


def construct(args, kwargs):
    """In the child: the four parameter arrays of MLP(*args, **kwargs), built twice."""
    names = ("weights_input_hidden", "bias_hidden", "weights_hidden_output", "bias_output")
    built = [student.MLP(*args, **kwargs) for _ in range(2)]  # noqa: F821
    return [{name: getattr(net, name, None) for name in names} for net in built]


def _number(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and np.isfinite(float(value))


def settings(run, *, max_epochs: int) -> tuple[dict | None, str]:
    """({"args", "kwargs", "calls": [(epochs, rate)], "start"}, "") from one recorded run, or (None, why not).

    Checks only the claims' form; what they are worth is for the replay to tell."""
    if not isinstance(run, dict) or not isinstance(run.get("calls"), list):
        return None, "train_xor should return the MLP it trained"
    if not run["calls"]:
        return None, "train_xor must train the network it returns with its train() method (no hand-set weights)"
    made = run.get("made")
    plain = lambda value: value is None or isinstance(value, (bool, str)) or _number(value)  # noqa: E731
    if not isinstance(made, dict) or not isinstance(made.get("args"), list) \
            or not isinstance(made.get("kwargs"), dict) \
            or not all(plain(v) for v in made["args"] + list(made["kwargs"].values())):
        return None, ("train_xor should create its network as MLP(2, hidden_size, 1, learning_rate=..., seed=seed), "
                      "with numbers as arguments")
    calls, total = [], 0
    for call in run["calls"]:
        epochs, rate = call.get("epochs") if isinstance(call, dict) else None, call.get("learning_rate") \
            if isinstance(call, dict) else None
        if not isinstance(epochs, int) or isinstance(epochs, bool) or epochs < 0:
            return None, "train() should be called with a whole number of epochs"
        if not _number(rate):
            return None, "the network needs a numeric learning_rate attribute when train() runs"
        if call.get("losses") != epochs:
            return None, (f"train(inputs, labels, {epochs}) returned {call.get('losses')} losses: it must run every "
                          "epoch it is asked for and return one loss per epoch (no early stopping)")
        total += epochs
        calls.append((epochs, float(rate)))
    if total > max_epochs:
        return None, (f"train_xor asks train() for {total} epochs in all: far too many to train well under a second "
                      "(fewer epochs, or a larger learning rate)")
    return {"args": made["args"], "kwargs": made["kwargs"], "calls": calls, "start": run["calls"][0].get("start")}, ""


def parameters(value, *, max_hidden: int) -> dict | None:
    """The four arrays of a 2-input, 1-output network with at most max_hidden hidden units, float64; else None."""
    if not isinstance(value, dict):
        return None
    try:
        params = {name: np.asarray(value[name], dtype=float) for name in PARAMETERS}
    except Exception:  # noqa: BLE001 - whatever the child sent, it is not such a network
        return None
    w1, b1, w2, b2 = (params[name] for name in PARAMETERS)
    hidden = w1.shape[1] if w1.ndim == 2 else -1
    if not (w1.shape == (2, hidden) and 0 < hidden <= max_hidden and b1.shape == (hidden,) and w2.shape == (hidden, 1)
            and b2.shape == (1,) and all(np.all(np.isfinite(a)) for a in params.values())):
        return None
    return params


def replay(starts: list[dict], calls: list[tuple[int, float]]) -> list[dict]:
    """Full-batch gradient descent on XOR from each start (same shapes), through every (epochs, rate)
    call in turn, as the lesson's train() does it: all starts at once, one batched step per epoch."""
    w1, b1, w2, b2 = (np.stack([start[name] for start in starts]) for name in PARAMETERS)
    x, y = XOR_INPUTS, XOR_LABELS
    with np.errstate(over="ignore", under="ignore"):
        for epochs, rate in calls:
            for _ in range(epochs):
                hidden = 1.0 / (1.0 + np.exp(-(x @ w1 + b1[:, None, :])))
                out = 1.0 / (1.0 + np.exp(-(hidden @ w2 + b2[:, None, :])))
                out_delta = (y - out) * out * (1.0 - out)
                hidden_delta = (out_delta @ w2.transpose(0, 2, 1)) * hidden * (1.0 - hidden)
                w2 = w2 + rate * (hidden.transpose(0, 2, 1) @ out_delta)
                b2 = b2 + rate * out_delta.sum(axis=1)
                w1 = w1 + rate * (x.T @ hidden_delta)
                b1 = b1 + rate * hidden_delta.sum(axis=1)
    return [dict(zip(PARAMETERS, arrays)) for arrays in zip(w1, b1, w2, b2)]


def replay_all(starts: list[dict], schedules: list[tuple]) -> list[dict]:
    """replay() for each (start, schedule) pair, batching those alike in shape and schedule."""
    out: list[dict | None] = [None] * len(starts)
    groups: dict[tuple, list[int]] = {}
    for index, (start, schedule) in enumerate(zip(starts, schedules)):
        groups.setdefault((start["weights_input_hidden"].shape, tuple(schedule)), []).append(index)
    for (_, schedule), indices in groups.items():
        for index, final in zip(indices, replay([starts[i] for i in indices], list(schedule))):
            out[index] = final
    return out


def outputs(params: dict) -> np.ndarray:
    return layers(params, XOR_INPUTS)["output"]


def solves(params: dict, tolerance: float) -> bool:
    return bool(np.all(np.abs(outputs(params) - XOR_LABELS) < tolerance))


def same_network(got: dict, want: dict, *, atol: float) -> bool:
    """The returned network computes what the replayed one does on XOR, up to the child's own rounding
    (compared by outputs: at a large learning rate the weights drift apart along directions that leave
    the outputs alone, from rounding differences alone)."""
    return bool(np.all(np.abs(outputs(got) - outputs(want)) <= atol))


def stalled(params: dict) -> bool:
    """Every output near 0.5: where the lesson's settings (2 hidden units, 100 epochs) stop."""
    return bool(np.all(np.abs(outputs(params) - 0.5) < STALLED))


LESSON_HINT = ("train_xor stalls near 0.5 for every input: that is where the lesson's settings (2 hidden units, "
               "weights from rand() in [0, 1), 100 epochs) stop. Use more epochs, more hidden units, or zero-centred "
               "initial weights")
CLOSE_HINT = ("train_xor's network is on the right side of 0.5 for every input but not within {tolerance} of every "
              "label: train longer (more epochs) or with a larger learning rate")
FAILS_HINT = ("train_xor does not learn XOR for enough seeds: try more epochs, more hidden units, a larger learning "
              "rate, or initial weights centred on zero")
SLOW_HINT = ("train_xor is too slow: it should take well under a second per seed (fewer epochs, or a larger "
             "learning rate)")
HAND_SET_HINT = ("the network already solves XOR before train() runs: the weights were set by hand; train_xor must "
                 "learn them from MLP(..., seed=seed)'s random start")
RETURNED_HINT = ("the network train_xor returns is not the one train() produced from its start: its weights were "
                 "changed after train() returned (or between train() calls, or train() did not run every epoch). "
                 "Return the network exactly as train() leaves it")
PREDICT_HINT = ("predict() does not return what the trained weights compute: it must be the forward pass, "
                "never fixed values")


def _ready():
    return None


def _seconds(student, seed: int) -> tuple[dict, float]:
    """The record of train_xor(seed) and the seconds it took, by the grader's clock: wall time less
    what the child's process spent waiting for a CPU (the machine's load, not its work)."""
    started, waited = time.monotonic(), student.waited_s()
    run = student.run(record, seed, XOR_INPUTS)  # past the call's time limit: a crash, which may be an endless loop
    return run, time.monotonic() - started - (student.waited_s() - waited)


@dataclass(frozen=True)
class Limits:
    """grading.toml's train_xor params that judge() reads (the graders pass them, so the config check sees them)."""
    tolerance: float
    rtol: float
    atol: float
    max_seconds_per_seed: float
    replay_atol: float
    max_replay_epochs: int
    max_hidden: int


def judge(student, seeds: list[int], cfg: Limits, *, need: int) -> dict:
    """Run and replay train_xor for each seed (see the module docstring); raise CheckFailed unless the
    returned networks are what their train() calls made and at least `need` seeds are solved.
    Returns {"solved", "outputs"}."""
    student.run(_ready)  # the child is up: what its import waited for is not this check's time
    runs, took = [], []
    for seed in seeds:
        run, seconds = _seconds(student, seed)
        took.append(seconds)
        if seconds > cfg.max_seconds_per_seed:
            raise CheckFailed(SLOW_HINT, f"too slow: {seconds:.2f} s per seed (seed {seed}); "
                                         f"the limit is {cfg.max_seconds_per_seed:g} s")
        runs.append(run)
    fresh, claimed, schedules, returned = [], [], [], []
    for seed, run in zip(seeds, runs):
        found, problem = settings(run, max_epochs=cfg.max_replay_epochs)
        check(found is not None, problem)
        built = student.run(construct, found["args"], found["kwargs"])
        pair = [parameters(params, max_hidden=cfg.max_hidden) for params in built] if isinstance(built, list) else []
        check(len(pair) == 2 and pair[0] is not None,
              f"MLP(2, hidden_size, 1, ...) should create weights_input_hidden (2, H), bias_hidden (H,), "
              f"weights_hidden_output (H, 1) and bias_output (1,) with at most {cfg.max_hidden} hidden units")
        check(pair[1] is not None and all(np.array_equal(pair[0][n], pair[1][n]) for n in PARAMETERS),
              "train_xor(seed) returns a different network each time for the same seed: MLP(..., seed=seed) must "
              "draw its weights from np.random.default_rng(seed) (seed 0 included), and train_xor must pass its seed")
        start = parameters(found["start"], max_hidden=cfg.max_hidden)
        final = parameters(run.get("params"), max_hidden=cfg.max_hidden)
        check(start is not None and final is not None,
              "train_xor should return the MLP it trained, with its four parameter arrays")
        check(not solves(pair[0], cfg.tolerance) and not solves(start, cfg.tolerance), HAND_SET_HINT)
        predicted = as_array(run.get("predicted"), "predict(XOR_INPUTS)")
        computed = outputs(final)
        check(predicted.shape == computed.shape and np.allclose(predicted, computed, rtol=cfg.rtol, atol=cfg.atol),
              PREDICT_HINT)
        fresh.append(pair[0]), claimed.append(start), schedules.append(found["calls"]), returned.append(final)
    # The replays: from MLP(...)'s own seeded start, and from where train() began when train_xor drew its own.
    own = [i for i in range(len(seeds)) if not all(np.array_equal(fresh[i][n], claimed[i][n]) for n in PARAMETERS)]
    replayed = replay_all(fresh + [claimed[i] for i in own], schedules + [schedules[i] for i in own])
    from_fresh, from_claimed = replayed[:len(seeds)], list(replayed[:len(seeds)])
    for i, final in zip(own, replayed[len(seeds):]):
        from_claimed[i] = final
    for i in range(len(seeds)):
        check(same_network(returned[i], from_claimed[i], atol=cfg.replay_atol), RETURNED_HINT)
    if len(seeds) > 1:
        check(not all(np.array_equal(fresh[i][n], fresh[0][n]) for i in range(1, len(seeds)) for n in PARAMETERS),
              "train_xor returns the same network for every seed: pass seed to MLP(..., seed=seed)")
    solved = [solves(from_fresh[i], cfg.tolerance) and solves(from_claimed[i], cfg.tolerance)
              for i in range(len(seeds))]
    result = {"solved": sum(solved), "outputs": [outputs(final).ravel().tolist() for final in from_fresh]}
    if sum(solved) < need:
        failed = [final for i in range(len(seeds)) if not solved[i]
                  for final in ((from_fresh[i],) if solves(from_claimed[i], cfg.tolerance) else (from_claimed[i],))]
        if 2 * sum(stalled(final) for final in failed) > len(failed):  # what most unsolved seeds show
            hint = LESSON_HINT
        elif all(np.all(np.abs(outputs(final) - XOR_LABELS) < 0.5) for final in failed):
            hint = CLOSE_HINT.format(tolerance=cfg.tolerance)
        else:
            hint = FAILS_HINT
        shown = np.round(outputs(failed[0]).ravel(), 3).tolist()
        raise CheckFailed(hint, f"solved {sum(solved)} of {len(seeds)} seeds; outputs for [0,0], [0,1], [1,0], [1,1] "
                                f"of an unsolved one, replayed by the grader from MLP(...)'s start: {shown}")
    return result
