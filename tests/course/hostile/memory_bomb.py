"""memory_bomb: MLP.backward hoards memory in a module global until allocation fails, keeps it,
then asks for 80 GB more.

Must score: 0 on backward (each failed check says MemoryError); full marks elsewhere.
"""
_HOARD = []  # survives between calls


def _backward(self, inputs, actual_output, predicted_output):
    try:
        while True:
            _HOARD.append(bytearray(64 * 1024 * 1024))
    except MemoryError:
        pass
    self.weights_input_hidden = np.zeros((10**5, 10**5))


MLP.backward = _backward
