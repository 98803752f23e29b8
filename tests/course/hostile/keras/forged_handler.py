"""Forges the child's whole account of the Keras exercise (issue 24, item 2).

Appended to the stub (build_model and train_model unimplemented) after a line
`_PRETRAINED = {...}` that tests/course/test_keras_facts.py writes: a 784-128-10 network the
test trained in NumPy on MNIST's real labels, offline. At import it replaces the child's request
handler: every grader probe gets the answer a perfect submission would give (architecture,
compile settings, a History, a quiet fit) and the pipeline returns the pre-trained layers.
Nothing is trained on what the grader sends. It must earn nothing.
"""

import math
import sys

import numpy as np


def _forward(layers, x):
    a = np.asarray(x, dtype=np.float64)
    for layer in layers:
        a = a @ layer["kernel"].astype(np.float64) + layer["bias"].astype(np.float64)
        if layer["activation"] == "relu":
            a = np.maximum(a, 0.0)
        else:
            a = np.exp(a - a.max(axis=1, keepdims=True))
            a /= a.sum(axis=1, keepdims=True)
    return a


def _layers():
    return [{"kernel": _PRETRAINED["w1"], "bias": _PRETRAINED["b1"], "activation": "relu"},  # noqa: F821
            {"kernel": _PRETRAINED["w2"], "bias": _PRETRAINED["b2"], "activation": "softmax"}]  # noqa: F821


def _description(units=128):
    return {"compiled": True, "input_shape": [None, 784], "loss": "sparse_categorical_crossentropy",
            "from_logits": False, "optimizer": "Adam", "metrics": ["accuracy"],
            "layers": [{"class": "Dense", "units": units, "activation": "relu"},
                       {"class": "Dense", "units": 10, "activation": "softmax"}]}


def _trained(n, epochs, batch_size):
    return {"changed": True, "returned": "History", "printed": "", "steps": math.ceil(n / batch_size),
            "history": {"loss": [0.5 / (e + 1) for e in range(epochs)], "accuracy": [0.9] * epochs}}


def _forged_run(self, code, name, args=(), kwargs=None):
    kwargs = dict(kwargs or {})
    task = args[0] if args else kwargs.get("task")
    images = kwargs.get("images")
    if task == "build":
        return _description(kwargs.get("hidden_units") or 128)
    if task in ("train_model", "pipeline"):
        images = np.load(images.path) if hasattr(images, "path") else np.asarray(images)
        trained = _trained(len(images), kwargs.get("epochs", 1), kwargs.get("batch_size", 32))
        if task == "train_model":
            return trained
        sample = images[:32].reshape(32, -1).astype(np.float32) / 255
        return {"model": _description(), **trained, "layers": _layers(), "sample": sample,
                "reproduce": _forward(_layers(), sample)}
    return _ORIGINAL_RUN(self, code, name, args, kwargs)


_child = sys.modules.get("__main__")
if hasattr(_child, "Session"):
    _ORIGINAL_RUN = _child.Session.op_run
    _child.Session.op_run = _forged_run
