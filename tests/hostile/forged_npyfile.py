"""forged_npyfile: Line.predict returns the engine's own NpyFile marker for a FIFO it made, asking
the grader to read a path of the submission's choosing (a FIFO blocks its reader forever).

Must score: predict loses every check that calls predict() (each says "not plain data"); full
marks elsewhere.
"""
import os
import sys

_solution_predict = Line.predict


def _predict(self, inputs):
    _solution_predict(self, inputs)
    path = os.path.abspath("hostile.npy")
    if not os.path.exists(path):
        os.mkfifo(path)
    return sys.modules["wire"].NpyFile(path)


Line.predict = _predict
