"""syntax_error: train_xor redefined without its colon, so the module does not compile.

Must score: 0 on every NumPy exercise (each failed check says SyntaxError).
"""


def train_xor(seed=0)
    return None
