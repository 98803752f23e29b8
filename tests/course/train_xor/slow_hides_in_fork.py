"""Game: train() forks; the forked process runs 25,000 slow epochs (about 2 s per seed) and sends the
weights and losses back through a pipe, so the child's own CPU time stays small.

Must lose: test_train_xor_solves_xor and test_train_xor_converges_for_most_seeds (too slow).
"""
import os as _os
import pickle as _pickle

_own_train, _own_backward = MLP.train, MLP.backward


def _slow_backward(self, inputs, actual_output, predicted_output):
    np.linalg.svd(np.ones((40, 40)))
    return _own_backward(self, inputs, actual_output, predicted_output)


def _train(self, inputs, labels, epochs=10000):
    if epochs < 1000:
        return _own_train(self, inputs, labels, epochs)
    read, write = _os.pipe()
    pid = _os.fork()
    if pid == 0:
        MLP.backward = _slow_backward
        losses = _own_train(self, inputs, labels, epochs)
        data = _pickle.dumps((losses, {name: getattr(self, name) for name in ("weights_input_hidden", "bias_hidden",
                                                                               "weights_hidden_output", "bias_output")}))
        with _os.fdopen(write, "wb") as stream:
            stream.write(data)
        _os._exit(0)
    _os.close(write)
    with _os.fdopen(read, "rb") as stream:
        losses, params = _pickle.loads(stream.read())
    for name, value in params.items():
        setattr(self, name, value)
    return losses


MLP.train = _train


def train_xor(seed=0):
    network = MLP(2, 8, 1, learning_rate=2.0, seed=seed)
    network.train(XOR_INPUTS, XOR_LABELS, 25000)
    return network
