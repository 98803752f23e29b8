"""Replies with a network far beyond what the grader scores (issue 24, item 3).

Appended to the stub. At import it replaces the child's request handler: every probe of the model
gets 200 layers, the first a 784 x 60,000 int8 kernel (47 MB, under the engine's reply limit),
and outputs of the right shape. The grader must refuse it by its sizes, before any work on it,
with the hint that names the limits, and score 0.
"""

import sys

import numpy as np


def _oversize_run(self, code, name, args=(), kwargs=None):
    kwargs = dict(kwargs or {})
    layers = [{"kernel": np.ones((784, 60000), np.int8), "bias": np.zeros(60000, np.int8), "activation": "gelu"}]
    layers += [{"kernel": np.ones((1, 1), np.int8), "bias": np.zeros(1, np.int8), "activation": "gelu"}] * 199
    inputs = kwargs.get("inputs")
    outputs = np.full((len(inputs) if inputs is not None else 32, 10), 0.1)
    description = {"compiled": True, "input_shape": [None, 784], "loss": "sparse_categorical_crossentropy",
                   "layers": [{"class": "Dense", "units": 60000, "activation": "gelu"}]}
    return {"model": description, "layers": layers, "outputs": outputs, "evaluated": {"loss": 2.3, "accuracy": 0.1},
            "changed": True, "returned": "History", "printed": "", "epochs_recorded": kwargs.get("epochs"),
            "sample": np.zeros((32, 784), np.float32), "reproduce": outputs}


_child = sys.modules.get("__main__")
if hasattr(_child, "Session"):
    _child.Session.op_run = _oversize_run
