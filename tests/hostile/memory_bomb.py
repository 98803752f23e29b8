"""memory_bomb: Line.predict hoards memory in a module global until allocation fails, keeps it,
then asks for 80 GB more.

Must score: predict loses every check that calls predict() (each says MemoryError); full marks
elsewhere.
"""
_HOARD = []  # survives between calls


def _predict(self, x):
    try:
        while True:
            _HOARD.append(bytearray(64 * 1024 * 1024))
    except MemoryError:
        pass
    self.output = np.zeros((10**5, 10**5))
    return self.output


Line.predict = _predict
