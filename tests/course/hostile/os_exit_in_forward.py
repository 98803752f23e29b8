"""os_exit_in_forward: os._exit(0) inside MLP.forward; the process vanishes mid-call with status 0.

Must score: forward loses every check that calls forward() (each says "exited with status 0");
full marks elsewhere.
"""
import os


def _forward(self, inputs):
    os._exit(0)


MLP.forward = _forward
