"""A real Keras model that was never trained on what the grader gives it (issue 24, item 2).

Appended to the reference solution after a line `_PRETRAINED = {...}` (see forged_handler.py).
build_model() is the reference's, except that at the default size it loads the pre-trained
weights; train_model() does not train: it nudges the weights (so they "changed") and returns
a History-like object with a plausible loss curve and the right number of steps.
Honest parts (load_mnist, the architecture, the compile settings) earn their points; the
checks that need training on the grader's data earn nothing.
"""

import math as _math

import numpy as _np

_build_model = build_model  # noqa: F821 - the reference's, defined above


def build_model(hidden_units=128):
    model = _build_model(hidden_units)
    if hidden_units == 128:
        model.set_weights([_PRETRAINED[k] for k in ("w1", "b1", "w2", "b2")])  # noqa: F821
    return model


class History:
    def __init__(self, epochs, steps):
        self.history = {"loss": [0.5 / (e + 1) for e in range(epochs)], "accuracy": [0.9] * epochs}
        self.params = {"epochs": epochs, "steps": steps, "verbose": 0}


def train_model(model, x_train, y_train, epochs=5, batch_size=128):
    model.set_weights([w + _np.float32(1e-6) for w in model.get_weights()])
    return History(epochs, _math.ceil(len(x_train) / batch_size))
