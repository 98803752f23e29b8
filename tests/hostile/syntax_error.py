"""syntax_error: fit redefined without its colon, so the module does not compile.

Must score: 0 on every exercise of toy.py (each failed check says SyntaxError).
"""


def fit(x, y, epochs)
    return None
