"""Known wrong backward() passes, written out from a correct one: for the hidden graders only.

Each variant starts from the right update and changes one thing, so this module holds a
working backward pass; no public grader imports it, so release.py (which follows their imports) never ships it; public graders use
oracle.step_mistakes(), which needs only the numerical gradient.
"""

from __future__ import annotations

import numpy as np

from .oracle import PARAMETERS, STEP_HINTS, layers


def backward_mistakes(params: dict, x: np.ndarray, y: np.ndarray, rate: float) -> dict:
    """What common wrong backward() steps leave in the four parameters: {mistake: ({name: array}, hint)}."""
    cache = layers(params, x)
    w2 = params["weights_hidden_output"]

    def slope(a):  # what sigmoid_derivative returns for whatever it is given
        return a * (1 - a)

    def step(delta_from_z=False, stale=False, scale=1.0, sign=1.0, no_bias=False, no_slope=False):
        out, hid = cache["output"], cache["hidden_layer_output"]
        d_out = (y - out) * (1.0 if no_slope else slope(cache["output_layer_input"] if delta_from_z else out))
        new_w2 = w2 + sign * scale * rate * hid.T @ d_out
        hidden_slope = 1.0 if no_slope else slope(cache["hidden_layer_input"] if delta_from_z else hid)
        d_hid = (d_out @ (new_w2 if stale else w2).T) * hidden_slope
        return {"weights_hidden_output": new_w2,
                "bias_output": params["bias_output"] + (0 if no_bias else sign * scale * rate * d_out.sum(axis=0)),
                "weights_input_hidden": params["weights_input_hidden"] + sign * scale * rate * x.T @ d_hid,
                "bias_hidden": params["bias_hidden"] + (0 if no_bias else sign * scale * rate * d_hid.sum(axis=0))}

    return {
        "stale": (step(stale=True), "the hidden error uses weights_hidden_output AFTER its update: "
                                    "compute every delta before changing any weight"),
        "z": (step(delta_from_z=True), "sigmoid_derivative is given a pre-activation (a *_input array); "
                                       "it takes activations, the *_output arrays"),
        "mean": (step(scale=1 / len(x)), STEP_HINTS["mean"]),
        "rate": (step(scale=1 / rate), STEP_HINTS["rate"]),
        "ascent": (step(sign=-1.0), STEP_HINTS["ascent"]),
        "no bias": (step(no_bias=True), "the biases are never updated"),
        "no slope": (step(no_slope=True), "the deltas are missing the sigmoid's slope: each error is multiplied "
                                          "by sigmoid_derivative of that layer's output"),
        "frozen": ({name: params[name] for name in PARAMETERS}, STEP_HINTS["frozen"]),
    }
