"""forged_npyfile: MLP.forward returns the engine's own NpyFile marker for a FIFO it made, asking
the grader to read a path of the submission's choosing (a FIFO blocks its reader forever).

Must score: forward loses every check that calls forward() (each says "not plain data"); full
marks elsewhere.
"""
import os
import sys

_solution_forward = MLP.forward


def _forward(self, inputs):
    _solution_forward(self, inputs)
    path = os.path.abspath("hostile.npy")
    if not os.path.exists(path):
        os.mkfifo(path)
    return sys.modules["wire"].NpyFile(path)


MLP.forward = _forward
