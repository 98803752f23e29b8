"""Independent expected values for the graders: the lesson's formulas, written out plainly.

The graders never trust one implementation alone: this module recomputes what the
lesson defines (the logistic function, the two-layer forward pass, the squared-error
loss and its gradient by finite differences) without sharing code with solutions/.
"""

from __future__ import annotations

import numpy as np

from .checks import numerical_gradient

PARAMETERS = ("weights_input_hidden", "bias_hidden", "weights_hidden_output", "bias_output")


def logistic(z):
    """1 / (1 + e^-z) for moderate z (the graders keep |z| small enough for it)."""
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=float)))


def layers(params: dict, x: np.ndarray) -> dict:
    """The four cached arrays of the lesson's forward pass, by einsum (x: (N, D) or (D,))."""
    hidden_in = np.einsum("...d,dh->...h", x, params["weights_input_hidden"]) + params["bias_hidden"]
    hidden_out = logistic(hidden_in)
    output_in = np.einsum("...h,hk->...k", hidden_out, params["weights_hidden_output"]) + params["bias_output"]
    return {"hidden_layer_input": hidden_in, "hidden_layer_output": hidden_out,
            "output_layer_input": output_in, "output": logistic(output_in)}


def loss(params: dict, x: np.ndarray, y: np.ndarray) -> float:
    """L = 1/2 * sum over samples and outputs of (y - output)^2."""
    return 0.5 * float(np.sum((y - layers(params, x)["output"]) ** 2))


def gradient(params: dict, x: np.ndarray, y: np.ndarray, h: float) -> dict:
    """dL/dparameter for each of the four parameter arrays, by centred differences."""
    grads = {}
    for name in PARAMETERS:
        trial = {key: np.array(value, dtype=float) for key, value in params.items()}
        grads[name] = numerical_gradient(lambda value: loss({**trial, name: value}, x, y), trial[name], h)
    return grads


def random_params(rng: np.random.Generator, d: int, h: int, k: int, scale: float = 1.0) -> dict:
    return {"weights_input_hidden": scale * rng.standard_normal((d, h)), "bias_hidden": scale * rng.standard_normal(h),
            "weights_hidden_output": scale * rng.standard_normal((h, k)), "bias_output": scale * rng.standard_normal(k)}
