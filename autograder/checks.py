"""Numeric checks shared by all graders: one place for tolerances, worst elements and hints.

A failed check raises CheckFailed(hint, detail). Students always see the hint; they see
the detail (values, indices, errors) only for public checks.
"""

from __future__ import annotations

from contextlib import contextmanager

import numpy as np

from .handle import StudentError


class CheckFailed(AssertionError):
    """A grader's verdict: `hint` is for everyone, `detail` (values) only for public checks.

    `fraction` is the share of the points still earned (partial credit), 0 by default.
    """

    def __init__(self, hint: str, detail: str = "", fraction: float = 0.0):
        super().__init__(hint)
        self.hint, self.detail, self.fraction = hint, detail, fraction


def check(condition, hint: str, detail: str = "") -> None:
    if not condition:
        raise CheckFailed(hint, detail)


def as_array(value, what: str) -> np.ndarray:
    """The student's value as a float array, or a CheckFailed saying what came back instead."""
    if isinstance(value, (bool, np.bool_)) or value is None or isinstance(value, (str, dict)):
        raise CheckFailed(f"{what} should be a number or an array, but it is {_kind(value)}")
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise CheckFailed(f"{what} should be a number or an array, but it is {_kind(value)}") from None
    return array


def _kind(value) -> str:
    if value is None:
        return "None (a missing return statement?)"
    return f"a {type(value).__name__}" if not hasattr(value, "type_name") else f"a {value.type_name} object"


def rel_error(x, y) -> float:
    """CS231n's relative error: max |x - y| / max(|x| + |y|, 1e-8), elementwise."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    return float(np.max(np.abs(x - y) / np.maximum(1e-8, np.abs(x) + np.abs(y))))


def norm_rel_error(x, y) -> float:
    """||x - y|| / max(||x|| + ||y||, 1e-300): the relative error of a whole array.

    Used for gradient checks instead of the elementwise rel_error, which blows up on
    gradient entries that happen to be near zero (float32 rounding, or plain finite
    differences, then look like a wrong gradient).
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    return float(np.linalg.norm(x - y) / max(np.linalg.norm(x) + np.linalg.norm(y), 1e-300))


@contextmanager
def explained(*, shapes: str | None = None, missing: str | None = None):
    """Turn the errors that a known mistake raises into its hint.

    shapes: the hint for a ValueError from a matrix product with mismatched shapes
    (a transposed weight matrix); missing: the hint for an AttributeError (an attribute
    never set, e.g. a forward() that keeps no cache). Other errors pass through.
    """
    try:
        yield
    except StudentError as error:
        text = f"{error.type_name}: {error.message}" + (f" ({error.where})" if error.where else "")
        if shapes and error.type_name == "ValueError" and any(
                word in error.message for word in ("matmul", "shapes", "aligned", "broadcast", "operands")):
            raise CheckFailed(shapes, text) from None
        if missing and error.type_name == "AttributeError":
            raise CheckFailed(missing, text) from None
        raise


def assert_close(got, want, *, what: str, rtol: float, atol: float, hint: str,
                 misconceptions: dict[str, tuple[np.ndarray, str]] | None = None) -> None:
    """got ~ want elementwise (|got - want| <= atol + rtol * |want|), with the worst element on failure.

    misconceptions: {name: (what that mistake would produce, hint naming it)}; when got
    matches one of them, its hint replaces the generic one.
    """
    got = as_array(got, what)
    want = np.asarray(want, dtype=float)
    if got.shape != want.shape:
        raise CheckFailed(f"{what} has the wrong shape: {hint}", f"got shape {got.shape}, expected {want.shape}")
    if not np.all(np.isfinite(got)):
        index = tuple(int(i) for i in np.argwhere(~np.isfinite(got))[0])
        raise CheckFailed(f"{what} contains NaN or infinity: {hint}", f"{what}[{_index(index)}] = {got[index]}")
    error = np.abs(got - want)
    allowed = atol + rtol * np.abs(want)
    if np.all(error <= allowed):
        return
    worst = np.unravel_index(np.argmax(error - allowed), got.shape) if got.ndim else ()
    g, w = float(got[worst]), float(want[worst])
    detail = (f"worst element {what}[{_index(worst)}]: got {g:.8g}, expected {w:.8g}, "
              f"abs error {abs(g - w):.3g}, rel error {f'{abs(g - w) / abs(w):.3g}' if w else 'n/a (expected 0)'}, "
              f"tolerance {float(allowed[worst]):.3g}")
    for _name, (wrong, wrong_hint) in (misconceptions or {}).items():
        wrong = np.asarray(wrong, dtype=float)
        if wrong.shape == got.shape and np.allclose(got, wrong, rtol=max(rtol, 1e-6), atol=max(atol, 1e-9)):
            raise CheckFailed(wrong_hint, detail)
    raise CheckFailed(hint, detail)


def _index(index) -> str:
    return ", ".join(str(int(i)) for i in index)


def numerical_gradient(f, x: np.ndarray, h: float) -> np.ndarray:
    """Centred differences (f(x + h e_i) - f(x - h e_i)) / 2h for every element of x (modified, restored)."""
    grad = np.zeros_like(x, dtype=float)
    for index in np.ndindex(x.shape):
        old = x[index]
        x[index] = old + h
        plus = f(x)
        x[index] = old - h
        minus = f(x)
        x[index] = old
        grad[index] = (plus - minus) / (2 * h)
    return grad
