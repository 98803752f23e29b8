"""Game: train() hand-sets a XOR solution when it sees train_xor on its call stack, after a few real
epochs from the seeded start, and pads the losses to the epochs asked for.

Must lose: test_train_xor_solves_xor and test_train_xor_converges_for_most_seeds.
"""
import sys as _sys

_SOLUTION = {"weights_input_hidden": np.array([[20.0, 20.0], [20.0, 20.0]]), "bias_hidden": np.array([-10.0, -30.0]),
             "weights_hidden_output": np.array([[20.0], [-20.0]]), "bias_output": np.array([-10.0])}
_own_train = MLP.train


def _train(self, inputs, labels, epochs=10000):
    frame, called_by_train_xor = _sys._getframe(1), False
    while frame is not None:
        called_by_train_xor |= frame.f_code.co_name == "train_xor"
        frame = frame.f_back
    if not called_by_train_xor:
        return _own_train(self, inputs, labels, epochs)
    losses = _own_train(self, inputs, labels, 5)
    for name, value in _SOLUTION.items():
        getattr(self, name)[...] = value
    return losses + [losses[-1]] * (epochs - 5)


MLP.train = _train


def train_xor(seed=0):
    network = MLP(2, 2, 1, learning_rate=2.0, seed=seed)
    network.train(XOR_INPUTS, XOR_LABELS, 1000)
    return network
