"""Honest bug: train() stops once the loss is below 0.01, so train(x, y, 5000) returns fewer losses
than epochs asked for.

Must lose: test_train_xor_solves_xor and test_train_xor_converges_for_most_seeds.
"""


def _train(self, inputs, labels, epochs=10000):
    losses = []
    for _ in range(epochs):
        predicted_output = self.forward(inputs)
        losses.append(0.5 * float(np.sum((labels - predicted_output) ** 2)))
        if losses[-1] < 0.01:
            break
        self.backward(inputs, labels, predicted_output)
    return losses


MLP.train = _train


def train_xor(seed=0):
    network = MLP(2, 8, 1, learning_rate=2.0, seed=seed)
    network.train(XOR_INPUTS, XOR_LABELS, 5000)
    return network
