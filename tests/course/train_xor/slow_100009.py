"""Honest but too slow: 100,009 epochs per seed (about 2 s).

Must lose: test_train_xor_solves_xor and test_train_xor_converges_for_most_seeds, saying "too slow"
with the seconds per seed (not "an endless loop?").
"""


def train_xor(seed=0):
    network = MLP(2, 2, 1, learning_rate=2.0, seed=seed)
    network.train(XOR_INPUTS, XOR_LABELS, 100009)
    return network
