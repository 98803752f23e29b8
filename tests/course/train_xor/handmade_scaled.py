"""Game: train_xor writes a scaled-down hand-made XOR solution (OR and AND units) into the network,
with a little seeded noise, then trains 300 real epochs with train().

Must lose: test_train_xor_solves_xor and test_train_xor_converges_for_most_seeds.
"""

_SOLUTION = {"weights_input_hidden": np.array([[20.0, 20.0], [20.0, 20.0]]), "bias_hidden": np.array([-10.0, -30.0]),
             "weights_hidden_output": np.array([[20.0], [-20.0]]), "bias_output": np.array([-10.0])}


def train_xor(seed=0):
    network = MLP(2, 2, 1, learning_rate=2.0, seed=seed)
    noise = np.random.default_rng(seed)
    for name, value in _SOLUTION.items():
        setattr(network, name, 0.12 * value + noise.normal(0.0, 0.01, value.shape))
    network.train(XOR_INPUTS, XOR_LABELS, 300)
    return network
