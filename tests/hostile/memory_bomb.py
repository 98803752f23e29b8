"""memory_bomb: fit hoards memory in a module global until allocation fails, keeps it,
then asks for 80 GB more.

Must score: 0 on fit (each failed check says MemoryError); full marks elsewhere.
"""
_HOARD = []  # survives between calls


def fit(x, y, epochs):
    try:
        while True:
            _HOARD.append(bytearray(64 * 1024 * 1024))
    except MemoryError:
        pass
    return np.zeros((10**5, 10**5))
