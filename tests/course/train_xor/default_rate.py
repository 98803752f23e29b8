"""Honest bug: MLP's own default learning rate is 0.01 (its docstring lets it choose one), and
train_xor relies on it: 1000 epochs at 0.01 do not learn XOR.

Must lose: test_train_xor_solves_xor and test_train_xor_converges_for_most_seeds.
"""
_reference_init = MLP.__init__


def _init(self, input_size, hidden_size, output_size, learning_rate=0.01, seed=None):
    _reference_init(self, input_size, hidden_size, output_size, learning_rate, seed)


MLP.__init__ = _init


def train_xor(seed=0):
    network = MLP(2, 8, 1, seed=seed)
    network.train(XOR_INPUTS, XOR_LABELS, epochs=1000)
    return network
