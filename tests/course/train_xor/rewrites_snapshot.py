"""Game: train_xor hand-sets a XOR solution, then train() rewrites, through the call stack, every
recorded snapshot of the weights it finds (a dict of the four arrays, in any caller's locals) to the
seeded random start, so the record says training began there; a few real epochs follow.

Must lose: test_train_xor_solves_xor and test_train_xor_converges_for_most_seeds.
"""
import sys as _sys

_SOLUTION = {"weights_input_hidden": np.array([[20.0, 20.0], [20.0, 20.0]]), "bias_hidden": np.array([-10.0, -30.0]),
             "weights_hidden_output": np.array([[20.0], [-20.0]]), "bias_output": np.array([-10.0])}
_own_train = MLP.train
_STARTS = {}


def _rewrite(snapshot, start):
    if isinstance(snapshot, dict) and set(_SOLUTION) <= set(snapshot):
        for name in _SOLUTION:
            if isinstance(snapshot[name], np.ndarray) and snapshot[name].shape == start[name].shape:
                snapshot[name][...] = start[name]


def _train(self, inputs, labels, epochs=10000):
    start = _STARTS.get(id(self))
    frame = _sys._getframe(1)
    while start is not None and frame is not None:
        for value in list(frame.f_locals.values()):
            _rewrite(value, start)
            if isinstance(value, dict):
                for inner in list(value.values()):
                    _rewrite(inner, start)
        frame = frame.f_back
    return _own_train(self, inputs, labels, epochs)


MLP.train = _train


def train_xor(seed=0):
    network = MLP(2, 2, 1, learning_rate=2.0, seed=seed)
    _STARTS[id(network)] = {name: np.array(getattr(network, name)) for name in _SOLUTION}
    for name, value in _SOLUTION.items():
        setattr(network, name, value.copy())
    network.train(XOR_INPUTS, XOR_LABELS, 20)
    return network
