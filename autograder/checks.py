"""Numeric checks shared by all graders: one place for tolerances, worst elements and hints.

A failed check raises CheckFailed(hint, detail). Students always see the hint; they see
the detail (values, indices, errors) only for public checks.

The three rules every grader here keeps (autograder/graders/README.md has the long form):

1. A point needs correct values. A property (same shape, input untouched, symmetry, the
   step doubles with the rate, updated in place, returns None) passes only together with the
   values: `return np.zeros_like(x)` has the right shape and leaves x alone, and must still
   fail a "keeps shape" check, because check_values() runs first.
2. Every clause of the contract is checked, in every regime: an activation at float32(-100)
   must be right and silent, a single-sample call must return single-sample shapes, two
   update steps in a row must match two reference steps (momentum fails).
3. A hint names a mistake only when the evidence singles it out: assert_close names a
   misconception only when exactly one matches and it differs from the right answer in at least
   two elements, so f(-2) == 0 alone is never called ReLU. Numbers are printed with
   repr(), so "got" and "expected" differ visibly whenever they differ.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
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
    """The student's value as a float array, or a CheckFailed (the student's failure) saying what it is.

    Anything NumPy cannot turn into float numbers fails the check that asked for it: None,
    text, a Python int too large for a float (10**400), a ragged or mixed list, an object array.
    """
    if isinstance(value, (bool, np.bool_, str, bytes, dict)) or value is None:
        raise CheckFailed(f"{what} is not an array of numbers: it is {_kind(value)}")
    try:
        with np.errstate(all="ignore"):
            raw = np.asarray(value)
            if raw.dtype.kind not in "biuf":  # text, objects (10**400 becomes one), mixed lists
                raise TypeError(raw.dtype)
            array = raw.astype(float)
    except Exception:  # OverflowError, TypeError, ValueError, or whatever a strange value raises
        raise CheckFailed(f"{what} is not an array of numbers: it is {_kind(value)}") from None
    return array


def _kind(value) -> str:
    if value is None:
        return "None (a missing return statement?)"
    if isinstance(value, int) and not isinstance(value, bool):
        digits = len(str(abs(value)))
        return f"a Python integer with {digits} digits, too large for a float"
    if isinstance(value, list):
        return ("a list NumPy cannot turn into an array of numbers (rows of different lengths, "
                "or items that are not numbers)")
    if hasattr(value, "type_name"):
        article = "an" if value.type_name[:1].lower() in "aeiou" else "a"
        return f"{article} {value.type_name}" + ("" if value.type_name.startswith("array") else " object")
    return f"a {type(value).__name__}"


def check_values(got, want, **kwargs) -> np.ndarray:
    """assert_close, then the student's value as an array: what a property check runs first (rule 1)."""
    assert_close(got, want, **kwargs)
    return as_array(got, kwargs["what"])


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
def explained(*, shapes: str | None = None, missing: str | None = None,
              rules: Sequence[tuple[str, str, str]] = ()):
    """Turn the errors that a known mistake raises into its hint.

    rules: (error type, regular expression searched in its message, hint), tried first and in
    order, for errors whose words single out one mistake; shapes: the hint for a ValueError
    from a matrix product with mismatched shapes (a transposed weight matrix); missing: the
    hint for an AttributeError (an attribute never set, e.g. a cache a method never filled).
    Other errors pass through.
    """
    try:
        yield
    except StudentError as error:
        text = f"{error.type_name}: {error.message}" + (f" ({error.where})" if error.where else "")
        for type_name, pattern, hint in rules:
            if error.type_name == type_name and re.search(pattern, error.message):
                raise CheckFailed(hint, text) from None
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
    matches exactly one of them, and that mistake differs from want in at least two elements
    (one wrong number cannot tell mistakes apart), its hint replaces the generic one.
    """
    atol = precision_atol(got, atol)
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
    detail = (f"worst element {what}[{_index(worst)}]: got {number(g)}, expected {number(w)}, "
              f"abs error {abs(g - w):.3g}, rel error {f'{abs(g - w) / abs(w):.3g}' if w else 'n/a (expected 0)'}, "
              f"tolerance {float(allowed[worst]):.3g}")
    named = set()
    for _name, (wrong, wrong_hint) in (misconceptions or {}).items():
        wrong = np.asarray(wrong, dtype=float)
        if wrong.shape != got.shape or not np.allclose(got, wrong, rtol=max(rtol, 1e-6), atol=max(atol, 1e-9)):
            continue
        if np.count_nonzero(np.abs(wrong - want) > allowed) >= 2:
            named.add(wrong_hint)
    if len(named) == 1:
        raise CheckFailed(named.pop(), detail)
    raise CheckFailed(hint, detail)


def precision_atol(value, atol: float) -> float:
    """atol for a value the student returns as float32: at least float32's machine epsilon (its rounding
    error at 1), so that float32 arithmetic is judged at float32's scale (a float32 1 - a near a = 1 is
    off by up to 6e-8, whatever the formula) and float64 at float64's. Lower precisions (float16) get
    no such room: the contracts here speak of float64 and float32."""
    if getattr(value, "dtype", None) == np.float32:
        return max(atol, float(np.finfo(np.float32).eps))
    return atol


def number(value: float) -> str:
    """A float as repr() writes it: the shortest text that reads back as that float, so two
    different numbers never print the same ("got 1, expected 1" hid a 2e-9 difference)."""
    return repr(float(value))


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


FLOAT_DTYPES = (np.float64, np.float32)


def check_every_dtype(student, function: str, x: np.ndarray, want, *, what: str, rtol: float, atol: float,
                      hint: str, warn_hint, misconceptions=None) -> None:
    """student.function(x) is right and emits no warning for x as float64 and as float32.

    want(x64) and misconceptions(x64) give the expected values and the known mistakes for the
    float64 copy of the (rounded) inputs, so both dtypes are judged on the numbers they received.
    warn_hint: the hint for a warning, or a function of the dtype that returns it (asked only then).
    """
    for dtype in FLOAT_DTYPES:
        inputs = np.asarray(x, dtype=dtype)
        exact = inputs.astype(float)
        value, warnings = student.call_warnings(function, inputs)
        name = f"{what} ({np.dtype(dtype).name} input)"
        assert_close(value, want(exact), what=name, rtol=rtol, atol=atol, hint=hint,
                     misconceptions=misconceptions(exact) if misconceptions else None)
        if warnings:
            text = warn_hint(dtype) if callable(warn_hint) else warn_hint
            raise CheckFailed(text + (" (for float32 input this starts much sooner: exp overflows "
                                           "float32 above 88.7)" if dtype is np.float32 else ""),
                              f"{name}: warnings: {warnings[:2]}")


def assert_all_close(got: dict, want: dict, *, rtol: float, atol: float, hint, misconceptions=None) -> None:
    """Every got[name] ~ want[name]; on failure, the first wrong one with its worst element.

    hint(name) is the generic hint for a wrong got[name]. misconceptions: {mistake: ({name: array},
    hint)}; a mistake is named only when it explains every array at once (one wrong cache, such
    as a hidden_layer_input without its bias, can come from several mistakes).
    """
    atols = {name: precision_atol(got[name], atol) for name in want}
    arrays = {name: as_array(got[name], what) for name, what in ((n, f"self.{n}") for n in want)}
    wrong = [name for name in want if arrays[name].shape != np.shape(want[name]) or not np.allclose(
        arrays[name], want[name], rtol=rtol, atol=atols[name])]
    if not wrong:
        return
    named = set()
    for _mistake, (theirs, mistake_hint) in (misconceptions or {}).items():
        fits = all(arrays[name].shape == np.shape(theirs[name]) and np.allclose(
            arrays[name], theirs[name], rtol=max(rtol, 1e-6), atol=max(atol, 1e-9)) for name in want)
        differs = sum(np.count_nonzero(np.abs(np.asarray(theirs[name], dtype=float) - want[name])
                                       > atol + rtol * np.abs(want[name])) for name in want)
        if fits and differs >= 2:
            named.add(mistake_hint)
    first = wrong[0]
    if len(named) == 1:
        try:
            assert_close(arrays[first], want[first], what=f"self.{first}", rtol=rtol, atol=atols[first], hint="")
        except CheckFailed as failure:
            raise CheckFailed(named.pop(), failure.detail) from None
    assert_close(arrays[first], want[first], what=f"self.{first}", rtol=rtol, atol=atols[first], hint=hint(first))
