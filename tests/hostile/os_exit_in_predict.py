"""os_exit_in_predict: os._exit(0) inside Line.predict; the process vanishes mid-call with status 0.

Must score: predict loses every check that calls predict() (each says "exited with status 0");
full marks elsewhere.
"""
import os


def _predict(self, inputs):
    os._exit(0)


Line.predict = _predict
