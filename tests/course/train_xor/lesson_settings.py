"""Honest bug: the lesson's settings (2 hidden units, 100 epochs) stall near 0.5.

Must lose: test_train_xor_solves_xor and test_train_xor_converges_for_most_seeds, with the lesson's hint.
"""


def train_xor(seed=0):
    network = MLP(2, 2, 1, learning_rate=0.5, seed=seed)
    network.train(XOR_INPUTS, XOR_LABELS, 100)
    return network
