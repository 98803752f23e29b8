"""Plain data across the sandbox boundary: JSON, with NumPy arrays as their raw bytes.

Both sides use this module; the child runs its own copy. Nothing here unpickles: an
array travels as its C-ordered bytes (base64) with its shape and a dtype of the form
"<f8" (bool, integer and float only), so the trusted side gets back data, never objects. Everything the
child sends may be forged (the submission can replace this module's functions in
the child), so the trusted side checks sizes before allocating and turns any
malformed message into a WireError.
"""

from __future__ import annotations

import base64
import json
import math
import re
import struct

# A reply is read whole and parsed in the trusted process, so both bound what it may cost there:
# bytes, and JSON values (counted by their separators before parsing: base64 and .npy data
# have none). The largest honest reply (a Keras model's weights as .npy) is a few MB in ~100
# values; the worst forged one within these limits costs the grader a few hundred MB
# (tests/test_hostile.py measures it).
MAX_MESSAGE = 64 * 1024 * 1024
MAX_VALUES = 1_000_000
# Array elements in one reply, whatever their dtype: what the grader does with an array (float64
# upcasts, products, plots) costs it a multiple of 8 bytes per element, so 4 million (32 MB as
# float64) keeps that to a few hundred MB; a 784 x 60,000 int8 kernel (47 million, 35 MB on the
# wire) is refused before it is decoded. The largest honest reply is far below (a Keras model's
# weights and 10,000 predictions, under a million).
MAX_ELEMENTS = 4_000_000
_CHUNK = 4 << 20  # base64 characters decoded at a time, straight into the array
_HEADER = struct.Struct(">Q")
ALLOWED_KINDS = "biuf"


class WireError(ValueError):
    """A message that is not plain data (or is too large, or is cut short)."""


class TooManyElements(WireError):
    """A reply holding more array elements than the grader works on (MAX_ELEMENTS)."""


class Opaque:
    """An object that stayed in the child: a handle, or something that is not data."""

    def __init__(self, ref: int | None, type_name: str):
        self.ref, self.type_name = ref, type_name

    def __repr__(self) -> str:
        return f"<{self.type_name} object>"


class NpyFile:
    """A large array passed as a file in the child's directory instead of inline."""

    def __init__(self, path: str):
        self.path = path


# NumPy is imported where an array is handled, not with this module: the grading process starts
# its zygote before it loads NumPy (zygote.start), and this module is on that path.


