"""Game: 25,000 epochs, each with some wasted work (about 2 s per seed), hidden from a CPU-time check
made in the child by replacing time.process_time and time.perf_counter with frozen clocks.

Must lose: test_train_xor_solves_xor and test_train_xor_converges_for_most_seeds (too slow).
"""
import time as _time

_time.process_time = lambda: 0.0
_time.perf_counter = lambda: 0.0
_own_backward = MLP.backward


def _backward(self, inputs, actual_output, predicted_output):
    np.linalg.svd(np.ones((40, 40)))  # the wasted work
    return _own_backward(self, inputs, actual_output, predicted_output)


def train_xor(seed=0):
    network = MLP(2, 8, 1, learning_rate=2.0, seed=seed)
    MLP.backward = _backward
    try:
        network.train(XOR_INPUTS, XOR_LABELS, 25000)
    finally:
        MLP.backward = _own_backward
    return network