def encode(value, store=None):
    """Value -> JSON-able tree. Objects that are not data go to `store` (child side)."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, float)) and type(value) in (int, float):
        return value
    import numpy as np

    if isinstance(value, (np.ndarray, np.generic)):
        array = np.asarray(value).view(np.ndarray) if isinstance(value, np.ndarray) else np.asarray(value)
        if array.dtype.kind not in ALLOWED_KINDS:
            return {"__opaque__": None, "type": f"array of dtype {array.dtype}"}
        return {"__nd__": base64.b64encode(array.tobytes()).decode("ascii"), "dtype": array.dtype.str,
                "shape": list(array.shape)}
    if isinstance(value, (list, tuple)):
        return [encode(item, store) for item in value]
    if isinstance(value, dict) and all(type(key) is str for key in value):
        return {"__dict__": {key: encode(item, store) for key, item in value.items()}}
    if isinstance(value, Opaque):
        return {"__opaque__": value.ref, "type": value.type_name}
    if isinstance(value, NpyFile):
        return {"__npyfile__": value.path}
    ref = store(value) if store is not None else None
    return {"__opaque__": ref, "type": type(value).__name__}


def decode(tree, resolve=None, *, files: bool = False):
    """JSON tree -> value. `resolve` maps handles back to objects (child side).

    `files=True` (child side only) reads NpyFile paths; the trusted side never opens a
    path the child names (a FIFO there would block the grader forever), and takes no more than
    MAX_ELEMENTS array elements from one message.
    """
    return _decode(tree, resolve, files, [None if files else MAX_ELEMENTS])


def _decode(tree, resolve, files: bool, room: list):
    if isinstance(tree, list):
        return [_decode(item, resolve, files, room) for item in tree]
    if not isinstance(tree, dict):
        return tree
    if "__nd__" in tree:
        return _load_array(tree["__nd__"], tree.get("dtype"), tree.get("shape"), room)
    if "__dict__" in tree:
        return {str(key): _decode(item, resolve, files, room) for key, item in tree["__dict__"].items()}
    if "__opaque__" in tree:
        opaque = Opaque(tree["__opaque__"], str(tree.get("type", "object"))[:80])
        return resolve(opaque) if resolve is not None else opaque
    if "__npyfile__" in tree and files:
        import numpy as np

        return np.load(tree["__npyfile__"], allow_pickle=False)
    raise WireError("unexpected object in message")


def _load_array(text, dtype, shape, room: list):
    import numpy as np

    if not (isinstance(text, str) and isinstance(dtype, str) and _DTYPE.fullmatch(dtype) and isinstance(shape, list)
            and len(shape) <= 64 and all(type(n) is int and n >= 0 for n in shape)):
        raise WireError("malformed array: not bytes, a dtype of bool, int or float, and a shape")
    try:
        kind = np.dtype(dtype)
    except TypeError:
        raise WireError("malformed array: not a dtype") from None
    elements = math.prod(shape)
    if room[0] is not None:
        if elements > room[0]:
            raise TooManyElements(f"arrays of more than {MAX_ELEMENTS} elements in one reply")
        room[0] -= elements
    # The bytes must be exactly what the shape claims, checked before anything is allocated for it.
    padding = 2 if text.endswith("==") else 1 if text.endswith("=") else 0  # (rstrip would copy the text)
    if kind.kind not in ALLOWED_KINDS or len(text) % 4 or padding > 2 or elements * kind.itemsize != len(text) // 4 * 3 - padding:
        raise WireError("array of a dtype that is not bool, int or float, or whose size does not match its data")
    try:
        if len(text) <= _CHUNK:
            data = np.frombuffer(bytearray(base64.b64decode(text, validate=True)), dtype=np.uint8)
        else:  # in pieces, straight into the array: no whole copy of the bytes beside it
            data, written = np.empty(elements * kind.itemsize, dtype=np.uint8), 0
            for start in range(0, len(text), _CHUNK):
                piece = base64.b64decode(text[start:start + _CHUNK], validate=True)
                data[written:written + len(piece)] = np.frombuffer(piece, dtype=np.uint8)
                written += len(piece)
            data = data[:written]
    except Exception as error:  # a malformed array is a protocol error, whatever decoding raises
        raise WireError(f"malformed array: {type(error).__name__}") from None
    if len(data) != elements * kind.itemsize:  # padding inside the text
        raise WireError("malformed array: its data is cut short")
    return data.view(kind).reshape(shape)


_DTYPE = re.compile(r"[<>|=][biuf][1-8]")


def send(stream, message: dict) -> None:
    payload = json.dumps(message, allow_nan=True).encode()
    stream.write(_HEADER.pack(len(payload)) + payload)
    stream.flush()


def receive(stream) -> dict:
    """Read one message; raises EOFError when the other side is gone."""
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        raise EOFError("connection closed")
    (size,) = _HEADER.unpack(header)
    if size > MAX_MESSAGE:
        raise WireError(f"message of {size} bytes exceeds the {MAX_MESSAGE} byte limit")
    payload = stream.read(size)
    if len(payload) < size:
        raise EOFError("connection closed mid-message")
    values = payload.count(b",") + payload.count(b"[") + payload.count(b"{") + payload.count(b":")
    if values > MAX_VALUES:
        raise WireError(f"message of about {values} values exceeds the {MAX_VALUES} value limit")
    try:
        message = json.loads(payload)
    except (ValueError, RecursionError, MemoryError) as error:  # RecursionError: [[[[...]]]] nested too deep
        raise WireError(f"not JSON: {type(error).__name__}") from None
    if not isinstance(message, dict):
        raise WireError("message is not an object")
    return message
